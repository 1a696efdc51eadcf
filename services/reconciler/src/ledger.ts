import { randomBytes } from "node:crypto";
import type { Logger } from "@herald/runtime";
import type { mongo } from "mongoose";
import {
  type AnyBulkWriteOperation,
  type ChannelRecord,
  type DeliveryRecord,
  type Document,
  type ItemDocument,
  type ProblemDocument,
  type QueuedEvent,
  type RepairRecord,
  itemUpdate,
  problemDocument,
  repairDocument,
  withoutId,
} from "./ledger-documents";
import type { Problem, TimelineEvent } from "./model";

export type { ChannelRecord, DeliveryRecord, RepairRecord } from "./ledger-documents";

/**
 * Updates per bulk write. FerretDB 1.24 keeps every statement's read open until
 * the whole command ends, and a database has 100 SQLite connections: a command of
 * 100 updates to existing documents waits for ever on the 101st connection.
 */
const WRITE_BATCH = 50;

type Db = mongo.Db;

export interface LedgerOptions {
  /**
   * Queued writes (item updates, timeline events, repairs, problems) at which
   * `hasRoom()` turns false: readers wait in `room()` until a flush drains them.
   */
  readonly maxPending?: number;
  /** Called before each command: throws when this instance may no longer write. */
  readonly fence?: () => Promise<void>;
}

/** What the ledger reports for metrics. */
export interface LedgerStats {
  readonly pending: number;
  readonly maxPending: number;
  /** Times a reader found the ledger full and waited. */
  readonly waits: number;
  readonly flushFailures: number;
}

const DEFAULT_MAX_PENDING = 20_000;

/**
 * The reconciler's own database. What Kafka gives back after a restart (the items,
 * recent receipts) is not stored here; what it cannot is: first deliveries and
 * their timing, open findings with their repair count, problems with every
 * operator action, channels' join times and each item's timeline. Writes are
 * queued and flushed together every few hundred milliseconds by the only writer,
 * the reconciler itself; keys are natural ids, so no write needs a compare-and-set.
 */
