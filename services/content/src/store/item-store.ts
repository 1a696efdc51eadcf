import { type Connection, type Model, Schema } from "mongoose";
import { ConflictError, NotFoundError } from "../domain/errors";
import {
  currentVersion,
  displayStatus,
  type ItemRecord,
  type Kind,
  latestDisclosed,
} from "../domain/item";
import { dropUndefined } from "../domain/clone";
import { isDuplicateKey, readRecord } from "./record-codec";

/**
 * Where items live. Three collections:
 *
 * - `item_revisions` is insert-only: one document per revision, `_id` =
 *   `<item id>#<revision>`, holding the whole record as of that revision,
 *   including any version it made public (the event it announces). Inserting it
 *   is the one atomic step of every change: it claims the revision (a unique
 *   `_id`, the only compare-and-set FerretDB has, DESIGN §6) and stores the state
 *   and its event together or not at all. A second writer of the same revision
 *   gets a duplicate-key error.
 * - `items` holds the latest record of each item (the head), for reads and
 *   listings. It is written after the revision; if a writer dies in between, the
 *   head lags, and readers roll it forward from the journal.
 * - `outbox` holds one small marker per revision that announces a version,
 *   written *before* the revision, so an announced version always has a marker.
 *   The relay reads this short collection rather than scan the journal.
 */

export interface RevisionDoc {
  _id: string;
  itemId: string;
  revision: number;
  at: Date;
  record: ItemRecord;
  /** The versions this revision made public: its outbox events. */
  announces: number[];
}

/** Says that an item's newest public state must be sent. */
export interface OutboxMarker {
  /** The revision that announces a version: `<item id>#<revision>`. */
  _id: string;
  itemId: string;
  revision: number;
  at: Date;
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
  /** The checksum of that version, so announcements are listed without reading records. */
  publicChecksum: string;
  nextDueAt: Date | null;
  reviewDueAt: Date | null;
  record: ItemRecord;
}

/** How long a writer may take between its outbox marker and its revision before refreshing the marker. */
export const MARKER_REFRESH_MS = 30_000;

export function revisionId(itemId: string, revision: number): string {
  return `${itemId}#${revision}`;
}

function headOf(record: ItemRecord): HeadDoc {
  const disclosed = latestDisclosed(record);
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
    publicChecksum: disclosed?.checksum ?? "",
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
  readonly outbox: Model<OutboxMarker>;

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
          publicChecksum: String,
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
          announces: [Number],
        },
        { ...options, collection: "item_revisions" },
      ),
    );
    this.outbox = connection.model<OutboxMarker>(
      "OutboxMarker",
      new Schema<OutboxMarker>(
        { _id: String, itemId: String, revision: Number, at: Date },
        { ...options, collection: "outbox" },
      ),
    );
  }

  /** Indexes for MongoDB; FerretDB accepts and ignores what it cannot use. */
  async init(): Promise<void> {
    await this.heads.createIndexes();
    await this.heads.collection.createIndex({ nextDueAt: 1 });
    await this.heads.collection.createIndex({ reviewDueAt: 1 });
    await this.heads.collection.createIndex({ publicAt: 1, _id: 1 });
  }

  private async readRevision(itemId: string, revision: number): Promise<ItemRecord | undefined> {
    const doc = await this.revisions.findById(revisionId(itemId, revision)).lean<RevisionDoc>();
    return doc ? readRecord(doc.record) : undefined;
  }

  /**
   * The latest record of an item: the head, rolled forward over any revision a
   * writer stored but did not get to copy into the head.
   */
  async find(itemId: string): Promise<ItemRecord | undefined> {
    const head = await this.heads.findById(itemId).lean<HeadDoc>();
    let record = head ? readRecord(head.record) : await this.readRevision(itemId, 1);
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
   * Stores a new revision. Throws ConflictError when another writer already
   * claimed this revision: the caller read a record that is no longer the latest.
   * A revision that announces versions gets its outbox marker first.
   */
  async commit(record: ItemRecord, announces: number[]): Promise<void> {
    const id = revisionId(record.id, record.revision);
    const marker: OutboxMarker = {
      _id: id,
      itemId: record.id,
      revision: record.revision,
      at: new Date(),
    };
    if (announces.length > 0) await this.mark(marker);
    const doc: RevisionDoc = {
      _id: id,
      itemId: record.id,
      revision: record.revision,
      at: record.updatedAt,
      record: dropUndefined(record),
      announces,
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
    // A marker older than the relay's patience would be taken for an abandoned write.
    if (announces.length > 0 && Date.now() - marker.at.getTime() > MARKER_REFRESH_MS) {
      await this.outbox.replaceOne({ _id: id }, { ...marker, at: new Date() }, { upsert: true });
    }
    await this.writeHead(record);
  }

  private async mark(marker: OutboxMarker): Promise<void> {
    try {
      await this.outbox.collection.insertOne(marker as never);
    } catch (error) {
      // Another writer of the same revision marked it: one marker is enough.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Marks an item's latest revision for the relay again: its newest public state is sent once more. */
  async requeue(record: ItemRecord): Promise<void> {
    await this.mark({
      _id: revisionId(record.id, record.revision),
      itemId: record.id,
      revision: record.revision,
      at: new Date(),
    });
  }

  /** Outbox markers, oldest first. */
  async markers(limit: number): Promise<OutboxMarker[]> {
    const docs = await this.outbox.find().limit(limit).lean<OutboxMarker[]>();
    return docs.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  async unmark(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.outbox.deleteMany({ _id: { $in: ids } });
  }

  /**
   * Copies a record into the head. Filtering on `_id` alone keeps it a keyed
   * write on FerretDB; a racing older write can land after a newer one, which
   * readers repair by rolling forward.
   */
  async writeHead(record: ItemRecord): Promise<void> {
    const head = dropUndefined(headOf(record));
    try {
      await this.heads.collection.replaceOne({ _id: record.id } as never, head, { upsert: true });
    } catch (error) {
      // FerretDB upserts are not atomic: a racing writer inserted the head first.
      if (!isDuplicateKey(error)) throw error;
      await this.heads.collection.replaceOne({ _id: record.id } as never, head);
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
    return { items: docs.map((d) => readRecord(d.record)), total };
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
    return docs.map((d) => readRecord(d.record));
  }

  /** Disclosed items in order of their last public change, for catching up. */
  async listPublic(
    since: Date | undefined,
    after: { at: Date; id: string } | undefined,
    limit: number,
    kinds: Kind[],
  ): Promise<ItemRecord[]> {
    const docs = await this.heads
      .find(publicQuery(since, after, kinds))
      .sort({ publicAt: 1, _id: 1 })
      .limit(limit)
      .lean<HeadDoc[]>();
    return docs.map((d) => readRecord(d.record));
  }
}

/** The filter of ListItems: disclosed items, changed since, after a page's last. */
export function publicQuery(
  since: Date | undefined,
  after: { at: Date; id: string } | undefined,
  kinds: Kind[],
): Record<string, unknown> {
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
  return query;
}
