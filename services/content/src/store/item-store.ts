import { isDate } from "../domain/clone";
import { type Connection, type Model, Schema } from "mongoose";
import { ConflictError, NotFoundError } from "../domain/errors";
import { displayStatus, currentVersion, type ItemRecord, type Kind } from "../domain/item";

/**
 * Where items live. Two collections:
 *
 * - `item_revisions` is insert-only: one document per revision, `_id` =
 *   `<item id>#<revision>`, holding the whole record as of that revision and the
 *   events it announces. Inserting it is the one atomic step of every change: it
 *   claims the revision (a unique `_id`, the only compare-and-set FerretDB has,
 *   DESIGN §6), stores the state and stores its outbox events, together or not
 *   at all. A second writer of the same revision gets a duplicate-key error.
 * - `items` holds the latest record of each item (the head), for reads and
 *   listings. It is written after the revision; if a writer dies in between, the
 *   head lags, and readers and the relay roll it forward from the journal.
 */

/** An event waiting in the outbox: the encoded ItemState of one version. */
export interface OutboxEvent {
  version: number;
  payload: Buffer;
}

export interface RevisionDoc {
  _id: string;
  itemId: string;
  revision: number;
  at: Date;
  record: ItemRecord;
  events: OutboxEvent[];
  /** True until the relay has produced the events and rolled the head forward. */
  pending: boolean;
}

export interface HeadDoc {
  _id: string;
  revision: number;
  kind: Kind;
  status: string;
  title: string;
  disclosure: string;
  updatedAt: Date;
  /** The latest disclosed version and when it was made: what ListItems serves. */
  publicVersion: number;
  publicAt: Date | null;
  nextDueAt: Date | null;
  reviewDueAt: Date | null;
  record: ItemRecord;
}

export function revisionId(itemId: string, revision: number): string {
  return `${itemId}#${revision}`;
}

/** BSON has no `undefined`: drop it instead of storing null, so optional fields stay absent. */
function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropUndefined) as T;
  if (value && typeof value === "object" && !isDate(value) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v);
    return out as T;
  }
  return value;
}

/** Stored nulls of optional fields read back as absent. */
function dropNull<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropNull) as T;
  if (value && typeof value === "object" && !isDate(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null && k !== "draft" && k !== "reviewDueAt" && k !== "nextDueAt") continue;
      out[k] = dropNull(v);
    }
    return out as T;
  }
  return value;
}

function toBuffer(payload: unknown): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  const binary = payload as { buffer?: Uint8Array };
  if (binary.buffer instanceof Uint8Array) return Buffer.from(binary.buffer);
  throw new TypeError("outbox payload is not binary");
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number }).code === 11000;
}

function headOf(record: ItemRecord): HeadDoc {
  const disclosed = [...record.versions].reverse().find((v) => v.disclosed);
  return {
    _id: record.id,
    revision: record.revision,
    kind: record.kind,
    status: displayStatus(record),
    title: record.draft?.fields.title ?? currentVersion(record)?.fields.title ?? "",
    disclosure: record.draft?.fields.disclosure ?? currentVersion(record)?.fields.disclosure ?? "",
    updatedAt: record.updatedAt,
    publicVersion: disclosed?.version ?? 0,
    publicAt: disclosed?.at ?? null,
    nextDueAt: record.nextDueAt,
    reviewDueAt: record.reviewDueAt,
    record,
  };
}

export interface ListFilter {
  status?: string;
  kind?: Kind;
  disclosure?: string;
  /** Case-insensitive substring of the title. */
  q?: string;
  offset: number;
  limit: number;
}

export class ItemStore {
  readonly heads: Model<HeadDoc>;
  readonly revisions: Model<RevisionDoc>;

  constructor(connection: Connection) {
    const options = { versionKey: false as const, minimize: false, strict: true };
    this.heads = connection.model<HeadDoc>(
      "Item",
      new Schema<HeadDoc>(
        {
          _id: String,
          revision: Number,
          kind: String,
          status: String,
          title: String,
          disclosure: String,
          updatedAt: Date,
          publicVersion: Number,
          publicAt: Date,
          nextDueAt: Date,
          reviewDueAt: Date,
          record: Schema.Types.Mixed,
        },
        { ...options, collection: "items" },
      ),
    );
    this.revisions = connection.model<RevisionDoc>(
      "ItemRevision",
      new Schema<RevisionDoc>(
        {
          _id: String,
          itemId: String,
          revision: Number,
          at: Date,
          record: Schema.Types.Mixed,
          events: [{ _id: false, version: Number, payload: Buffer }],
          pending: Boolean,
        },
        { ...options, collection: "item_revisions" },
      ),
    );
  }

  /** Indexes for MongoDB; FerretDB accepts and ignores what it cannot use. */
  async init(): Promise<void> {
    await this.heads.createIndexes();
    await this.heads.collection.createIndex({ nextDueAt: 1 });
    await this.heads.collection.createIndex({ reviewDueAt: 1 });
    await this.heads.collection.createIndex({ publicAt: 1, _id: 1 });
    await this.revisions.collection.createIndex({ pending: 1 });
  }

  private async readRevision(itemId: string, revision: number): Promise<ItemRecord | undefined> {
    const doc = await this.revisions.findById(revisionId(itemId, revision)).lean<RevisionDoc>();
    return doc ? dropNull(doc.record) : undefined;
  }

