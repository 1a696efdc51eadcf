import type { TopicSpec } from "@herald/contracts";
import { SpanKind, context, trace } from "@opentelemetry/api";
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "../logging/logger";
import { endSpanAfter, extractTraceContext, heraldTracer } from "../telemetry/tracing";
import { decodePayload, headersToStrings } from "./codec";
import { restartAfterCrash } from "./crash-restart";
import { topicName } from "./topic-names";

/** A decoded message as a handler sees it; handlers never see raw buffers. */
export interface ConsumedMessage<T> {
  topic: string;
  partition: number;
  /** Kafka offsets are int64: kept as the decimal string kafkajs gives. */
  offset: string;
  key: string | null;
  value: T;
  headers: Record<string, string>;
  timestamp: Date;
}

/** A message that could not be decoded as the topic's schema. */
export interface InvalidMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  reason: string;
}

export interface HandlerContext {
  /** Keeps the group membership alive during a long handler. */
  heartbeat(): Promise<void>;
}

export interface ConsumerRunnerOptions<T> {
  kafka: Kafka;
  groupId: string;
  topic: TopicSpec<T>;
  topicPrefix?: string;
  /** Where a group with no committed offset starts: the beginning (default) or only new messages. */
  fromBeginning?: boolean;
  logger: Logger;
  /** Applies one message. Throwing leaves the offset uncommitted, so the message is retried. */
  handle(message: ConsumedMessage<T>, ctx: HandlerContext): Promise<void>;
  /**
   * Takes a message that can never be decoded (the caller dead-letters it). When it
   * returns, the offset is committed and the partition moves on.
   */
  onInvalid(message: InvalidMessage): Promise<void>;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Commit at least this often within a long batch (default 1000 ms). */
  commitIntervalMs?: number;
}

export type ConsumerState = "idle" | "starting" | "running" | "stopping" | "stopped" | "crashed";

export interface ConsumerStatus {
  state: ConsumerState;
  groupId: string;
  topic: string;
  processed: number;
  invalid: number;
  failed: number;
  /** When a message was last processed or the group last answered a fetch. */
  lastActivityAt: Date | undefined;
  lastError: string | undefined;
}

export interface ConsumerRunner {
  /** Joins the group and starts consuming; resolves once subscribed. */
  start(): Promise<void>;
  /** Finishes the message in hand, commits what was processed and leaves the group. */
  stop(): Promise<void>;
  status(): ConsumerStatus;
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/**
 * Consumes one topic in one consumer group with manual commits: an offset is
 * committed only after its message was handled (or handed to `onInvalid`), so a
 * crash or restart replays at most the uncommitted tail and never skips a message.
 * Messages of a partition are handled one at a time, in order.
 */
export function createConsumerRunner<T>(options: ConsumerRunnerOptions<T>): ConsumerRunner {
  const topic = topicName(options.topic, options.topicPrefix);
  const log = options.logger.child({ component: "consumer", groupId: options.groupId, topic });
  const commitIntervalMs = options.commitIntervalMs ?? 1000;
  const status: ConsumerStatus = {
    state: "idle",
    groupId: options.groupId,
    topic,
    processed: 0,
    invalid: 0,
    failed: 0,
    lastActivityAt: undefined,
    lastError: undefined,
  };
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
  });

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    status.lastError = payload.error.message;
    if (!payload.restart) status.state = "crashed";
    log.error({ err: payload.error, restart: payload.restart }, "consumer crashed");
  });
  consumer.on(consumer.events.FETCH, () => {
    status.lastActivityAt = new Date();
  });
  const runConsumer = () =>
    consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  const cancelRestart = restartAfterCrash(consumer, {
    run: runConsumer,
    stopping: () => status.state === "stopping" || status.state === "stopped",
    logger: log,
    onRestarted: () => (status.state = "running"),
  });

  async function processMessage(
    message: KafkaMessage,
    partition: number,
    payload: EachBatchPayload,
  ) {
    const headers = headersToStrings(message.headers);
    const decoded = decodePayload(options.topic.schema, message.value, headers);
    if (!decoded.ok) {
      status.invalid += 1;
      log.warn({ partition, offset: message.offset, reason: decoded.reason }, "invalid message");
      await options.onInvalid({
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers,
        reason: decoded.reason,
      });
      return;
    }
    const parent = extractTraceContext(message.headers ?? {});
    const span = heraldTracer().startSpan(
      `process ${options.topic.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "kafka",
          "messaging.operation.type": "process",
          "messaging.destination.name": topic,
          "messaging.consumer.group.name": options.groupId,
          "messaging.destination.partition.id": String(partition),
          "messaging.kafka.offset": Number(message.offset),
          ...(message.key ? { "messaging.kafka.message.key": message.key.toString("utf8") } : {}),
        },
      },
      parent,
    );
    await endSpanAfter(span, () =>
      context.with(trace.setSpan(parent, span), () =>
        options.handle(
          {
            topic,
            partition,
            offset: message.offset,
            key: message.key ? message.key.toString("utf8") : null,
            value: decoded.value,
            headers,
            timestamp: new Date(Number(message.timestamp)),
          },
          { heartbeat: () => payload.heartbeat() },
        ),
      ),
    );
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    let handled: string | undefined;
    let committed: string | undefined;
    let lastCommitAt = Date.now();
    const commit = async () => {
      if (handled === undefined || handled === committed) return;
      // Through the batch payload: consumer.commitOffsets() silently does nothing once
      // stop() has begun, which would lose the commit of the message finished on stop.
      await payload.commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: nextOffset(handled) }],
          },
        ],
      });
      committed = handled;
      lastCommitAt = Date.now();
    };
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      try {
        await processMessage(message, batch.partition, payload);
      } catch (error) {
        status.failed += 1;
        status.lastError = error instanceof Error ? error.message : String(error);
        log.error(
          { err: error, partition: batch.partition, offset: message.offset },
          "handler failed; the message stays uncommitted and will be retried",
        );
        // Keep what was done before the failure, then let kafkajs back off and retry.
        await commit().catch((commitError: unknown) =>
          log.warn({ err: commitError }, "could not commit before retry"),
        );
        throw error;
      }
      status.processed += 1;
      status.lastActivityAt = new Date();
      handled = message.offset;
      payload.resolveOffset(message.offset);
      if (Date.now() - lastCommitAt >= commitIntervalMs) await commit();
      // A rebalance surfaces here as an error kafkajs itself handles by rejoining.
      await payload.heartbeat();
    }
    // A transaction marker after the last message belongs to the batch but reaches no
    // handler: commit past it once every message was handled, or the group would look
    // one message behind after every transaction.
    const end = batch.lastOffset();
    if (
      handled === batch.messages.at(-1)?.offset &&
      handled !== undefined &&
      BigInt(end) > BigInt(handled)
    ) {
      payload.resolveOffset(end);
      handled = end;
    }
    await commit();
  }

  return {
    async start() {
      status.state = "starting";
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning ?? true });
      await runConsumer();
      status.state = "running";
      log.info("consuming");
    },
    async stop() {
      if (status.state === "stopped") return;
      status.state = "stopping";
      await cancelRestart();
      await consumer.disconnect();
      status.state = "stopped";
      log.info("stopped");
    },
    status: () => ({ ...status }),
  };
}