export class Ledger {
  private items = new Map<string, { v?: number; d: Map<string, DeliveryRecord> }>();
  /** Per item, queued events by id: an event queued twice (a receipt read again) is kept once. */
  private events = new Map<string, Map<string, QueuedEvent>>();
  private queuedEvents = 0;
  /** The events a flush is writing: still shown on timelines until they are stored. */
  private writing = new Map<string, Map<string, QueuedEvent>>();
  /**
   * Writes the flush in progress took, counted in `pending` until it ends: a refused
   * flush puts them back, so while one runs the readers must not fill the queue again.
   */
  private writingCount = 0;
  /** Distinguishes this instance's generated event ids from every other's. */
  private readonly nonce = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  private eventSeq = 0;
  private readonly maxPending: number;
  private waits = 0;
  private flushFailures = 0;
  private repairs = new Map<string, RepairRecord | null>();
  private problems = new Map<string, Problem>();
  private channels = new Map<string, ChannelRecord>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: LedgerOptions = {},
  ) {
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** Flushes queued writes every `intervalMs` until `stop()`. */
  start(intervalMs = 500): void {
    this.timer = setInterval(() => {
      // A long flush (a first audit of 100,000 items) is not joined by every tick.
      if (!this.flushing) void this.flush().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Writes queued or being written. */
  get pending(): number {
    return this.queued() + this.writingCount;
  }

  private queued(): number {
    return this.items.size + this.queuedEvents + this.repairs.size + this.problems.size;
  }

  /** False once `maxPending` writes are queued: readers of new evidence should wait in `room()`. */
  hasRoom(): boolean {
    return this.pending < this.maxPending;
  }

  /**
   * Resolves once fewer than `maxPending` writes are queued, flushing (and, while
   * the database refuses, retrying every `retryMs`) until then. `keepAlive` runs
   * while it waits (a consumer's heartbeat); `active` false gives up the wait.
   */
  async room(
    keepAlive: () => Promise<void> = () => Promise.resolve(),
    active: () => boolean = () => true,
    retryMs = 500,
  ): Promise<void> {
    if (this.hasRoom()) return;
    this.waits += 1;
    while (!this.hasRoom() && active()) {
      try {
        await this.flush();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
      await keepAlive();
    }
  }

  stats(): LedgerStats {
    return {
      pending: this.pending,
      maxPending: this.maxPending,
      waits: this.waits,
      flushFailures: this.flushFailures,
    };
  }

  recordPublished(itemId: string, version: number): void {
    this.item(itemId).v = version;
  }

  recordDelivery(itemId: string, channel: string, record: DeliveryRecord): void {
    this.item(itemId).d.set(channel, record);
  }

  /**
   * Queues a timeline event. `id` names it for good (a receipt's topic position,
   * a version's publication), so the same event from a replay is stored once;
   * without one it gets an id of this instance's own, which a retried write reuses.
   */
  appendEvent(itemId: string, event: TimelineEvent, id?: string): void {
    let queue = this.events.get(itemId);
    if (!queue) this.events.set(itemId, (queue = new Map<string, QueuedEvent>()));
    const key = id ?? `${this.nonce}.${(++this.eventSeq).toString(36)}`;
    if (!queue.has(key)) this.queuedEvents += 1;
    queue.set(key, { ...event, id: key });
  }

  saveRepair(record: RepairRecord): void {
    this.repairs.set(record.id, record);
  }

  deleteRepair(id: string): void {
    this.repairs.set(id, null);
  }

  saveProblem(problem: Problem): void {
    this.problems.set(problem.id, problem);
  }

  saveChannel(record: ChannelRecord): void {
    this.channels.set(record.name, record);
  }

  private item(itemId: string) {
    let entry = this.items.get(itemId);
    if (!entry) {
      entry = { d: new Map() };
      this.items.set(itemId, entry);
    }
    return entry;
  }

  /** Writes everything queued; concurrent callers share one flush. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending === 0 && this.channels.size === 0) return;
    this.flushing = this.writeQueued().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async writeQueued(): Promise<void> {
    const [items, events, repairs, problems, channels] = [
      this.items,
      this.events,
      this.repairs,
      this.problems,
      this.channels,
    ];
    this.writingCount = this.queued();
    this.items = new Map();
    this.events = new Map();
    this.writing = events;
    this.queuedEvents = 0;
    this.repairs = new Map();
    this.problems = new Map();
    this.channels = new Map();
    try {
      // One write per item: its deliveries and its new timeline events together.
      const ids = new Set([...items.keys(), ...events.keys()]);
      await this.write(
        "items",
        [...ids].map((id) => itemUpdate(id, items.get(id), events.get(id))),
      );
      await this.write(
        "repairs",
        [...repairs].map(([id, record]) =>
          record
            ? {
                replaceOne: {
                  filter: { _id: id },
                  replacement: repairDocument(record),
                  upsert: true,
                },
              }
            : { deleteOne: { filter: { _id: id } } },
        ),
      );
      await this.write(
        "problems",
        [...problems.values()].map((p) => ({
          replaceOne: { filter: { _id: p.id }, replacement: problemDocument(p), upsert: true },
        })),
      );
      await this.write(
        "channels",
        [...channels.values()].map((c) => ({
          replaceOne: {
            filter: { _id: c.name },
            replacement: { _id: c.name, joinedAt: c.joinedAt },
            upsert: true,
          },
        })),
      );
    } catch (error) {
      // Put back what was not written, behind anything queued since, and try again later.
      // Some commands may have been applied: writing them again changes nothing, since
      // $set and replaceOne are idempotent and events are added to a set by their id.
      this.flushFailures += 1;
      this.requeue(items, events, repairs, problems, channels);
      this.logger.warn({ err: error }, "could not write to the reconciler database; will retry");
      throw error;
    } finally {
      this.writing = new Map();
      this.writingCount = 0;
    }
  }

  private requeue(
    items: Ledger["items"],
    events: Ledger["events"],
    repairs: Ledger["repairs"],
    problems: Ledger["problems"],
    channels: Ledger["channels"],
  ): void {
    for (const [id, entry] of items) {
      const now = this.item(id);
      if (now.v === undefined && entry.v !== undefined) now.v = entry.v;
      for (const [ch, r] of entry.d) if (!now.d.has(ch)) now.d.set(ch, r);
    }
    for (const [id, queued] of events) {
      const since = this.events.get(id);
      const merged = new Map(queued);
      for (const [key, e] of since ?? []) merged.set(key, e);
      this.queuedEvents += merged.size - (since?.size ?? 0);
      this.events.set(id, merged);
    }
    for (const [id, r] of repairs) if (!this.repairs.has(id)) this.repairs.set(id, r);
    for (const [id, p] of problems) if (!this.problems.has(id)) this.problems.set(id, p);
    for (const [id, c] of channels) if (!this.channels.has(id)) this.channels.set(id, c);
  }

  private async write(collection: string, ops: AnyBulkWriteOperation<Document>[]): Promise<void> {
    for (let i = 0; i < ops.length; i += WRITE_BATCH) {
      await this.options.fence?.();
      await this.db
        .collection<Document>(collection)
        .bulkWrite(ops.slice(i, i + WRITE_BATCH), { ordered: true });
    }
  }

  // Reads, at start-up and for the timeline page.

  async loadDeliveries(
    each: (
      itemId: string,
      publishedVersion: number,
      deliveries: Map<string, DeliveryRecord>,
    ) => void,
  ): Promise<number> {
    let count = 0;
    const items = this.db.collection<ItemDocument>("items");
    for await (const doc of items.find({}, { projection: { events: 0 } })) {
      const deliveries = new Map<string, DeliveryRecord>();
      for (const [channel, d] of Object.entries(doc.d ?? {})) {
        deliveries.set(channel, { version: d.v, at: d.at, ms: d.ms, onTime: d.ok });
      }
      each(doc._id, doc.v ?? 0, deliveries);
      count += 1;
    }
    return count;
  }

  async loadRepairs(): Promise<RepairRecord[]> {
    const docs = await this.db.collection<Document>("repairs").find({}).toArray();
    return docs.map((d) => ({
      id: String(d._id),
      kind: String(d.kind),
      expectedVersion: Number(d.expectedVersion),
      firstSeenAt: d.firstSeenAt as Date,
      attempts: Number(d.attempts),
      nextRepairAt: d.nextRepairAt as Date,
    }));
  }

  async loadProblems(): Promise<Problem[]> {
    const docs = await this.db.collection<ProblemDocument>("problems").find({}).toArray();
    return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
  }

  async loadChannels(): Promise<ChannelRecord[]> {
    const docs = await this.db.collection<Document>("channels").find({}).toArray();
    return docs.map((d) => ({ name: String(d._id), joinedAt: d.joinedAt as Date }));
  }

  /** The item's timeline as stored, plus what is still queued. */
  async timeline(itemId: string): Promise<TimelineEvent[]> {
    // Taken before the read: a flush that ends during it has them stored, or they are here.
    const queued = [this.writing, this.events].flatMap((q) => [...(q.get(itemId) ?? [])]);
    const doc = await this.db
      .collection<ItemDocument>("items")
      .findOne({ _id: itemId }, { projection: { events: 1 } });
    const all = new Map<string, TimelineEvent>();
    for (const [index, e] of (doc?.events ?? []).entries()) {
      all.set(e.id ?? `stored.${index}`, {
        at: e.at,
        type: e.type as TimelineEvent["type"],
        ...(e.channel ? { channel: e.channel } : {}),
        ...(e.version ? { version: e.version } : {}),
        detail: e.detail,
      });
    }
    // A queued event may be stored already (a flush that failed part-way): one copy.
    for (const [id, e] of queued) all.set(id, withoutId(e));
    return [...all.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}
