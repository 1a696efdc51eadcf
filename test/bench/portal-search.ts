/**
 * The portal's in-memory index at production size: loads synthetic items whose
 * Chinese text is recombined from the seed work plan and the example items
 * (1–3 KB bodies), then times searches of 2–6 character phrases and words.
 *
 *   node --import tsx --conditions=herald-source --expose-gc test/bench/portal-search.ts \
 *     [--items 100000] [--queries 1000] [--json]
 *
 * Targets: p95 ≤ 20 ms per query, RSS ≤ 1 GiB with 100,000 items.
 * `runPortalSearchBenchmark` returns the same figures to other benchmark scripts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { ItemKind, ItemState, ItemStatus } from "@herald/contracts";
// The site code is the portal's internal module; this benchmark measures it directly.
import { createPortalIndex } from "../../services/portal/src/site";

/** The targets the figures are judged against. */
export const TARGETS = { p95Ms: 20, rssBytes: 1024 ** 3 } as const;

/** What one run measured. */
export interface PortalSearchFigures {
  readonly items: number;
  readonly loadMs: number;
  readonly itemsPerSecond: number;
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
  /** The most resident memory the process had at any time (VmHWM), 0 where /proc is missing. */
  readonly peakRssBytes: number;
  /** False when run without --expose-gc: memory then includes garbage not yet collected. */
  readonly collectedBeforeMeasuring: boolean;
  readonly index: { terms: number; postings: number; encodedBytes: number };
  readonly queries: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanHits: number;
  readonly meetsTargets: boolean;
}

/** Options of a run. */
export interface PortalSearchOptions {
  readonly items?: number;
  readonly queries?: number;
  /** Called every 10,000 items while loading. */
  readonly onProgress?: (loaded: number, total: number) => void;
}

const ROOT = resolve(__dirname, "../..");
const HAN = /\p{Script=Han}{2,}/gu;

