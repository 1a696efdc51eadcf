import { Topics } from "@herald/contracts";
import {
  type ConsumerRunner,
  type ConsumerStatus,
  type Logger,
  decodePayload,
  headersToStrings,
  restartAfterCrash,
  topicName,
} from "@herald/runtime";
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import type { Engine } from "./engine";
import type { FencedProducer } from "./fenced";
import { DeposedError } from "./leadership";
import type { Ledger } from "./ledger";

export interface ReceiptReaderOptions {
  readonly kafka: Kafka;
  /** The lasting group (`herald-reconciler`): only the leader is a member. */
  readonly groupId: string;
  readonly topicPrefix: string | undefined;
  readonly engine: Engine;
  readonly ledger: Ledger;
  readonly producer: FencedProducer;
  readonly logger: Logger;
  /**
   * How long the group waits for a silent member: a killed leader's partitions go
   * to its successor after this (the broker's minimum is 6 s).
   */
  readonly sessionTimeoutMs?: number;
}

/**
 * Reads herald.receipts.v1 for the leader. Per batch: each receipt into the
 * model, the pairs it touched evaluated (so a first delivery it proves is
 * recorded with the receipt's time), the ledger flushed, and only then the
 * offset committed, in a transaction of the leader's fenced producer. So a
 * receipt's effects are stored before it counts as read (a crash in between
 * reads it again, and every effect is idempotent), and a deposed leader can no
 * longer move the group's offsets.
 */
export class ReceiptReader implements ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly topic: string;
  private readonly state: ConsumerStatus;
  private readonly cancelRestart: () => Promise<void>;

  constructor(private readonly options: ReceiptReaderOptions) {
    this.topic = topicName(Topics.receipts, options.topicPrefix);
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 6_000,
      heartbeatInterval: 1_000,
    });
    this.state = {
      state: "idle",
      groupId: options.groupId,
      topic: this.topic,
      processed: 0,
      invalid: 0,
      failed: 0,
      lastActivityAt: undefined,
      lastError: undefined,
    };
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.state.lastError = payload.error.message;
      if (!payload.restart) this.state.state = "crashed";
      options.logger.error({ err: payload.error }, "receipts consumer crashed");
    });
    this.consumer.on(this.consumer.events.FETCH, () => {
      this.state.lastActivityAt = new Date();
    });
    this.cancelRestart = restartAfterCrash(this.consumer, {
      run: () => this.runConsumer(),
      stopping: () => this.state.state === "stopping" || this.state.state === "stopped",
      logger: options.logger,
      onRestarted: () => (this.state.state = "running"),
    });
  }

  private runConsumer(): Promise<void> {
    return this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.batch(payload),
    });
  }

  async start(): Promise<void> {
    this.state.state = "starting";
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await this.runConsumer();
    this.state.state = "running";
  }

  async stop(): Promise<void> {
    if (this.state.state === "stopped") return;
    this.state.state = "stopping";
    await this.cancelRestart();
    await this.consumer.disconnect();
    this.state.state = "stopped";
  }

  status(): ConsumerStatus {
    return { ...this.state };
  }

  private async batch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    const { engine, ledger, logger } = this.options;
    const running = () => payload.isRunning() && !payload.isStale();
    let last: string | undefined;
    for (const message of batch.messages) {
      if (!running()) break;
      // Backpressure: while the ledger is full, the receipts wait in Kafka.
      await ledger.room(heartbeat, running);
      if (!running()) break;
      const decoded = decodePayload(
        Topics.receipts.schema,
        message.value,
        headersToStrings(message.headers),
      );
      if (decoded.ok) {
        engine.ingestReceipt(decoded.value, {
          partition: batch.partition,
          offset: Number(message.offset),
        });
        this.state.processed += 1;
      } else {
        this.state.invalid += 1; // the producers' dead-letter concern, as for every consumer
        logger.warn({ partition: batch.partition, offset: message.offset }, "invalid receipt");
      }
      last = message.offset;
    }
    if (last === undefined) return;
    // A transaction marker after the last message belongs to the batch: commit past it.
    if (last === batch.messages.at(-1)?.offset && BigInt(batch.lastOffset()) > BigInt(last)) {
      last = batch.lastOffset();
    }
    engine.evaluate();
    let stored = false;
    while (!stored && running()) {
      try {
        await ledger.flush();
        stored = true;
      } catch (error) {
        if (error instanceof DeposedError) throw error;
        this.state.lastError = error instanceof Error ? error.message : String(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        await heartbeat();
      }
    }
    // Stopping before the ledger took them: they are read again by whoever reads next.
    if (!stored) return;
    const next = (BigInt(last) + 1n).toString();
    await this.options.producer.commitOffset(
      this.options.groupId,
      batch.topic,
      batch.partition,
      next,
    );
    payload.resolveOffset(last);
    this.state.lastActivityAt = new Date();
  }
}
