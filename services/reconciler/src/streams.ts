import { randomBytes } from "node:crypto";
import { type TopicSpec, Topics } from "@herald/contracts";
import { type ConsumerRunner, type Logger, createConsumerRunner, topicName } from "@herald/runtime";
import type { Admin, Kafka } from "kafkajs";
import type { Engine } from "./engine";
import type { Ledger } from "./ledger";

export interface StreamsOptions {
  readonly kafka: Kafka;
  readonly engine: Engine;
  /** Readers wait while its queue is full: new evidence waits in Kafka, not in memory. */
  readonly ledger: Ledger;
  readonly topicPrefix: string | undefined;
  readonly instanceId: string;
  /** Reads herald.receipts.v1 in the lasting group. */
  readonly receipts: ConsumerRunner;
  readonly logger: Logger;
}

/**
 * The three topics the reconciler reads.
 * - herald.items.v1 and herald.channels.v1 are compacted: read whole at every
 *   start, in a group of this start's own, they give the current state of every
 *   item and every channel, so neither is copied into the database.
 * - herald.receipts.v1 is read in a lasting group (`herald-reconciler`) by the
 *   ReceiptReader, so a restart or a new leader resumes where the last stopped;
 *   what receipts prove durably (first deliveries) is in the ledger, and the
 *   audit at start re-establishes the rest.
 */
export class Streams {
  private readonly runners: {
    runner: ConsumerRunner;
    ephemeral: boolean;
    topic: TopicSpec<unknown>;
  }[];
  private caughtUp = false;

  constructor(private readonly options: StreamsOptions) {
    const { kafka, engine, ledger, topicPrefix, logger, instanceId } = options;
    const suffix = `${instanceId}-${randomBytes(3).toString("hex")}`;
    const prefix = topicPrefix ? { topicPrefix } : {};
    const skip = () => Promise.resolve(); // undecodable messages are the producers' DLQ concern
    this.runners = [
      {
        ephemeral: true,
        topic: Topics.channels,
        runner: createConsumerRunner({
          kafka,
          groupId: `herald-reconciler-channels-${suffix}`,
          topic: Topics.channels,
          ...prefix,
          fromBeginning: true,
          logger,
          handle: ({ value }) => Promise.resolve(engine.ingestAnnouncement(value)),
          // A tombstone retires the channel it is keyed by (a revoked outlet); the rest is skipped.
          onInvalid: ({ key, value }) => {
            if (value === null && key) engine.retireChannel(key.toString("utf8"));
            return Promise.resolve();
          },
        }),
      },
      {
        ephemeral: true,
        topic: Topics.items,
        runner: createConsumerRunner({
          kafka,
          groupId: `herald-reconciler-items-${suffix}`,
          topic: Topics.items,
          ...prefix,
          fromBeginning: true,
          logger,
          handle: async ({ value, partition, offset }, ctx) => {
            await ledger.room(() => ctx.heartbeat());
            engine.ingestItem(value, { partition, offset: Number(offset) });
          },
          onInvalid: skip,
        }),
      },
      { ephemeral: false, topic: Topics.receipts, runner: options.receipts },
    ];
  }

  /** Starts every consumer and resolves once each has read what was on its topic when it started. */
  async start(timeoutMs = 300_000): Promise<void> {
    const { kafka, topicPrefix, logger } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const targets = await Promise.all(
        this.runners.map(async ({ topic }) => {
          const name = topicName(topic, topicPrefix);
          const ends = await fetchEnds(admin, name, Date.now() + timeoutMs);
          return ends
            .filter((p) => p.high !== p.low)
            .map((p) => ({ partition: p.partition, high: p.high }));
        }),
      );
      for (const { runner } of this.runners) await runner.start();
      const deadline = Date.now() + timeoutMs;
      for (const [index, { runner, topic }] of this.runners.entries()) {
        const target = targets[index] ?? [];
        while (target.length > 0) {
          const committed = await admin.fetchOffsets({
            groupId: runner.status().groupId,
            topics: [topicName(topic, topicPrefix)],
          });
          const offsets = new Map(
            committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]),
          );
          if (target.every((t) => (offsets.get(t.partition) ?? -1n) >= BigInt(t.high))) break;
          if (Date.now() > deadline) {
            throw new Error(`${topic.name} was not read to its end within ${timeoutMs} ms`);
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        logger.info({ topic: topic.name, processed: runner.status().processed }, "caught up");
      }
      this.caughtUp = true;
    } finally {
      await admin.disconnect();
    }
  }

  ready(): { ok: boolean; detail: string } {
    if (!this.caughtUp) return { ok: false, detail: "reading the item stream" };
    const down = this.runners.map((r) => r.runner.status()).filter((s) => s.state !== "running");
    if (down.length > 0)
      return { ok: false, detail: down.map((s) => `${s.topic}: ${s.state}`).join(", ") };
    return { ok: true, detail: "" };
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.runner.stop()));
    const ephemeral = this.runners.filter((r) => r.ephemeral).map((r) => r.runner.status().groupId);
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups(ephemeral);
    } catch (error) {
      this.options.logger.debug({ err: error }, "could not delete the reconciler's own groups");
    } finally {
      await admin.disconnect();
    }
  }
}

/**
 * A topic another service created a moment ago can have a leader in the metadata
 * that does not serve yet (NOT_LEADER_FOR_PARTITION): such answers are retried.
 */
async function fetchEnds(admin: Admin, topic: string, deadline: number) {
  for (let waitMs = 100; ; waitMs = Math.min(waitMs * 2, 2_000)) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