/** Sentences of the seed work plan and the example items, without markup. */
export function sampleSentences(): string[] {
  const texts = [readFileSync(join(ROOT, "examples/seed/customs-disclosure-2016.txt"), "utf8")];
  const dir = join(ROOT, "examples/items");
  for (const file of readdirSync(dir).filter((f) => /\.(md|json)$/.test(f) && f !== "README.md")) {
    texts.push(readFileSync(join(dir, file), "utf8").replace(/<[^>]+>|[#*|`-]+/g, " "));
  }
  return texts
    .join("\n")
    .split(/(?<=[。；！？\n])/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 12 && /\p{Script=Han}/u.test(s));
}

/** A small deterministic generator, so every run loads the same items. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as ItemKind[];
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

/** Item `n`: a Chinese title and 1–3 KB of body recombined from `sentences`, drawn with `next`. */
export function syntheticItem(
  n: number,
  sentences: readonly string[],
  next: () => number,
): ItemState {
  const pick = () => sentences[Math.floor(next() * sentences.length)] as string;
  const paragraphs: string[] = [];
  const target = 1024 + Math.floor(next() * 2048); // UTF-8 bytes of body text
  let bytes = 0;
  while (bytes < target) {
    const paragraph = [pick(), pick(), pick()].join("");
    paragraphs.push(`<p>${paragraph}</p>`);
    bytes += Buffer.byteLength(paragraph);
  }
  const kindIndex = n % KINDS.length;
  const title = pick().slice(0, 12 + Math.floor(next() * 20));
  return ItemState.fromPartial({
    id: `bench-${n}`,
    version: 1,
    kind: KINDS[kindIndex] ?? ItemKind.ITEM_KIND_NEWS,
    status: next() < 0.05 ? ItemStatus.ITEM_STATUS_EXPIRED : ItemStatus.ITEM_STATUS_PUBLISHED,
    title: `${title}（${n}）`,
    summary: pick().slice(0, 80),
    bodyHtml: paragraphs.join("\n"),
    category: CATEGORIES[kindIndex] ?? "工作动态",
    tags: [pick().slice(0, 4), "政务公开"],
    issuingOffice: "海关总署办公厅",
    documentNumber: `署办发〔${2012 + (n % 8)}〕${n % 500}号`,
    indexNumber: `000014672/${2012 + (n % 8)}-${String(n).padStart(5, "0")}`,
    checksum: "0".repeat(64),
    dates: { publishedAt: new Date(Date.UTC(2012, 0, 1) + n * 30 * 60 * 1000) },
  });
}

/** Phrases of 2–6 Han characters cut from the sample text, and whole words from a segmenter. */
function sampleQueries(sentences: readonly string[], count: number, next: () => number): string[] {
  const runs = sentences.flatMap((s) => s.match(HAN) ?? []);
  const words = sentences.flatMap((s) =>
    Array.from(new Intl.Segmenter("zh", { granularity: "word" }).segment(s))
      .filter((w) => w.isWordLike && /^\p{Script=Han}{2,6}$/u.test(w.segment))
      .map((w) => w.segment),
  );
  const out: string[] = [];
  while (out.length < count) {
    if (out.length % 3 === 2) {
      out.push(words[Math.floor(next() * words.length)] ?? "海关");
      continue;
    }
    const run = runs[Math.floor(next() * runs.length)] ?? "政务公开";
    const length = Math.min(run.length, 2 + Math.floor(next() * 5));
    const start = Math.floor(next() * (run.length - length + 1));
    out.push(run.slice(start, start + length));
  }
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Loads the items, measures memory, then times the queries. */
export function runPortalSearchBenchmark(options: PortalSearchOptions = {}): PortalSearchFigures {
  const total = options.items ?? 100_000;
  const sentences = sampleSentences();
  const next = random(2016);
  const index = createPortalIndex();
  const started = performance.now();
  for (let n = 0; n < total; n += 1) {
    index.put(syntheticItem(n, sentences, next));
    if ((n + 1) % 10_000 === 0) options.onProgress?.(n + 1, total);
  }
  const loadMs = performance.now() - started;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const memory = process.memoryUsage();
  const queries = sampleQueries(sentences, options.queries ?? 1000, next);
  for (const q of queries.slice(0, 50)) index.search(q, { offset: 0, limit: 20 }); // warm-up
  const times: number[] = [];
  let hits = 0;
  for (const q of queries) {
    const t0 = performance.now();
    hits += index.search(q, { offset: 0, limit: 20 }).total;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const stats = index.stats();
  const p95Ms = percentile(times, 95);
  return {
    items: total,
    loadMs,
    itemsPerSecond: total / (loadMs / 1000),
    heapUsedBytes: memory.heapUsed,
    rssBytes: memory.rss,
    peakRssBytes: peakRss(),
    collectedBeforeMeasuring: gc !== undefined,
    index: { terms: stats.terms, postings: stats.postings, encodedBytes: stats.encodedBytes },
    queries: queries.length,
    medianMs: percentile(times, 50),
    p95Ms,
    p99Ms: percentile(times, 99),
    maxMs: times[times.length - 1] ?? 0,
    meanHits: hits / queries.length,
    meetsTargets: p95Ms <= TARGETS.p95Ms && memory.rss <= TARGETS.rssBytes,
  };
}

function peakRss(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function report(f: PortalSearchFigures): string {
  const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
  return [
    `items loaded        ${f.items} in ${(f.loadMs / 1000).toFixed(1)} s (${f.itemsPerSecond.toFixed(0)} items/s)`,
    `index               ${f.index.terms} terms, ${f.index.postings} postings, ${mib(f.index.encodedBytes)} encoded`,
    `memory after load   heap used ${mib(f.heapUsedBytes)}, RSS ${mib(f.rssBytes)} (target ≤ ${mib(TARGETS.rssBytes)}: ${mark(f.rssBytes <= TARGETS.rssBytes)}), peak RSS ${mib(f.peakRssBytes)}` +
      (f.collectedBeforeMeasuring
        ? ""
        : "\n                    (run with --expose-gc to collect garbage before measuring; figures include it)"),
    `search (${f.queries} queries, ${f.meanHits.toFixed(0)} matches on average)`,
    `  median ${f.medianMs.toFixed(2)} ms   p95 ${f.p95Ms.toFixed(2)} ms (target ≤ ${TARGETS.p95Ms} ms: ${mark(f.p95Ms <= TARGETS.p95Ms)})   p99 ${f.p99Ms.toFixed(2)} ms   max ${f.maxMs.toFixed(2)} ms`,
    "",
  ].join("\n");
}

function main(): void {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "100000" },
      queries: { type: "string", default: "1000" },
      json: { type: "boolean", default: false },
    },
  });
  const figures = runPortalSearchBenchmark({
    items: Number(values.items),
    queries: Math.max(500, Number(values.queries)),
    onProgress: (loaded, total) => process.stderr.write(`loaded ${loaded} / ${total}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(figures, null, 2)}\n` : report(figures));
  process.exitCode = figures.meetsTargets ? 0 : 1;
}

if (require.main === module) main();
