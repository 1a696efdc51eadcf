import type { mongo } from "mongoose";
import type { Problem, ProblemAction, TimelineEvent } from "./model";

/**
 * The ledger's records and how each becomes a database document or update. Every
 * document is keyed by a natural string id, and every write here is idempotent:
 * a flush retried after a partial failure writes the same result.
 */

/** Every document here is keyed by a natural string id. */
export type Document = mongo.Document & { _id: string };
export type AnyBulkWriteOperation<T extends Document> = mongo.AnyBulkWriteOperation<T>;

/** A timeline event with the id that makes writing it twice write it once. */
export type QueuedEvent = TimelineEvent & { readonly id: string };

/** A channel's first confirmed delivery of an item's version, kept beyond the receipts' retention. */
export interface DeliveryRecord {
  readonly version: number;
  readonly at: Date;
  readonly ms: number;
  /** 1 on time, 0 late, -1 no deadline. */
  readonly onTime: -1 | 0 | 1;
}

/** What repair remembers of an open finding. */
export interface RepairRecord {
  readonly id: string;
  readonly kind: string;
  readonly expectedVersion: number;
  readonly firstSeenAt: Date;
  readonly attempts: number;
  readonly nextRepairAt: Date;
}

export interface ChannelRecord {
  readonly name: string;
  readonly joinedAt: Date;
}

/** One per item: first deliveries per channel, and the item's timeline. */
export interface ItemDocument {
  _id: string;
  /** The newest version whose publication is on the timeline. */
  v?: number;
  d?: Record<string, { v: number; at: Date; ms: number; ok: -1 | 0 | 1 }>;
  events?: {
    id?: string;
    at: Date;
    type: string;
    channel?: string;
    version?: number;
    detail: string;
  }[];
}

export type ProblemDocument = Omit<Problem, "id"> & { _id: string };

export function itemUpdate(
  id: string,
  entry: { v?: number; d: Map<string, DeliveryRecord> } | undefined,
  events: ReadonlyMap<string, QueuedEvent> | undefined,
): AnyBulkWriteOperation<Document> {
  const set: Record<string, unknown> = {};
  if (entry?.v !== undefined) set.v = entry.v;
  for (const [channel, r] of entry?.d ?? []) {
    set[`d.${channel}`] = { v: r.version, at: r.at, ms: r.ms, ok: r.onTime };
  }
  const update: Record<string, unknown> = {};
  if (Object.keys(set).length > 0) update.$set = set;
  // A set, not a push: a write retried after a partial failure adds each event once.
  if (events?.size)
    update.$addToSet = { events: { $each: [...events.values()].map(eventDocument) } };
  return {
    updateOne: {
      filter: { _id: id },
      update,
      upsert: true,
    },
  };
}

export function withoutId({ at, type, channel, version, detail }: QueuedEvent): TimelineEvent {
  return { at, type, ...(channel ? { channel } : {}), ...(version ? { version } : {}), detail };
}

function eventDocument(e: QueuedEvent): mongo.Document {
  return {
    id: e.id,
    at: e.at,
    type: e.type,
    ...(e.channel ? { channel: e.channel } : {}),
    ...(e.version ? { version: e.version } : {}),
    detail: e.detail,
  };
}

export function repairDocument(r: RepairRecord): Document {
  return {
    _id: r.id,
    kind: r.kind,
    expectedVersion: r.expectedVersion,
    firstSeenAt: r.firstSeenAt,
    attempts: r.attempts,
    nextRepairAt: r.nextRepairAt,
  };
}

export function problemDocument(p: Problem): Document {
  const actions: ProblemAction[] = p.actions.map((a) => ({
    action: a.action,
    by: a.by,
    at: a.at,
    ...(a.note ? { note: a.note } : {}),
  }));
  return {
    _id: p.id,
    itemId: p.itemId,
    channel: p.channel,
    state: p.state,
    finding: stripUndefined(p.finding),
    openedAt: p.openedAt,
    actions,
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
