/**
 * Test support shared with channel services' tests (`@herald/channel-kit/testing`).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ItemKind, ItemState, ItemStatus, type TakedownKind } from "@herald/contracts";
import { tokenFileOf, writeTokenFile } from "@herald/runtime";
import type { ChannelAdapter } from "./adapter";
import type { Holding } from "./holdings";
import { AwaitingOperatorError, PermanentChannelError, RetryLaterError } from "./adapter";
import type { ChannelPolicy } from "./policy";

/** Writes an inventory token file (mode 0600) for `tokens` (name → token) into a new temporary folder. */
export function writeInventoryTokenFile(tokens: Record<string, string>): string {
  const path = join(mkdtempSync(join(tmpdir(), "herald-inventory-tokens-")), "tokens.json");
  writeTokenFile(
    path,
    tokenFileOf(
      Object.fromEntries(Object.entries(tokens).map(([name, token]) => [name, { token }])),
    ),
  );
  return path;
}

/** Environment for a channel in a test: free ports, quick retries and lag checks. */
export function testChannelEnv(options: {
  brokers: readonly string[];
  mongoUrl: string;
  topicPrefix: string;
  dbName: string;
  inventoryTokensFile: string;
}): Record<string, string> {
  return {
    KAFKA_BROKERS: options.brokers.join(","),
    MONGO_URL: options.mongoUrl,
    HERALD_TOPIC_PREFIX: options.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "3",
    CHANNEL_DB: options.dbName,
    CHANNEL_INVENTORY_PORT: "0",
    CHANNEL_INVENTORY_TOKENS_FILE: options.inventoryTokensFile,
    CHANNEL_RETRY_INITIAL_MS: "200",
    CHANNEL_RETRY_MAX_MS: "1000",
    CHANNEL_LAG_INTERVAL_MS: "500",
    CHANNEL_SESSION_TIMEOUT_MS: "10000",
    LOG_LEVEL: "silent",
  };
}

/** A published item state with everything a channel needs; `overrides` change any field. */
export function itemState(
  id: string,
  version: number,
  overrides: Parameters<typeof ItemState.fromPartial>[0] = {},
): ItemState {
  return ItemState.fromPartial({
    id,
    version,
    kind: ItemKind.ITEM_KIND_NEWS,
    status: ItemStatus.ITEM_STATUS_PUBLISHED,
    title: `${id} v${version}`,
    bodyHtml: `<p>${id} version ${version}</p>`,
    checksum: `sha256:${id}:${version}`,
    updatedAt: new Date(),
    ...overrides,
  });
}

export function takenDown(id: string, version: number, kind: TakedownKind): ItemState {
  return itemState(id, version, {
    status: ItemStatus.ITEM_STATUS_RETRACTED,
    takedown: { kind, reason: "test", publicExplanation: "撤回说明" },
  });
}

/**
 * A channel that keeps what it shows in memory and records every call, and can
 * be told to fail an item for a while or refuse it for good.
 */
export class RecordingChannel implements ChannelAdapter {
  readonly shown = new Map<string, ItemState>();
  readonly calls: { op: "apply" | "remove" | "verify"; id: string; version: number }[] = [];
  /** Item id → a wait the platform names once (a quota, a posting window), in ms. */
  readonly waitOnce = new Map<string, number>();
  /** Item ids whose removal waits on an operator (a platform with no delete API). */
  readonly removedByHand = new Set<string>();
  /** Item ids whose `verify` throws: a platform that does not answer. */
  readonly unverifiable = new Set<string>();
  /** Hold the apply of `id` until `release(id)`: a channel that hangs. */
  hold(id: string): void {
    this.holding.set(id, () => undefined);
  }

  release(id: string): void {
    const finish = this.holding.get(id);
    this.holding.delete(id);
    finish?.();
  }

  /** Item id → transient failures still to come. */
  readonly failing = new Map<string, number>();
  readonly refusing = new Set<string>();
  /** Item id → how to let its apply finish: the apply waits until then. */
  readonly holding = new Map<string, () => void>();

  constructor(readonly policy: ChannelPolicy = { name: "recorder", keepsWithdrawn: true }) {}

  apply(state: ItemState) {
    this.calls.push({ op: "apply", id: state.id, version: state.version });
    if (this.refusing.has(state.id)) {
      return Promise.reject(new PermanentChannelError("recorder.refused", "refused by the test"));
    }
    if (this.holding.has(state.id)) {
      return new Promise<{ externalRef: string }>((resolve) => {
        this.holding.set(state.id, () => {
          this.shown.set(state.id, state);
          resolve({ externalRef: `recorder://${state.id}` });
        });
      });
    }
    const wait = this.waitOnce.get(state.id);
    if (wait !== undefined) {
      this.waitOnce.delete(state.id);
      return Promise.reject(
        new RetryLaterError("recorder.window_full", "the posting window is full", wait),
      );
    }
    const left = this.failing.get(state.id) ?? 0;
    if (left > 0) {
      this.failing.set(state.id, left - 1);
      return Promise.reject(Object.assign(new Error("platform busy"), { code: "recorder.busy" }));
    }
    this.shown.set(state.id, state);
    return Promise.resolve({ externalRef: `recorder://${state.id}` });
  }

  remove(state: ItemState) {
    this.calls.push({ op: "remove", id: state.id, version: state.version });
    if (this.removedByHand.has(state.id)) {
      return Promise.reject(
        new AwaitingOperatorError("delete_by_hand", `请手动删除 ${state.id}，完成后标记已完成。`),
      );
    }
    this.shown.delete(state.id);
    return Promise.resolve();
  }

  /** Present when this channel shows the holding's version: what a platform's own check answers. */
  verify(holding: Holding): Promise<"present" | "absent"> {
    this.calls.push({ op: "verify", id: holding.itemId, version: holding.version });
    if (this.unverifiable.has(holding.itemId)) {
      return Promise.reject(new Error("platform does not answer"));
    }
    return Promise.resolve(
      this.shown.get(holding.itemId)?.version === holding.version ? "present" : "absent",
    );
  }

  applies(id: string): number[] {
    return this.calls.filter((c) => c.id === id && c.op === "apply").map((c) => c.version);
  }
}
