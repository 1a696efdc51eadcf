import { type RedeliveryRequest, Topics, channelRedeliveryTopic } from "@herald/contracts";
import {
  type HeraldProducer,
  type Logger,
  type OutgoingRecord,
  extractTraceContext,
  restartAfterCrash,
  topicName,
} from "@herald/runtime";
import type { EachBatchPayload, Kafka } from "kafkajs";
import type { DeadLetters } from "./dead-letters";
import { decodeMessage } from "./messages";
import type { ChannelMetrics } from "./metrics";

/** Requests forwarded in one producer call (and committed together). */
const FORWARD_CHUNK = 500;

export type RouterState = "idle" | "starting" | "running" | "stopping" | "stopped" | "crashed";

export interface RedeliveryRouter {
  start(): Promise<void>;
  /** Finishes the chunk in hand, commits it and leaves the group. */
  stop(): Promise<void>;
  status(): { state: RouterState; lastError: string | undefined };
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/**
 * Forwards this channel's requests from herald.redeliver.v1 (keyed by
 * "<channel>/<item>") to the channel's own queue keyed by item id, which is
 * co-partitioned with the item stream: the instance that owns the item applies
 * the redelivery, so it never races the item's versions.
 *
 * Requests go on in chunks of up to 500, one producer call each, committed once
 * sent: an audit can ask for a thousand redeliveries at once, and forwarding them
 * one producer round trip at a time took minutes (5–10 a second on the test stack).
 * Each forwarded request keeps the trace its request carried.
 */
export function createRedeliveryRouter(options: {
  kafka: Kafka;
  channel: string;
  /** Names the channel's own queue: the channel, or channel and outlet. */
  lane: string;
  /** Only requests for this outlet are forwarded ("" for a channel with one outlet). */
  outletId: string;
  groupId: string;
  topicPrefix: string | undefined;
  producer: HeraldProducer;
  deadLetters: DeadLetters;
  metrics: ChannelMetrics;
  logger: Logger;
}): RedeliveryRouter {
  const { channel, logger } = options;
  const topic = topicName(Topics.redeliver, options.topicPrefix);
  const queue = channelRedeliveryTopic(options.lane);
  const status: { state: RouterState; lastError: string | undefined } = {
    state: "idle",
    lastError: undefined,
  };
  const consumer = options.kafka.consumer({ groupId: options.groupId });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    status.lastError = payload.error.message;
    if (!payload.restart) status.state = "crashed";
    logger.error({ err: payload.error, restart: payload.restart }, "redelivery router crashed");
  });

  /** The requests of `chunk` meant for this channel; what cannot be read goes to the DLQ. */
  async function requestsOf(
    chunk: EachBatchPayload["batch"]["messages"],
    partition: number,
  ): Promise<OutgoingRecord<RedeliveryRequest>[]> {
    const forward: OutgoingRecord<RedeliveryRequest>[] = [];
    for (const message of chunk) {
      const decoded = decodeMessage<RedeliveryRequest>(message, Topics.redeliver.schema);
      if ("poison" in decoded) {
        // Every channel reads this topic; only a request meant for this one is ours to report.
        if (!message.key?.toString("utf8").startsWith(`${channel}/`)) continue;
        await options.deadLetters.send({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: decoded.headers,
          reason: decoded.poison,
        });
        options.metrics.count("dead_lettered");
        continue;
      }
      const request = decoded.value;
      if (request.channel !== channel || request.outletId !== options.outletId) continue;
      if (!request.itemId) {
        logger.warn({ request }, "redelivery request without an item id; ignored");
        continue;
      }
      forward.push({
        key: request.itemId,
        value: request,
        traceContext: extractTraceContext(message.headers ?? {}),
      });
    }
    return forward;
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const commit = (offset: string) => {
      payload.resolveOffset(offset);
      // Through the batch payload: consumer.commitOffsets() does nothing once stop() has begun.
      return payload.commitOffsetsIfNecessary({
        topics: [
          { topic, partitions: [{ partition: batch.partition, offset: nextOffset(offset) }] },
        ],
      });
    };
    for (let start = 0; start < batch.messages.length; start += FORWARD_CHUNK) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(start, start + FORWARD_CHUNK);
      const forward = await requestsOf(chunk, batch.partition);
      if (forward.length > 0) await options.producer.send(queue, forward);
      await commit(chunk.at(-1)!.offset);
      await payload.heartbeat();
    }
    // A transaction marker after the last message belongs to the batch but reaches no
    // handler: commit past it, or the group would look one behind after every transaction.
    const end = batch.lastOffset();
    const last = batch.messages.at(-1)?.offset;
    if (last !== undefined && BigInt(end) > BigInt(last) && payload.isRunning()) await commit(end);
  }

  const runConsumer = () =>
    consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  const cancelRestart = restartAfterCrash(consumer, {
    run: runConsumer,
    stopping: () => status.state === "stopping" || status.state === "stopped",
    logger,
    onRestarted: () => (status.state = "running"),
  });

  return {
    async start() {
      status.state = "starting";
      await consumer.connect();
      // Requests made while the channel was down still count.
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await runConsumer();
      status.state = "running";
    },
    async stop() {
      if (status.state === "stopped") return;
      status.state = "stopping";
      await cancelRestart();
      await consumer.disconnect();
      status.state = "stopped";
    },
    status: () => ({ ...status }),
  };
}
