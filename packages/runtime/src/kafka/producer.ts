import type { TopicSpec } from "@herald/contracts";
import { type Context, SpanKind, context, trace } from "@opentelemetry/api";
import {
  Partitioners,
  type Kafka,
  type Message,
  type Producer,
  type RecordMetadata,
} from "kafkajs";
import type { Logger } from "../logging/logger";
import { endSpanAfter, heraldTracer, injectTraceContext } from "../telemetry/tracing";
import { encodePayload, schemaHeaders } from "./codec";
import { topicName } from "./topic-names";

export interface OutgoingRecord<T> {
  key: string;
  value: T;
  /** Extra headers; the content type, schema and trace context are added. */
  headers?: Record<string, string>;
  /**
   * The trace this message continues, when it is not the caller's: an outbox
   * relay sends each event in the context of the request that made it.
   */
  traceContext?: Context;
}

export interface HeraldProducer {
  connect(): Promise<void>;
  /** Sends records to one topic and resolves once the broker acknowledged all of them (acks=all). */
  send<T>(topic: TopicSpec<T>, records: readonly OutgoingRecord<T>[]): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  logger: Logger;
  topicPrefix?: string;
}

/**
 * Runs `send` inside a producer span, with the records encoded and their headers
 * set: content type, schema, and the trace each continues (its own, or the span's).
 */
function tracedSend<T, R>(
  spec: TopicSpec<T>,
  topic: string,
  records: readonly OutgoingRecord<T>[],
  send: (messages: Message[]) => Promise<R>,
): Promise<R> {
  const span = heraldTracer().startSpan(`send ${spec.name}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "messaging.system": "kafka",
      "messaging.operation.type": "send",
      "messaging.destination.name": topic,
      "messaging.batch.message_count": records.length,
    },
  });
  const spanContext = trace.setSpan(context.active(), span);
  return endSpanAfter(span, () => {
    const messages = records.map((record) => {
      const headers = { ...record.headers, ...schemaHeaders(spec.schema) };
      injectTraceContext(headers, record.traceContext ?? spanContext);
      return { key: record.key, value: encodePayload(spec.schema, record.value), headers };
    });
    return send(messages);
  });
}

/**
 * An idempotent producer: the broker de-duplicates retried batches, acks=all, and
 * one request in flight per connection, so records with the same key are never
 * reordered by a retry (an older item version must never land after a newer one).
 */
export function createProducer(kafka: Kafka, options: ProducerOptions): HeraldProducer {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const log = options.logger.child({ component: "producer" });

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    send<T>(spec: TopicSpec<T>, records: readonly OutgoingRecord<T>[]) {
      const topic = topicName(spec, options.topicPrefix);
      return tracedSend(spec, topic, records, async (messages) => {
        const result = await producer.send({ topic, acks: -1, messages });
        log.debug({ topic, count: records.length }, "sent");
        return result;
      });
    },
  };
}

export interface TransactionalProducer {
  connect(): Promise<void>;
  /**
   * Sends records to one topic in one transaction: consumers (which read only
   * committed messages) see all of them or none. Rejects with a fencing error
   * when another producer with the same transactional id has started since.
   */
  sendAll<T>(topic: TopicSpec<T>, records: readonly OutgoingRecord<T>[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** True for the errors a producer gets after a newer one with its transactional id took over. */
export function isFencedError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { type, name } = e as { type?: string; name?: string };
    if (type === "INVALID_PRODUCER_EPOCH" || type === "PRODUCER_FENCED") return true;
    if (name === "KafkaJSProducerFencedError") return true;
    // kafkajs wraps protocol errors in retry errors.
    e =
      (e as { originalError?: unknown; cause?: unknown }).originalError ??
      (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A transactional producer. Kafka lets only the newest producer with a given
 * transactional id write: starting one fences (aborts and refuses) any older
 * instance still running, which is what keeps a paused outbox relay from writing
 * an old item version after its successor wrote a newer one.
 */
export function createTransactionalProducer(
  kafka: Kafka,
  options: ProducerOptions & { transactionalId: string },
): TransactionalProducer {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    transactionalId: options.transactionalId,
    createPartitioner: Partitioners.DefaultPartitioner,
    // A transaction begun while the broker still writes the previous one's markers
    // is refused with CONCURRENT_TRANSACTIONS, which clears within milliseconds;
    // kafkajs's default first retry (300 ms) would put that wait on every such send.
    retry: { initialRetryTime: 20, maxRetryTime: 2_000, retries: 10 },
  });
  const log = options.logger.child({
    component: "producer",
    transactionalId: options.transactionalId,
  });
  return {
    async connect() {
      await producer.connect();
      // kafkajs registers the transactional id only when a first transaction
      // begins; do it now, so connecting is what fences an older producer.
      const transaction = await producer.transaction();
      await transaction.abort();
    },
    disconnect: () => producer.disconnect(),
    async sendAll<T>(spec: TopicSpec<T>, records: readonly OutgoingRecord<T>[]) {
      const topic = topicName(spec, options.topicPrefix);
      await tracedSend(spec, topic, records, async (messages) => {
        const transaction = await producer.transaction();
        try {
          await transaction.send({ topic, acks: -1, messages });
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => undefined);
          throw error;
        }
        log.debug({ topic, count: records.length }, "sent in a transaction");
      });
    },
  };
}
