import { setImmediate } from "node:timers/promises";
import { ItemState, ItemStatus } from "@herald/contracts";
import type { Connection } from "mongoose";
import type { Decline } from "./policy";

/** Holdings per batch of the start-up read. */
const LOAD_BATCH = 1000;
/** Holdings decoded between two yields to the event loop during that read. */
const LOAD_SLICE = 100;

/**
 * What the channel shows of an item: `held` (some version is on the channel),
 * `removed` (taken off after a takedown), `declined` (the channel does not take
 * it), `absent` (never applied, e.g. every attempt failed).
 */
export type HoldingStatus = "held" | "removed" | "declined" | "absent";

/** The last failure of an item on this channel, kept until a later version succeeds. */
export interface HoldingFailure {
  readonly version: number;
  readonly code: string;
  readonly message: string;
  /** True when the channel refused the version for good (it went to the DLQ). */
  readonly permanent: boolean;
  readonly attempts: number;
  readonly at: Date;
}

/** One item as this channel holds it. */
export interface Holding {
  readonly itemId: string;
  /** The version of the last outcome (held, removed or declined); 0 when none. */
  readonly version: number;
  readonly checksum: string;
  readonly externalRef: string;
  readonly status: HoldingStatus;
  /** The item's status in the held version (RETRACTED for a withdrawn notice). */
  readonly itemStatus: ItemStatus;
  readonly appliedAt: Date;
  /** How many versions were applied to the channel in all: a replay never adds one. */
  readonly applies: number;
  readonly decline?: Decline;
  readonly failure?: HoldingFailure;
}

interface HoldingDocument {
  _id: string;
  version: number;
  checksum: string;
  externalRef: string;
  status: HoldingStatus;
  itemStatus: ItemStatus;
  appliedAt: Date;
  applies: number;
  decline?: Decline;
  failure?: HoldingFailure;
  /** The applied ItemState, protobuf-encoded, for channels that keep their content here. */
  state?: Buffer | Uint8Array | { buffer: Uint8Array };
}

function toHolding(doc: HoldingDocument): Holding {
  return {
    itemId: doc._id,
    version: doc.version,
    checksum: doc.checksum,
    externalRef: doc.externalRef,
    status: doc.status,
    itemStatus: doc.itemStatus,
    appliedAt: doc.appliedAt,
    applies: doc.applies,
    ...(doc.decline ? { decline: { code: doc.decline.code, reason: doc.decline.reason } } : {}),
    ...(doc.failure ? { failure: doc.failure } : {}),
  };
}

/** Item id order, as ListHoldings pages it (UTF-16 code units, as JavaScript compares strings). */
function byItemId(a: Holding, b: Holding): number {
  return a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0;
}

function stateBytes(value: HoldingDocument["state"]): Uint8Array | undefined {
  if (!value) return undefined;
  if (value instanceof Uint8Array) return value;
  return value.buffer; // a BSON Binary
}

export function decodeStoredState(doc: {
  state?: HoldingDocument["state"];
}): ItemState | undefined {
  const bytes = stateBytes(doc.state);
  return bytes ? ItemState.decode(bytes) : undefined;
}

/**
 * The channel's holdings, in its own database: collection `holdings`, `_id` =
 * item id. Every instance keeps the whole collection in memory (it is small, and
 * FerretDB on SQLite pushes down only `_id` filters, so listing or scanning it per
 * request would not scale); the runtime is the only writer of an item, so its
 * cache is exact for the items whose partitions it owns. `invalidate()` marks the
 * rest for a re-read after a rebalance. The inventory alone reads past the cache
 * (`scanDatabase()`, once per audit), since it must report what is stored.
 */
