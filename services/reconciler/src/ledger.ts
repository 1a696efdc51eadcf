import type { Logger } from "@herald/runtime";
import type { mongo } from "mongoose";

/**
 * Updates per bulk write. FerretDB 1.24 keeps every statement's read open until
 * the whole command ends, and a database has 100 SQLite connections: a command of
 * 100 updates to existing documents waits for ever on the 101st connection.
 */
const WRITE_BATCH = 50;

type Db = mongo.Db;
/** Every document here is keyed by a natural string id. */
type Document = mongo.Document & { _id: string };
type AnyBulkWriteOperation<T extends Document> = mongo.AnyBulkWriteOperation<T>;
import type { Problem, ProblemAction, TimelineEvent } from "./model";

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
interface ItemDocument {
  _id: string;
  /** The newest version whose publication is on the timeline. */
  v?: number;
  d?: Record<string, { v: number; at: Date; ms: number; ok: -1 | 0 | 1 }>;
  events?: { at: Date; type: string; channel?: string; version?: number; detail: string }[];
}

type ProblemDocument = Omit<Problem, "id"> & { _id: string };

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
  private events = new Map<string, TimelineEvent[]>();
  private repairs = new Map<string, RepairRecord | null>();
  private problems = new Map<string, Problem>();
  private channels = new Map<string, ChannelRecord>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

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

  get pending(): number {
    return this.items.size + this.events.size + this.repairs.size + this.problems.size;
  }

  recordPublished(itemId: string, version: number): void {
    this.item(itemId).v = version;
  }

  recordDelivery(itemId: string, channel: string, record: DeliveryRecord): void {
    this.item(itemId).d.set(channel, record);
  }

  appendEvent(itemId: string, event: TimelineEvent): void {
    const queue = this.events.get(itemId);
    if (queue) queue.push(event);
    else this.events.set(itemId, [event]);
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
    this.items = new Map();
    this.events = new Map();
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
      this.requeue(items, events, repairs, problems, channels);
      this.logger.warn({ err: error }, "could not write to the reconciler database; will retry");
      throw error;
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
    for (const [id, list] of events) this.events.set(id, [...list, ...(this.events.get(id) ?? [])]);
    for (const [id, r] of repairs) if (!this.repairs.has(id)) this.repairs.set(id, r);
    for (const [id, p] of problems) if (!this.problems.has(id)) this.problems.set(id, p);
    for (const [id, c] of channels) if (!this.channels.has(id)) this.channels.set(id, c);
  }

  private async write(collection: string, ops: AnyBulkWriteOperation<Document>[]): Promise<void> {
    for (let i = 0; i < ops.length; i += WRITE_BATCH) {
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
    const doc = await this.db
      .collection<ItemDocument>("items")
      .findOne({ _id: itemId }, { projection: { events: 1 } });
    const stored: TimelineEvent[] = (doc?.events ?? []).map((e) => ({
      at: e.at,
      type: e.type as TimelineEvent["type"],
      ...(e.channel ? { channel: e.channel } : {}),
      ...(e.version ? { version: e.version } : {}),
      detail: e.detail,
    }));
    return [...stored, ...(this.events.get(itemId) ?? [])].sort(
      (a, b) => a.at.getTime() - b.at.getTime(),
    );
  }
}

function itemUpdate(
  id: string,
  entry: { v?: number; d: Map<string, DeliveryRecord> } | undefined,
  events: readonly TimelineEvent[] | undefined,
): AnyBulkWriteOperation<Document> {
  const set: Record<string, unknown> = {};
  if (entry?.v !== undefined) set.v = entry.v;
  for (const [channel, r] of entry?.d ?? []) {
    set[`d.${channel}`] = { v: r.version, at: r.at, ms: r.ms, ok: r.onTime };
  }
  const update: Record<string, unknown> = {};
  if (Object.keys(set).length > 0) update.$set = set;
  if (events?.length) update.$push = { events: { $each: events.map(eventDocument) } };
  return {
    updateOne: {
      filter: { _id: id },
      update,
      upsert: true,
    },
  };
}

function eventDocument(e: TimelineEvent): mongo.Document {
  return {
    at: e.at,
    type: e.type,
    ...(e.channel ? { channel: e.channel } : {}),
    ...(e.version ? { version: e.version } : {}),
    detail: e.detail,
  };
}

function repairDocument(r: RepairRecord): Document {
  return {
    _id: r.id,
    kind: r.kind,
    expectedVersion: r.expectedVersion,
    firstSeenAt: r.firstSeenAt,
    attempts: r.attempts,
    nextRepairAt: r.nextRepairAt,
  };
}

function problemDocument(p: Problem): Document {
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
