/**
 * The reconciler benchmark's items: ItemStates as the content service puts them
 * on herald.items.v1 — a Chinese title, summary and short body recombined from the
 * seed work plan, every kind, ten issuing offices, one to six versions, about 1%
 * taken down and 0.5% expired, deadlines on licences and penalties, and the
 * content service's checksum (SHA-256 of the encoding without checksum and trace).
 * Drawn from a seeded generator, so every run audits the same items.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { itemState } from "@herald/channel-kit/testing";
import { Audience, ItemKind, ItemState, ItemStatus, TakedownKind, Topics } from "@herald/contracts";
import { createLogger, createProducer } from "@herald/runtime";
import { ROOT } from "@herald/test-harness";
import type { Kafka } from "kafkajs";

/** What a channel needs of an item to hold it, and to decide whether it should. */
export interface ItemSummary {
  readonly id: string;
  readonly version: number;
  readonly checksum: string;
  readonly kind: ItemKind;
  readonly status: ItemStatus;
  /** TAKEDOWN_KIND_UNSPECIFIED (0) unless the item was taken down. */
  readonly takedown: TakedownKind;
}

/** A small deterministic generator (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lower-case hex SHA-256 of the state's encoding with checksum and trace left empty, as content computes it. */
export function checksumOf(state: ItemState): string {
  const canonical = ItemState.encode({ ...state, checksum: "", trace: undefined }).finish();
  return createHash("sha256").update(canonical).digest("hex");
}

const OFFICES = [
  "海关总署办公厅",
  "海关总署政策法规司",
  "海关总署综合业务司",
  "海关总署监管司",
  "海关总署关税征管司",
  "海关总署缉私局",
  "广州海关",
  "上海海关",
  "深圳海关",
  "青岛海关",
];
const CATEGORIES = [
  "工作动态",
  "政策文件",
  "政策解读",
  "行政许可",
  "行政处罚",
  "权责清单",
  "办事指南",
  "通知公告",
  "热线问答",
  "征求意见",
];
const DAY = 86_400_000;

function seedSentences(): string[] {
  return readFileSync(join(ROOT, "examples/seed/customs-disclosure-2016.txt"), "utf8")
    .split(/(?<=[。；！？\n])/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 12 && /\p{Script=Han}/u.test(s));
}

/**
 * Item 0…count-1, in order (each draws from one generator). Publication times
 * rise with `n` over the two years before `now`, so ids (time in base 36, then
 * random hex, like the content service's) are unique.
 */