export class HoldingStore {
  private readonly cache = new Map<string, Holding>();
  /** Items written or re-read since the last rebalance. */
  private verified = new Set<string>();
  private sortedCache: Holding[] | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly storeStates: boolean,
  ) {}

  private get collection() {
    return this.connection.db!.collection<HoldingDocument>("holdings");
  }

  /** Loads every holding; `each` sees it with its stored state. Returns how many. */
  async loadAll(each?: (holding: Holding, state: ItemState | undefined) => void): Promise<number> {
    let count = 0;
    const projection = this.storeStates ? {} : { state: 0 };
    const cursor = this.collection.find({}, { projection, batchSize: LOAD_BATCH });
    try {
      // Each batch is taken out of the cursor and the next one asked for before this
      // one is decoded, so the database reads while this process decodes: reading
      // 100,000 portal holdings alone takes FerretDB about 17 s, which a cursor read
      // one batch at a time added to the decoding instead of overlapping it.
      let more = await cursor.hasNext();
      while (more) {
        const docs = cursor.readBufferedDocuments();
        const next = cursor.hasNext();
        next.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
        for (let from = 0; from < docs.length; from += LOAD_SLICE) {
          // Yield between slices: the request for the next batch goes out, and
          // health checks and the consumer's heartbeats are answered.
          await setImmediate();
          for (const doc of docs.slice(from, from + LOAD_SLICE)) {
            const holding = toHolding(doc);
            this.cache.set(holding.itemId, holding);
            this.verified.add(holding.itemId);
            each?.(holding, this.storeStates ? decodeStoredState(doc) : undefined);
            count += 1;
          }
        }
        this.sortedCache = undefined;
        more = await next;
      }
    } finally {
      await cursor.close();
    }
    return count;
  }

  /** After a rebalance: items this instance did not write may have changed elsewhere. */
  invalidate(): void {
    this.verified = new Set();
  }

  /** The holding as the database has it, read again once after each rebalance. */
  async get(itemId: string): Promise<Holding | undefined> {
    if (this.verified.has(itemId)) return this.cache.get(itemId);
    const doc = await this.collection.findOne({ _id: itemId }, { projection: { state: 0 } });
    const holding = doc ? toHolding(doc) : undefined;
    if (holding) this.cache.set(itemId, holding);
    else this.cache.delete(itemId);
    this.sortedCache = undefined;
    this.verified.add(itemId);
    return holding;
  }

  /**
   * The holding as the database has it now, read by `_id` whatever the cache says (a
   * redelivery must see a holding deleted behind the runtime's back); the cache follows.
   */
  async reread(itemId: string): Promise<Holding | undefined> {
    this.verified.delete(itemId);
    return this.get(itemId);
  }

  /** The last known holding without touching the database. */
  peek(itemId: string): Holding | undefined {
    return this.cache.get(itemId);
  }

  /** Re-reads one item another instance wrote; returns it with its stored state. */
  async refresh(
    itemId: string,
  ): Promise<{ holding: Holding; state: ItemState | undefined } | undefined> {
    const doc = await this.collection.findOne({ _id: itemId });
    if (!doc) {
      this.cache.delete(itemId);
      this.sortedCache = undefined;
      return undefined;
    }
    const holding = toHolding(doc);
    const cached = this.cache.get(itemId);
    if (!cached || cached.version <= holding.version) {
      this.cache.set(itemId, holding);
      this.sortedCache = undefined;
    }
    return { holding, state: this.storeStates ? decodeStoredState(doc) : undefined };
  }

  /** Writes one holding in a single document replace: the holding and its state land together. */
  async save(holding: Holding, state?: ItemState): Promise<void> {
    const doc: HoldingDocument = {
      _id: holding.itemId,
      version: holding.version,
      checksum: holding.checksum,
      externalRef: holding.externalRef,
      status: holding.status,
      itemStatus: holding.itemStatus,
      appliedAt: holding.appliedAt,
      applies: holding.applies,
      ...(holding.decline ? { decline: holding.decline } : {}),
      ...(holding.failure ? { failure: holding.failure } : {}),
      ...(this.storeStates && state
        ? { state: Buffer.from(ItemState.encode(state).finish()) }
        : {}),
    };
    await this.collection.replaceOne({ _id: holding.itemId }, doc, { upsert: true });
    this.cache.set(holding.itemId, holding);
    this.verified.add(holding.itemId);
    this.sortedCache = undefined;
  }

  /**
   * Every holding this instance knows, in item id order. The sorted list is kept
   * until the next write, so an audit paging through 100,000 holdings sorts once.
   */
  sorted(): readonly Holding[] {
    this.sortedCache ??= [...this.cache.values()].sort(byItemId);
    return this.sortedCache;
  }

  /**
   * Every holding as the database has it now, in item id order: one scan of the
   * collection, without stored states, bypassing the cache. What an audit must
   * see, so that a holding deleted or altered behind the runtime's back shows.
   * Sorted here rather than by the database, whose string order (UTF-8 bytes)
   * differs from JavaScript's, which the page tokens rely on.
   */
  async scanDatabase(): Promise<Holding[]> {
    const holdings: Holding[] = [];
    for await (const doc of this.collection.find({}, { projection: { state: 0 } })) {
      holdings.push(toHolding(doc));
    }
    return holdings.sort(byItemId);
  }

  counts(): Record<HoldingStatus, number> {
    const counts: Record<HoldingStatus, number> = { held: 0, removed: 0, declined: 0, absent: 0 };
    for (const h of this.cache.values()) counts[h.status] += 1;
    return counts;
  }
}

/** A holding for an item the channel has never applied. */
export function absentHolding(itemId: string): Holding {
  return {
    itemId,
    version: 0,
    checksum: "",
    externalRef: "",
    status: "absent",
    itemStatus: ItemStatus.ITEM_STATUS_UNSPECIFIED,
    appliedAt: new Date(0),
    applies: 0,
  };
}
