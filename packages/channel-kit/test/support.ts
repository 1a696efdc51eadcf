import { ItemKind, ItemState, ItemStatus, type TakedownKind } from "@herald/contracts";
import type { ChannelAdapter, ChannelPolicy } from "../src";
import { PermanentChannelError } from "../src";

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
  readonly calls: { op: "apply" | "remove"; id: string; version: number }[] = [];
  /** Item id → transient failures still to come. */
  readonly failing = new Map<string, number>();
  readonly refusing = new Set<string>();

  constructor(readonly policy: ChannelPolicy = { name: "recorder", keepsWithdrawn: true }) {}

  apply(state: ItemState) {
    this.calls.push({ op: "apply", id: state.id, version: state.version });
    if (this.refusing.has(state.id)) {
      return Promise.reject(new PermanentChannelError("recorder.refused", "refused by the test"));
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
    this.shown.delete(state.id);
    return Promise.resolve();
  }

  applies(id: string): number[] {
    return this.calls.filter((c) => c.id === id && c.op === "apply").map((c) => c.version);
  }
}