  /**
   * The latest record of an item: the head, rolled forward over any revision a
   * writer stored but did not get to copy into the head.
   */
  async find(itemId: string): Promise<ItemRecord | undefined> {
    const head = await this.heads.findById(itemId).lean<HeadDoc>();
    let record = head ? dropNull(head.record) : await this.readRevision(itemId, 1);
    if (!record) return undefined;
    let rolled = !head;
    for (;;) {
      const later = await this.readRevision(itemId, record.revision + 1);
      if (!later) break;
      record = later;
      rolled = true;
    }
    if (rolled) await this.writeHead(record);
    return record;
  }

  async get(itemId: string): Promise<ItemRecord> {
    const record = await this.find(itemId);
    if (!record) throw new NotFoundError(itemId);
    return record;
  }

  /**
   * Stores a new revision with its events. Throws ConflictError when another
   * writer already claimed this revision: the caller read a record that is no
   * longer the latest.
   */
  async commit(record: ItemRecord, events: OutboxEvent[]): Promise<void> {
    const doc: RevisionDoc = {
      _id: revisionId(record.id, record.revision),
      itemId: record.id,
      revision: record.revision,
      at: record.updatedAt,
      record: dropUndefined(record),
      events,
      pending: true,
    };
    try {
      await this.revisions.collection.insertOne(doc as never);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new ConflictError(
          record.revision === 1
            ? `an item with id ${JSON.stringify(record.id)} already exists`
            : `item ${record.id} was changed by someone else at the same moment (revision ${record.revision} is taken); reload it and try again`,
          record.revision - 1,
        );
      }
      throw error;
    }
    await this.writeHead(record);
  }

  /**
   * Copies a record into the head unless the head is already at that revision or
   * later. On MongoDB the filter makes this exact; on FerretDB a racing older
   * write can still land, which readers repair by rolling forward.
   */
  async writeHead(record: ItemRecord): Promise<void> {
    const head = dropUndefined(headOf(record));
    try {
      await this.heads.collection.replaceOne(
        { _id: record.id, revision: { $lt: record.revision } } as never,
        head,
        { upsert: true },
      );
    } catch (error) {
      // The upsert collides with a head that is already newer: nothing to do.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async list(filter: ListFilter): Promise<{ items: ItemRecord[]; total: number }> {
    const query: Record<string, unknown> = {};
    if (filter.status) query.status = filter.status;
    if (filter.kind) query.kind = filter.kind;
    if (filter.disclosure) query.disclosure = filter.disclosure;
    if (filter.q) {
      query.title = { $regex: filter.q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), $options: "i" };
    }
    const [docs, total] = await Promise.all([
      this.heads
        .find(query)
        .sort({ updatedAt: -1, _id: 1 })
        .skip(filter.offset)
        .limit(filter.limit)
        .lean<HeadDoc[]>(),
      this.heads.countDocuments(query),
    ]);
    return { items: docs.map((d) => dropNull(d.record)), total };
  }

  /** Items whose scheduled publication or expiry is due. */
  async due(now: Date, limit: number): Promise<string[]> {
    const docs = await this.heads
      .find({ nextDueAt: { $lte: now } }, { _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: string }>>();
    return docs.map((d) => d._id);
  }

  /** Undisclosed items whose review is due by `before`. */
  async reviewsDue(before: Date, offset: number, limit: number): Promise<ItemRecord[]> {
    const docs = await this.heads
      .find({ reviewDueAt: { $lte: before } })
      .sort({ reviewDueAt: 1, _id: 1 })
      .skip(offset)
      .limit(limit)
      .lean<HeadDoc[]>();
    return docs.map((d) => dropNull(d.record));
  }

  /** Disclosed items in order of their last public change, for catching up. */
  async listPublic(
    since: Date | undefined,
    after: { at: Date; id: string } | undefined,
    limit: number,
    kinds: Kind[],
  ): Promise<ItemRecord[]> {
    const query: Record<string, unknown> = { publicVersion: { $gt: 0 } };
    if (kinds.length) query.kind = { $in: kinds };
    const conditions: Record<string, unknown>[] = [];
    if (since) conditions.push({ publicAt: { $gte: since } });
    if (after) {
      conditions.push({
        $or: [{ publicAt: { $gt: after.at } }, { publicAt: after.at, _id: { $gt: after.id } }],
      });
    }
    if (conditions.length) query.$and = conditions;
    const docs = await this.heads
      .find(query)
      .sort({ publicAt: 1, _id: 1 })
      .limit(limit)
      .lean<HeadDoc[]>();
    return docs.map((d) => dropNull(d.record));
  }

  /** Revisions whose events are not yet on the topic (or whose head may lag), oldest first per item. */
  async pending(limit: number): Promise<RevisionDoc[]> {
    const docs = await this.revisions.find({ pending: true }).limit(limit).lean<RevisionDoc[]>();
    return docs
      .map((d) => ({
        ...d,
        record: dropNull(d.record),
        events: d.events.map((e) => ({ version: e.version, payload: toBuffer(e.payload) })),
      }))
      .sort((a, b) => a.itemId.localeCompare(b.itemId) || a.revision - b.revision);
  }

  async pendingById(ids: string[]): Promise<RevisionDoc[]> {
    const docs = await this.revisions
      .find({ _id: { $in: ids }, pending: true })
      .lean<RevisionDoc[]>();
    return docs.map((d) => ({
      ...d,
      record: dropNull(d.record),
      events: d.events.map((e) => ({ version: e.version, payload: toBuffer(e.payload) })),
    }));
  }

  async markDone(ids: string[]): Promise<void> {
    if (ids.length)
      await this.revisions.updateMany({ _id: { $in: ids } }, { $set: { pending: false } });
  }
}
