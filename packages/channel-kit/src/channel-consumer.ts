import {
  type DeliveryReceipt,
  type ItemState,
  Topics,
  channelRedeliveryTopic,
} from "@herald/contracts";
import {
  type HeraldProducer,
  type Logger,
  extractTraceContext,
  restartAfterCrash,
  topicName,
} from "@herald/runtime";
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import type { ApplyOutcome, Applier } from "./applier";
import { coPartitionedAssigner } from "./assigner";
import type { CurrentStateSource } from "./content-client";
import type { DeadLetters } from "./dead-letters";
import type { HoldingStore } from "./holdings";
import type { ChannelMetrics } from "./metrics";
import { decodeMessage, invalidState, rejectedReason } from "./messages";
import { sendReceipts } from "./receipts";
import { RedeliveryLane } from "./redelivery-lane";
import type { RetryQueue } from "./retry-queue";

export interface ChannelConsumerOptions {
  kafka: Kafka;
  channel: string;
  /** What names the channel's own topics: the channel, or channel and outlet for one of several outlets. */
  lane: string;
  /** The outlet this consumer applies for ("" for a channel with one). */
  outletId: string;
  groupId: string;
  topicPrefix: string | undefined;
  applier: Applier;
  holdings: HoldingStore;
  retries: RetryQueue;
  deadLetters: DeadLetters;
  producer: HeraldProducer;
  metrics: ChannelMetrics;
  content: CurrentStateSource | undefined;
  logger: Logger;
  /** Messages handled and committed together (default 200). */
  chunkSize: number;
  /** Items of one chunk applied at once (default 8); versions of one item never overlap. */
  concurrency: number;
  sessionTimeoutMs: number;
  /** Sees every holding with its stored state once, after the first join. */
  restore: Parameters<HoldingStore["loadAll"]>[0];
  /** Called once after `restore` saw every holding, before the channel is ready. */
  restored?: () => void;
}

export type ConsumerHealth =
  "starting" | "loading" | "running" | "stopping" | "stopped" | "crashed";

/** Runs `tasks` with at most `limit` in flight. */
async function pooled<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) results[i] = await tasks[i]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * The channel's consumer: the item stream and the channel's own redelivery queue
 * in one group, co-partitioned, so each item has one writer. Per chunk of a
 * batch: poison to the DLQ, the newest version per item applied, receipts sent,
 * then the offsets committed, so a crash replays at most one chunk.
 */
export class ChannelConsumer {
  private readonly consumer: Consumer;
  private readonly itemsTopic: string;
  private readonly redeliverTopic: string;
  private readonly redeliveries: RedeliveryLane;
  private loaded: Promise<void> | undefined;
  private joins = 0;
  private assigned = new Set<number>();
  state: ConsumerHealth = "starting";
  private readonly cancelRestart: () => Promise<void>;
  /** True once the holdings were loaded after the first join: what the channel serves is complete. */
  holdingsLoaded = false;
  lastError: string | undefined;

