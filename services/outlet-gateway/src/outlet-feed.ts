import { EventEmitter, once } from "node:events";
import type { CurrentStateSource } from "@herald/channel-kit";
import { type RedeliveryRequest, Topics } from "@herald/contracts";
import {
  type Logger,
  type HeraldProducer,
  decodePayload,
  headersToStrings,
  restartAfterCrash,
  topicName,
} from "@herald/runtime";
import { type Consumer, type Kafka, type PartitionMetadata, Partitioners } from "kafkajs";
import type { mongo } from "mongoose";
import { Dispatcher, type SessionPort } from "./dispatch";
import { PartitionOffsets } from "./offsets";
import { channelPolicyOf, type OutletPolicyData } from "./policy";
import { ReceiptSink } from "./receipts";
import { OutletResults } from "./results";

export interface FeedOptions {
  outlet: string;
  policy: OutletPolicyData;
  kafka: Kafka;
  db: mongo.Db;
  producer: HeraldProducer;
  groupId: string;
  topicPrefix?: string | undefined;
  logger: Logger;
  ackDeadlineMs: number;
  retry: { initialMs: number; maxMs: number };
  maxPending: number;
  commitIntervalMs?: number;
  tickMs?: number;
  sessionTimeoutMs?: number | undefined;
}

/**
 * One outlet's feed in this gateway: a member of the outlet's consumer group on
 * herald.items.v1 (from the earliest offset: the backfill, then live), joined
 * while at least one instance of the outlet is connected here, so the outlet's
 * partitions spread over the gateways serving it. It hands what it reads to the
 * {@link Dispatcher} and commits each partition only up to its lowest offset
 * whose item has no recorded result.
 */
export class OutletFeed {
  readonly dispatcher: Dispatcher;
  readonly results: OutletResults;
  private readonly consumer: Consumer;
  private readonly partitions = new Map<number, PartitionOffsets>();
  private readonly receipts: ReceiptSink;
  private readonly topic: string;
  private readonly log: Logger;
  private readonly room = new EventEmitter();
  /** Where the topic ended when the feed started: below it, deliveries are the backfill. */
  private highWatermarks = new Map<number, number>();
  private loaded: Promise<unknown> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private committing: Promise<void> | undefined;
  private cancelRestart: (() => Promise<void>) | undefined;
  private assigned = new Set<number>();
  private lastAcceptAt = 0;
  private backfillReleased = false;

