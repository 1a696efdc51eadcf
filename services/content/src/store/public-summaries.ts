import { type ItemRecord, latestDisclosed } from "../domain/item";
import { type HeadDoc, type ItemStore, type OutboxMarker, publicQuery } from "./item-store";

/** An item's newest public version, without its content. */
export interface PublicSummary {
  id: string;
  version: number;
  checksum: string;
  /** When the version was made. */
  at: Date;
}

const SUMMARY_FIELDS = { _id: 1, publicVersion: 1, publicAt: 1, publicChecksum: 1 } as const;
type SummaryDoc = Pick<HeadDoc, "_id" | "publicVersion" | "publicAt" | "publicChecksum">;

/**
 * Reads of what is public and what waits to be sent, without the items' content:
 * the heads projected to a few fields, and the outbox (short by design).
 */
export class PublicSummaries {
  constructor(private readonly store: ItemStore) {}

  /** As `ItemStore.listPublic`, without the records. */
  async list(
    since: Date | undefined,
    after: { at: Date; id: string } | undefined,
    limit: number,
  ): Promise<PublicSummary[]> {
    const docs = await this.store.heads
      .find(publicQuery(since, after, []), SUMMARY_FIELDS)
      .sort({ publicAt: 1, _id: 1 })
      .limit(limit)
      .lean<SummaryDoc[]>();
    return Promise.all(docs.map((d) => this.summaryOf(d)));
  }

  /** An item's newest public version; undefined when it has none. */
  async of(itemId: string): Promise<PublicSummary | undefined> {
    const doc = await this.store.heads.findById(itemId, SUMMARY_FIELDS).lean<SummaryDoc>();
    if (!doc) {
      // A head not written yet (its writer died): the journal has the record.
      const record = await this.store.find(itemId);
      return record ? summaryOfRecord(record) : undefined;
    }
    return doc.publicVersion > 0 ? this.summaryOf(doc) : undefined;
  }

  private async summaryOf(doc: SummaryDoc): Promise<PublicSummary> {
    if (doc.publicChecksum && doc.publicAt) {
      return {
        id: doc._id,
        version: doc.publicVersion,
        checksum: doc.publicChecksum,
        at: doc.publicAt,
      };
    }
    // A head written before heads carried the checksum: read the record once.
    return summaryOfRecord(await this.store.get(doc._id))!;
  }

  /** The items with outbox markers, each with its oldest marker's time. */
  async queued(): Promise<Map<string, Date>> {
    const docs = await this.store.outbox
      .find({}, { itemId: 1, at: 1 })
      .lean<Array<Pick<OutboxMarker, "itemId" | "at">>>();
    const queued = new Map<string, Date>();
    for (const { itemId, at } of docs) {
      const known = queued.get(itemId);
      if (!known || at < known) queued.set(itemId, at);
    }
    return queued;
  }

  /** When the item's oldest outbox marker was written, if it has one. */
  async queuedSince(itemId: string): Promise<Date | undefined> {
    const docs = await this.store.outbox
      .find({ itemId }, { at: 1 })
      .lean<Array<Pick<OutboxMarker, "at">>>();
    return docs.map((d) => d.at).sort((a, b) => a.getTime() - b.getTime())[0];
  }
}

function summaryOfRecord(record: ItemRecord): PublicSummary | undefined {
  const version = latestDisclosed(record);
  if (!version) return undefined;
  return {
    id: record.id,
    version: version.version,
    checksum: version.checksum ?? "",
    at: version.at,
  };
}