export function* syntheticItems(count: number, seed: number, now: number): Generator<ItemState> {
  const next = seeded(seed);
  const sentences = seedSentences();
  const pick = () => sentences[Math.floor(next() * sentences.length)]!;
  const hex = () =>
    Math.floor(next() * 2 ** 40)
      .toString(16)
      .padStart(10, "0");
  const first = now - 730 * DAY;
  const step = Math.max(1, Math.floor((728 * DAY) / Math.max(1, count)));
  for (let n = 0; n < count; n += 1) {
    const publishedAt = first + n * step;
    const id = `${publishedAt.toString(36)}-${hex()}`;
    const kind = (1 + (n % 10)) as ItemKind;
    const draw = next();
    let version = draw < 0.7 ? 1 : draw < 0.9 ? 2 : draw < 0.97 ? 3 : 4 + Math.floor(next() * 3);
    const fate = next();
    const status =
      fate < 0.01
        ? ItemStatus.ITEM_STATUS_RETRACTED
        : fate < 0.015
          ? ItemStatus.ITEM_STATUS_EXPIRED
          : ItemStatus.ITEM_STATUS_PUBLISHED;
    // A takedown is a version of its own.
    if (status === ItemStatus.ITEM_STATUS_RETRACTED) version = Math.max(2, version);
    const updatedAt = Math.min(now - DAY, publishedAt + (version - 1) * (1 + next() * 9) * DAY);
    const paragraphs = 1 + Math.floor(next() * 3);
    const body = Array.from({ length: paragraphs }, () => `<p>${pick()}${pick()}</p>`).join("\n");
    const decided = kind === ItemKind.ITEM_KIND_ADMINISTRATIVE_LICENCE;
    const penalty = kind === ItemKind.ITEM_KIND_ADMINISTRATIVE_PENALTY;
    const year = new Date(publishedAt).getUTCFullYear();
    const state = itemState(id, version, {
      kind,
      status,
      title: `${pick().slice(0, 10 + Math.floor(next() * 22))}（${n}）`,
      summary: pick().slice(0, 40 + Math.floor(next() * 40)),
      bodyHtml: body,
      category: CATEGORIES[kind - 1] ?? "工作动态",
      tags: [pick().slice(0, 4), "政务公开"],
      issuingOffice: OFFICES[Math.floor(next() * OFFICES.length)]!,
      documentNumber: `署${decided ? "许" : penalty ? "罚" : "办发"}〔${year}〕${1 + (n % 500)}号`,
      indexNumber: `000014672/${year}-${String(n).padStart(6, "0")}`,
      dates: {
        formedAt: new Date(publishedAt - 2 * DAY),
        publishedAt: new Date(publishedAt),
        ...(status === ItemStatus.ITEM_STATUS_EXPIRED ? { expiresAt: new Date(updatedAt) } : {}),
      },
      targeting: { channels: [], noticeboardSites: [], audience: Audience.AUDIENCE_PUBLIC },
      ...(status === ItemStatus.ITEM_STATUS_RETRACTED
        ? {
            takedown: {
              kind:
                next() < 0.6
                  ? TakedownKind.TAKEDOWN_KIND_WITHDRAWN
                  : TakedownKind.TAKEDOWN_KIND_REMOVED,
              reason: "信息有误，予以撤回",
              publicExplanation: "该信息已撤回，以更正后的版本为准。",
              at: new Date(updatedAt),
            },
          }
        : {}),
      ...(decided || penalty
        ? {
            deadline: {
              dueAt: new Date(publishedAt - 2 * DAY + 9 * DAY),
              rule: "作出决定之日起7个工作日内公开",
              provisional: false,
            },
          }
        : {}),
      updatedAt: new Date(updatedAt),
    });
    state.checksum = checksumOf(state);
    yield state;
  }
}

export function summaryOf(state: ItemState): ItemSummary {
  return {
    id: state.id,
    version: state.version,
    checksum: state.checksum,
    kind: state.kind,
    status: state.status,
    takedown: state.takedown?.kind ?? TakedownKind.TAKEDOWN_KIND_UNSPECIFIED,
  };
}

/**
 * Produces `count` items onto the item stream under `prefix` in batches of
 * 1000, as the content service's relay would; progress on stderr. Returns what
 * the channels need of each, and how long it took.
 */
export async function produceItems(
  kafka: Kafka,
  prefix: string,
  options: { count: number; seed: number },
  signal: AbortSignal,
): Promise<{ summaries: ItemSummary[]; seconds: number; bytes: number }> {
  const { count, seed } = options;
  const producer = createProducer(kafka, {
    logger: createLogger({ service: "reconciler-bench", level: "error" }, process.stderr),
    topicPrefix: prefix,
  });
  await producer.connect();
  const started = performance.now();
  let lastNote = started;
  let bytes = 0;
  const summaries: ItemSummary[] = [];
  try {
    let batch: { key: string; value: ItemState }[] = [];
    const flush = async () => {
      await producer.send(Topics.items, batch);
      batch = [];
      if (performance.now() - lastNote >= 5000 || summaries.length === count) {
        lastNote = performance.now();
        process.stderr.write(`  produced ${summaries.length}/${count} items\n`);
      }
    };
    for (const state of syntheticItems(count, seed, Date.now())) {
      if (signal.aborted) break;
      bytes += ItemState.encode(state).finish().length;
      summaries.push(summaryOf(state));
      batch.push({ key: state.id, value: state });
      if (batch.length === 1000) await flush();
    }
    if (batch.length && !signal.aborted) await flush();
  } finally {
    await producer.disconnect();
  }
  return { summaries, seconds: (performance.now() - started) / 1000, bytes };
}
