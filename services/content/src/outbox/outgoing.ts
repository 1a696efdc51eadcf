import {
  Disclosure,
  type ItemState,
  ItemStatus,
  MAX_MESSAGE_BYTES,
  MESSAGE_OVERHEAD_BYTES,
} from "@herald/contracts";
import { extractTraceContext, type Logger, type OutgoingRecord } from "@herald/runtime";
import { type ItemRecord, latestDisclosed } from "../domain/item";
import { encodedSize } from "../domain/item-size";
import { versionToItemState } from "../domain/item-state";
import { type ItemStore, MARKER_REFRESH_MS, type OutboxMarker } from "../store/item-store";
import type { SetAsideDoc } from "../store/set-aside";

/** Items looked up at once in a pass. */
export const FIND_CONCURRENCY = 16;
/** A marker whose revision never appeared for this long belongs to a write that died before it. */
const ABANDONED_MS = 2 * MARKER_REFRESH_MS;
/**
 * The most a transaction carries. kafkajs puts a send's records for one partition
 * into one record batch, which the broker checks against `max.message.bytes`;
 * keeping the whole send under the limit keeps every partition's batch under it.
 */
const SEND_BYTES = MAX_MESSAGE_BYTES - MESSAGE_OVERHEAD_BYTES;
/** What a record costs besides its value: key, headers, record framing. */
const RECORD_OVERHEAD_BYTES = 1024;

const LEAVING_STATUSES: ReadonlySet<ItemStatus> = new Set([
  ItemStatus.ITEM_STATUS_PUBLISHED,
  ItemStatus.ITEM_STATUS_RETRACTED,
  ItemStatus.ITEM_STATUS_EXPIRED,
]);

/** The disclosure gate: only proactive items in a public status leave the service. */
export function mayLeave(state: ItemState): boolean {
  return state.disclosure === Disclosure.DISCLOSURE_PROACTIVE && LEAVING_STATUSES.has(state.status);
}

/** One item's send: its newest public state and the outbox entries the send settles. */
export interface Outgoing {
  itemId: string;
  record: OutgoingRecord<ItemState>;
  bytes: number;
  revision: number;
  markerIds: string[];
  aside: SetAsideDoc | undefined;
}

/**
 * What to send for one item: its newest public state, or nothing when its
 * revision is still being written or it may not leave (`settled` then collects
 * the markers that need no send).
 */
export async function prepareOutgoing(
  { store, log }: { store: ItemStore; log: Logger },
  item: {
    itemId: string;
    markers: readonly OutboxMarker[];
    aside: SetAsideDoc | undefined;
    /** The record this instance wrote, when it has one: no need to read it back. */
    written: ItemRecord | undefined;
    now: number;
  },
  settled: string[],
): Promise<Outgoing | undefined> {
  const { itemId, markers: itemMarkers, aside, written, now } = item;
  // The newest state now, not the state of the marked revision: a resend then
  // never puts an older version after a newer one, whatever was sent before.
  const newest = Math.max(0, ...itemMarkers.map((m) => m.revision));
  const record =
    written && newest > 0 && written.revision >= newest ? written : await store.find(itemId);
  const ready = itemMarkers.filter((m) => record && m.revision <= record.revision);
  settled.push(
    ...itemMarkers
      .filter((m) => !ready.includes(m) && now - m.at.getTime() > ABANDONED_MS)
      .map((m) => m._id),
  );
  const retrying = itemMarkers.length === 0;
  if (!record || (ready.length === 0 && !retrying)) return undefined; // still being written
  const version = latestDisclosed(record);
  const state = version ? versionToItemState(itemId, version) : undefined;
  if (!state || !mayLeave(state)) {
    // The workflow never marks such a version; if one appears, it stays in.
    if (state) {
      log.error({ item: itemId, version: state.version }, "disclosure gate refused an event");
    }
    settled.push(...ready.map((m) => m._id));
    return undefined;
  }
  return {
    itemId,
    record: {
      key: itemId,
      value: state,
      ...(state.trace ? { traceContext: extractTraceContext({ ...state.trace }) } : {}),
    },
    bytes: encodedSize(state),
    revision: record.revision,
    markerIds: ready.map((m) => m._id),
    aside,
  };
}

/** Splits a pass's sends so that none exceeds the largest message a topic takes. */
export function chunkBySize(outgoing: readonly Outgoing[]): Outgoing[][] {
  const chunks: Outgoing[][] = [];
  let chunk: Outgoing[] = [];
  let size = 0;
  for (const item of outgoing) {
    const cost = item.bytes + Buffer.byteLength(item.itemId) + RECORD_OVERHEAD_BYTES;
    if (chunk.length > 0 && size + cost > SEND_BYTES) {
      chunks.push(chunk);
      chunk = [];
      size = 0;
    }
    chunk.push(item);
    size += cost;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}
