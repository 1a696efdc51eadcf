/**
 * The reconciler benchmark's channels: what each holds (every item it should, at
 * its version and checksum, except a planted share that is wrong), and a child
 * process that serves them as real gRPC ChannelInventory servers, one port per
 * channel — in a process of its own, as channels are in production, so the
 * reconciler's process and its memory are the reconciler's alone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  type ChannelPolicy,
  type Holding,
  announcementOf,
  expectedPresence,
} from "@herald/channel-kit";
import { ItemStatus, Topics } from "@herald/contracts";
import { createLogger, createProducer } from "@herald/runtime";
import { ROOT } from "@herald/test-harness";
import type { Kafka } from "kafkajs";
import { type ItemSummary, seeded } from "./reconciler-items";

/** The findings a planted fault should give, by the reconciler's finding kind. */
export const FAULTS = [
  "missing",
  "stale",
  "checksum_mismatch",
  "not_removed",
  "unexpected",
] as const;
export type Fault = (typeof FAULTS)[number];
export type Planted = Record<Fault, number>;

/** The six channels: every kind, the public; they differ in what they keep after a takedown. */
export const CHANNELS: readonly Required<
  Pick<ChannelPolicy, "name" | "keepsWithdrawn" | "keepsExpired">
>[] = [
  { name: "portal", keepsWithdrawn: true, keepsExpired: true },
  { name: "wechat", keepsWithdrawn: false, keepsExpired: false },
  { name: "weibo", keepsWithdrawn: false, keepsExpired: false },
  { name: "noticeboard", keepsWithdrawn: false, keepsExpired: false },
  { name: "hotline-kb", keepsWithdrawn: false, keepsExpired: true },
  { name: "outlets", keepsWithdrawn: true, keepsExpired: false },
];

const noFaults = (): Planted => ({
  missing: 0,
  stale: 0,
  checksum_mismatch: 0,
  not_removed: 0,
  unexpected: 0,
});

const fakeChecksum = (text: string) => createHash("sha256").update(text).digest("hex");

function refOf(channel: string, id: string): string {
  return channel === "portal" ? `http://127.0.0.1:4100/items/${id}` : `${channel}:${id}`;
}

/**
 * What channel `index` holds, sorted by item id as ListHoldings pages it. A share
 * `faults` of the items is wrong — missing, an older version, another checksum;
 * or, for a taken-down item the channel should remove, still shown — and a few
 * ids the item stream never had are held; `planted` counts each.
 */
export function holdingsOf(
  policy: ChannelPolicy,
  index: number,
  items: readonly ItemSummary[],
  faults: number,
): { holdings: Holding[]; planted: Planted } {
  const next = seeded(7919 * (index + 1));
  const planted = noFaults();
  const holdings: Holding[] = [];
  const appliedAt = new Date();
  const hold = (id: string, version: number, checksum: string, itemStatus: ItemStatus) =>
    holdings.push({
      itemId: id,
      version,
      checksum,
      externalRef: refOf(policy.name, id),
      status: "held",
      itemStatus,
      appliedAt,
      applies: version,
    });
  for (const item of items) {
    const presence = expectedPresence(policy, {
      kind: item.kind,
      status: item.status,
      takedown: item.takedown ? { kind: item.takedown } : undefined,
    });
    const wrong = next() < faults;
    if (presence.kind === "remove") {
      if (wrong) {
        // The version before the takedown is still shown.
        const shown = Math.max(1, item.version - 1);
        planted.not_removed += 1;
        hold(item.id, shown, fakeChecksum(`${item.id}:${shown}`), ItemStatus.ITEM_STATUS_PUBLISHED);
      } else {
        holdings.push({
          itemId: item.id,
          version: item.version,
          checksum: "",
          externalRef: "",
          status: "removed",
          itemStatus: item.status,
          appliedAt,
          applies: item.version,
        });
      }
      continue;
    }
    if (presence.kind === "decline") continue;
    if (!wrong) {
      hold(item.id, item.version, item.checksum, item.status);
      continue;
    }
    const choices: Fault[] =
      item.version > 1
        ? ["missing", "stale", "checksum_mismatch"]
        : ["missing", "checksum_mismatch"];
    const fault = choices[Math.floor(next() * choices.length)]!;
    planted[fault] += 1;
    if (fault === "stale") {
      const old = item.version - 1;
      hold(item.id, old, fakeChecksum(`${item.id}:${old}`), ItemStatus.ITEM_STATUS_PUBLISHED);
    } else if (fault === "checksum_mismatch") {
      hold(item.id, item.version, fakeChecksum(`${item.id}:tampered`), item.status);
    }
  }
  const orphans = Math.max(3, Math.round(items.length / 10_000));
  for (let k = 0; k < orphans; k += 1) {
    planted.unexpected += 1;
    hold(
      `orphan-${policy.name}-${k}`,
      1,
      fakeChecksum(`orphan-${k}`),
      ItemStatus.ITEM_STATUS_PUBLISHED,
    );
  }
  holdings.sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  return { holdings, planted };
}

/** Parent → child. */
export interface StartMessage {
  readonly type: "start";
  readonly items: readonly ItemSummary[];
  readonly faults: number;
  /** The bearer token the inventories accept (the reconciler's). */
  readonly token: string;
}

export interface ServedChannel {
  readonly name: string;
  readonly port: number;
  /** Holdings the inventory lists (status held). */
  readonly listed: number;
  readonly planted: Planted;
}

/** Child → parent. */
export type ChildMessage =
  | { readonly type: "ready"; readonly channels: readonly ServedChannel[] }
  | { readonly type: "failed"; readonly error: string };

/** The child process serving every channel's inventory. */
export class SyntheticChannels {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly channels: readonly ServedChannel[],
    exited: Promise<void>,
  ) {
    this.exited = exited;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts the child, hands it the items and waits until every inventory listens. */
  static async start(message: Omit<StartMessage, "type">): Promise<SyntheticChannels> {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=herald-source",
        join(ROOT, "test/bench/reconciler-channels-process.ts"),
      ],
      { cwd: ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      const ready = await new Promise<readonly ServedChannel[]>((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`the channels process exited with ${code}`)));
        child.once("error", reject);
        child.on("message", (reply: ChildMessage) => {
          if (reply.type === "ready") resolve(reply.channels);
          else reject(new Error(`the channels process failed: ${reply.error}`));
        });
        child.send({ type: "start", ...message } satisfies StartMessage);
      });
      return new SyntheticChannels(child, ready, exited);
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
  }

  /** Asks the child to close its servers and leave; kills it after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Announces every served channel on herald.channels.v1 under `prefix`, as a channel instance does. */
export async function announceChannels(
  kafka: Kafka,
  prefix: string,
  channels: SyntheticChannels,
): Promise<void> {
  const producer = createProducer(kafka, {
    logger: createLogger({ service: "reconciler-bench", level: "error" }, process.stderr),
    topicPrefix: prefix,
  });
  await producer.connect();
  try {
    const at = new Date();
    await producer.send(
      Topics.channels,
      channels.channels.map((served) => {
        const policy = CHANNELS.find((c) => c.name === served.name)!;
        return {
          key: served.name,
          value: announcementOf(policy, `127.0.0.1:${served.port}`, `${served.name}-bench-1`, at),
        };
      }),
    );
  } finally {
    await producer.disconnect();
  }
}
