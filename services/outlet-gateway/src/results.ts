import type { Logger } from "@herald/runtime";
import type { mongo } from "mongoose";

/** What the gateway last recorded for one item of one outlet: the outlet's holdings as it knows them. */
export interface RecordedResult {
  readonly itemId: string;
  readonly version: number;
  /** "delivered" | "removed" | "declined" | "rejected". */
  readonly outcome: "delivered" | "removed" | "declined" | "rejected";
  readonly checksum: string;
  readonly externalRef: string;
  readonly at: Date;
}

interface ResultDocument {
  _id: string;
  version: number;
  outcome: RecordedResult["outcome"];
  checksum: string;
  externalRef: string;
  at: Date;
}

/** FerretDB hangs on a command with 100 or more updates of existing documents: 50 per command. */
const BULK_LIMIT = 50;

/**
 * One outlet's recorded results, in a collection of its own (`results.<name>`),
 * keyed by item id, so loading an outlet's records reads only its own documents.
 * Writes go through one queue, batched at most 50 to a command (FerretDB has one
 * writer; more concurrency only queues there).
 */
export class OutletResults {
  private readonly known = new Map<string, RecordedResult>();
  private queue: { result: RecordedResult; done: () => void; fail: (e: Error) => void }[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly db: mongo.Db,
    readonly outlet: string,
    private readonly logger: Logger,
  ) {}

  private get collection() {
    return this.db.collection<ResultDocument>(`results.${this.outlet}`);
  }

  /** Reads every record of the outlet (at start, and after a rebalance gives this gateway other partitions). */
  async load(): Promise<number> {
    const docs = await this.collection.find({}).toArray();
    this.known.clear();
    for (const d of docs) {
      this.known.set(d._id, {
        itemId: d._id,
        version: d.version,
        outcome: d.outcome,
        checksum: d.checksum,
        externalRef: d.externalRef,
        at: d.at,
      });
    }
    return docs.length;
  }

  get(itemId: string): RecordedResult | undefined {
    return this.known.get(itemId);
  }

  /** Whether the gateway's records say the outlet holds the item (it applied some version and has not removed it). */
  holds(itemId: string): boolean {
    return this.known.get(itemId)?.outcome === "delivered";
  }

  /** Records a result; resolves once it is in the database. */
  record(result: RecordedResult): Promise<void> {
    const previous = this.known.get(result.itemId);
    if (!previous || previous.version <= result.version) this.known.set(result.itemId, result);
    return new Promise<void>((done, fail) => {
      this.queue.push({ result, done, fail });
      this.writing ??= this.drain().finally(() => (this.writing = undefined));
    });
  }

  /** Resolves once everything recorded so far is written. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BULK_LIMIT);
      // The newest per item within the batch: one update per document in a command.
      const newest = new Map<string, RecordedResult>();
      for (const { result } of batch) {
        const seen = newest.get(result.itemId);
        if (!seen || seen.version <= result.version) newest.set(result.itemId, result);
      }
      try {
        await this.collection.bulkWrite(
          [...newest.values()].map((r) => ({
            replaceOne: {
              filter: { _id: r.itemId },
              replacement: {
                version: r.version,
                outcome: r.outcome,
                checksum: r.checksum,
                externalRef: r.externalRef,
                at: r.at,
              },
              upsert: true,
            },
          })),
          { ordered: false },
        );
        for (const entry of batch) entry.done();
      } catch (error) {
        this.logger.error({ err: error, outlet: this.outlet }, "could not record results");
        for (const entry of batch) entry.fail(error as Error);
      }
    }
  }
}