  constructor(private readonly options: ChannelConsumerOptions) {
    this.itemsTopic = topicName(Topics.items, options.topicPrefix);
    this.redeliverTopic = topicName(channelRedeliveryTopic(options.lane), options.topicPrefix);
    this.redeliveries = new RedeliveryLane({
      channel: options.channel,
      topic: this.redeliverTopic,
      content: options.content,
      applier: options.applier,
      retries: options.retries,
      metrics: options.metrics,
      logger: options.logger,
      host: this,
    });
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [coPartitionedAssigner],
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
    });
    const log = options.logger;
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joins += 1;
      this.assigned = new Set(payload.memberAssignment[this.itemsTopic] ?? []);
      log.info({ partitions: [...this.assigned] }, "partitions assigned");
      options.retries.retain(this.assigned);
      if (this.joins === 1) {
        // Loaded after the first join: whoever applied these partitions before has stopped.
        this.state = "loading";
        this.loaded = options.holdings.loadAll(options.restore).then((count) => {
          log.info({ holdings: count }, "holdings loaded");
          options.restored?.();
          this.holdingsLoaded = true;
          this.state = "running";
        });
      } else {
        options.holdings.invalidate();
      }
    });
    // Likewise a fetch that held only a transaction marker (see eachBatch).
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || BigInt(payload.lastOffset) < 0n) return;
      const offset = (BigInt(payload.lastOffset) + 1n).toString();
      this.consumer
        .commitOffsets([{ topic: payload.topic, partition: payload.partition, offset }])
        .catch((error: unknown) => log.debug({ err: error }, "could not commit past a marker"));
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.lastError = payload.error.message;
      if (!payload.restart) this.state = "crashed";
      log.error({ err: payload.error, restart: payload.restart }, "consumer crashed");
    });
    this.cancelRestart = restartAfterCrash(this.consumer, {
      run: () => this.runConsumer(),
      stopping: () => this.state === "stopping" || this.state === "stopped",
      logger: log,
      onRestarted: () => (this.state = this.holdingsLoaded ? "running" : "loading"),
    });
  }

  /** Partitions of the item stream this instance owns now. */
  partitions(): ReadonlySet<number> {
    return this.assigned;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [this.itemsTopic, this.redeliverTopic],
      fromBeginning: true,
    });
    await this.runConsumer();
  }

  private runConsumer(): Promise<void> {
    return this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "stopping";
    await this.cancelRestart();
    await this.consumer.disconnect();
    this.state = "stopped";
  }

  /** Waits for the holdings to load, keeping the group membership meanwhile. */
  private async whenLoaded(payload: EachBatchPayload): Promise<void> {
    for (;;) {
      const loaded = this.loaded;
      if (!loaded) return;
      const done = await Promise.race([
        loaded.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
      ]);
      if (done) return;
      await payload.heartbeat();
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    this.options.logger.debug(
      {
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages.length,
        first: batch.firstOffset(),
      },
      "batch",
    );
    await this.whenLoaded(payload);
    const isItems = batch.topic === this.itemsTopic;
    const commit = (offset: string) => {
      payload.resolveOffset(offset);
      return payload.commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(offset) + 1n).toString() }],
          },
        ],
      });
    };
    for (let start = 0; start < batch.messages.length; start += this.options.chunkSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(start, start + this.options.chunkSize);
      const receipts = isItems
        ? await this.applyItems(chunk, batch.partition, payload)
        : await this.redeliveries.handle(chunk, batch.partition, () => payload.heartbeat());
      await sendReceipts(this.options.producer, receipts, this.options.outletId);
      const last = chunk.at(-1)!;
      await commit(last.offset);
      this.options.metrics.progressed();
      this.options.logger.debug(
        { partition: batch.partition, offset: last.offset, receipts: receipts.length },
        "chunk committed",
      );
      await payload.heartbeat();
    }
    // A transaction marker after the last message belongs to the batch but reaches no
    // handler: commit past it, or the group would look one behind after every transaction.
    const end = batch.lastOffset();
    const lastMessage = batch.messages.at(-1)?.offset;
    if (lastMessage !== undefined && BigInt(end) > BigInt(lastMessage) && payload.isRunning()) {
      await commit(end);
    }
  }

  /** Sends a message that can never be applied to the DLQ with its reason. */
  async deadLetter(
    message: KafkaMessage,
    topic: string,
    partition: number,
    headers: Record<string, string>,
    reason: string,
  ): Promise<void> {
    this.options.logger.warn({ topic, partition, offset: message.offset, reason }, "dead-lettered");
    await this.options.deadLetters.send({
      topic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers,
      reason,
    });
    this.options.metrics.count("dead_lettered");
  }

  private async applyItems(
    chunk: KafkaMessage[],
    partition: number,
    payload: EachBatchPayload,
  ): Promise<DeliveryReceipt[]> {
    // The newest version of each item in the chunk; the older ones would be stale anyway.
    const newest = new Map<
      string,
      { state: ItemState; message: KafkaMessage; headers: Record<string, string> }
    >();
    for (const message of chunk) {
      const decoded = decodeMessage(message, Topics.items.schema);
      if ("poison" in decoded) {
        await this.deadLetter(message, this.itemsTopic, partition, decoded.headers, decoded.poison);
        continue;
      }
      const problem = invalidState(decoded.value, message.key);
      if (problem) {
        await this.deadLetter(message, this.itemsTopic, partition, decoded.headers, problem);
        continue;
      }
      const seen = newest.get(decoded.value.id);
      if (!seen || seen.state.version <= decoded.value.version) {
        newest.set(decoded.value.id, { state: decoded.value, message, headers: decoded.headers });
      }
    }
    const entries = [...newest.values()];
    const outcomes = await pooled(
      entries.map(({ state, message }) => () => {
        this.options.retries.cancel(state.id);
        return this.options.applier.process(state, {
          source: "stream",
          parent: extractTraceContext(message.headers ?? {}),
          heartbeat: () => payload.heartbeat(),
        });
      }),
      this.options.concurrency,
    );
    const receipts: DeliveryReceipt[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      const entry = entries[i]!;
      await this.afterApply(outcome, entry.state, partition, receipts, () =>
        this.deadLetter(
          entry.message,
          this.itemsTopic,
          partition,
          entry.headers,
          rejectedReason(outcome),
        ),
      );
    }
    return receipts;
  }

  /** Collects the outcome's receipt and hands failures to the DLQ or the retries. */
  async afterApply(
    outcome: ApplyOutcome,
    state: ItemState,
    partition: number,
    receipts: DeliveryReceipt[],
    deadLetter: () => Promise<void>,
  ): Promise<void> {
    if (outcome.kind === "stale") return;
    if (outcome.receipt) receipts.push(outcome.receipt);
    if (outcome.kind === "rejected") await deadLetter();
    // An operator's task, not a fault: it is carried out again by a redelivery once done.
    if (outcome.kind === "awaiting") return;
    if (outcome.kind === "failed") {
      const { retries } = this.options;
      const shed = retries.shed;
      retries.schedule(state, outcome.attempts, partition, outcome.retryAfterMs);
      if (retries.shed > shed) {
        this.options.logger.warn(
          { itemId: state.id, version: state.version, pending: retries.size },
          "retry queue full: no deferred retry; the FAILED receipt leaves the item to the reconciler's redelivery",
        );
      }
    }
  }
}