  constructor(private readonly options: FeedOptions) {
    this.log = options.logger.child({ component: "feed", outlet: options.outlet });
    this.topic = topicName(Topics.items, options.topicPrefix);
    this.results = new OutletResults(options.db, options.outlet, this.log);
    this.receipts = new ReceiptSink(options.producer, this.log);
    this.dispatcher = new Dispatcher({
      outlet: options.outlet,
      policy: channelPolicyOf(options.outlet, options.policy),
      results: this.results,
      ackDeadlineMs: options.ackDeadlineMs,
      maxExtensionMs: options.ackDeadlineMs * 10,
      retry: options.retry,
      receipt: (r) => this.receipts.send(r),
      settle: (offsets) => {
        for (const { partition, offset } of offsets) this.partitions.get(partition)?.settle(offset);
        this.room.emit("room");
      },
    });
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[this.topic] ?? []);
      this.assigned = assigned;
      this.lastAcceptAt = Date.now();
      for (const partition of [...this.partitions.keys()]) {
        if (!assigned.has(partition)) this.partitions.delete(partition);
      }
      this.dispatcher.dropPartitions((p) => assigned.has(p));
      // Another gateway may have recorded results for the partitions this one now owns.
      this.loaded = this.results
        .flush()
        .then(() => this.results.load())
        .catch((error: unknown) => this.log.error({ err: error }, "could not reload results"));
      this.log.info({ partitions: [...assigned] }, "joined the outlet's group");
    });
    // A fetch that held only a transaction marker (the content service writes
    // transactionally) reaches no eachMessage. Counting the marker as read lets
    // the group commit past it: otherwise an outlet that is caught up would show
    // a lag of one per partition, and stay "backfilling", until the next item.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== this.topic || payload.batchSize !== 0) return;
      const marker = Number(payload.lastOffset);
      if (!Number.isSafeInteger(marker) || marker < 0) return;
      let offsets = this.partitions.get(payload.partition);
      if (!offsets) this.partitions.set(payload.partition, (offsets = new PartitionOffsets()));
      offsets.read(marker);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      this.log.error({ err: payload.error, restart: payload.restart }, "outlet feed crashed"),
    );
  }

  /** True while some partition this feed owns is still below where the topic ended at start. */
  backfilling(): boolean {
    if (this.partitions.size === 0) return [...this.highWatermarks.values()].some((h) => h > 0);
    for (const [partition, offsets] of this.partitions) {
      if (offsets.committable() < (this.highWatermarks.get(partition) ?? 0)) return true;
    }
    return false;
  }

  async start(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(this.topic);
      this.highWatermarks = new Map(ends.map((e) => [e.partition, Number(e.high)]));
    } finally {
      await admin.disconnect();
    }
    this.loaded = this.results.load();
    await this.loaded;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.run();
    this.cancelRestart = restartAfterCrash(this.consumer, {
      run: () => this.run(),
      stopping: () => this.stopping,
      logger: this.log,
    });
    const tick = setInterval(() => {
      this.releaseBackfillWhenRead();
      this.dispatcher.tick();
    }, this.options.tickMs ?? 100);
    const commit = setInterval(() => void this.commit(), this.options.commitIntervalMs ?? 1000);
    tick.unref();
    commit.unref();
    this.timers.push(tick, commit);
  }

  private run(): Promise<void> {
    return this.consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        const { partition, message } = payload;
        await this.loaded;
        // Backpressure: read no further than the outlet takes.
        while (this.dispatcher.size >= this.options.maxPending && !this.stopping) {
          await Promise.race([
            once(this.room, "room"),
            new Promise((r) => setTimeout(r, 1000).unref()),
          ]);
          await payload.heartbeat();
        }
        if (this.stopping) return;
        this.lastAcceptAt = Date.now();
        this.accept(partition, Number(message.offset), message.value, message.headers);
      },
    });
  }

  private accept(
    partition: number,
    offset: number,
    value: Buffer | null,
    headers: Parameters<typeof headersToStrings>[0],
  ): void {
    let offsets = this.partitions.get(partition);
    if (!offsets) this.partitions.set(partition, (offsets = new PartitionOffsets()));
    if (offsets.seen(offset)) return; // a re-fetch after a rejoin
    offsets.read(offset);
    if (!value) return; // a tombstone: nothing Herald writes, nothing to deliver
    const decoded = decodePayload(Topics.items.schema, value, headersToStrings(headers));
    if (!decoded.ok) {
      this.log.warn({ partition, offset, reason: decoded.reason }, "skipping an undecodable item");
      return;
    }
    offsets.hold(offset);
    const backfill = offset < (this.highWatermarks.get(partition) ?? 0);
    this.dispatcher.offer({ partition, offset }, decoded.value, backfill);
    if (!this.backfillReleased && this.dispatcher.size >= this.options.maxPending - 1) {
      this.releaseBackfillWhenRead();
    }
  }

  /**
   * The backfill is released once every owned partition was read to where the
   * topic ended at start, or nothing new came for a moment (transaction markers
   * hold the last offsets of a partition the content service writes), or memory
   * is full (a backfill larger than OUTLET_MAX_PENDING then goes out in parts).
   */
  private releaseBackfillWhenRead(): void {
    if (this.backfillReleased || this.assigned.size === 0) return;
    const read = [...this.assigned].every(
      (p) => (this.partitions.get(p)?.lastRead ?? -1) >= (this.highWatermarks.get(p) ?? 0) - 1,
    );
    const quiet = Date.now() - this.lastAcceptAt > 1000;
    if (read || quiet || this.dispatcher.size >= this.options.maxPending - 1) {
      this.backfillReleased = true;
      this.dispatcher.releaseBackfill();
    }
  }

  /** Commits each owned partition up to its lowest unsettled offset. */
  async commit(): Promise<void> {
    if (this.committing) return this.committing;
    this.committing = (async () => {
      const partitions = [...this.partitions]
        .map(([partition, offsets]) => ({ partition, offsets, to: offsets.committable() }))
        .filter((p) => p.to > p.offsets.committed);
      if (partitions.length === 0) return;
      try {
        await this.consumer.commitOffsets(
          partitions.map((p) => ({
            topic: this.topic,
            partition: p.partition,
            offset: String(p.to),
          })),
        );
        for (const p of partitions) p.offsets.committed = p.to;
      } catch (error) {
        this.log.warn({ err: error }, "could not commit the outlet's offsets; retrying");
      }
    })().finally(() => (this.committing = undefined));
    return this.committing;
  }

  /**
   * Carries out a redelivery request for this outlet if this gateway owns the
   * item's partition of herald.items.v1 in the outlet's group (so the item keeps
   * one writer: another gateway owning it does the same with the same request).
   * The current state comes from the content service, as a channel's redelivery.
   */
  async redeliver(request: RedeliveryRequest, content: CurrentStateSource): Promise<string> {
    const partition = partitionOf(request.itemId, this.highWatermarks.size);
    if (partition === undefined || !this.assigned.has(partition)) return "not-owned";
    const state = await content.currentState(request.itemId);
    if (!state) {
      // Nothing to send: what the content service no longer discloses reaches the outlet as a takedown on the stream.
      this.log.info({ item: request.itemId }, "redelivery of an item not disclosed; skipped");
      return "undisclosed";
    }
    const reason = `audit: ${request.reason}`.slice(0, 200);
    return this.dispatcher.redeliver(state, reason) ? "queued" : "already-pending";
  }

  attach(session: SessionPort): void {
    this.dispatcher.attach(session);
  }

  detach(sessionId: string): void {
    this.dispatcher.detach(sessionId);
  }

  /** Leaves the group after recording what it can and committing (commits do nothing once stopping began). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.cancelRestart?.();
    for (const timer of this.timers) clearInterval(timer);
    this.room.emit("room");
    await this.receipts.flush().catch(() => undefined);
    await this.results.flush().catch(() => undefined);
    await this.commit();
    await this.consumer.disconnect();
  }
}

const keyPartitioner = Partitioners.DefaultPartitioner();

/** The partition of herald.items.v1 an item's messages go to: the producers' default partitioner. */
export function partitionOf(itemId: string, partitions: number): number | undefined {
  if (partitions <= 0) return undefined;
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, i) => ({
    partitionErrorCode: 0,
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return keyPartitioner({
    topic: "items",
    partitionMetadata,
    message: { key: itemId, value: null },
  });
}
