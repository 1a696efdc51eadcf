import type { TopicSpec } from "@herald/contracts";
import { SpanKind, context, trace } from "@opentelemetry/api";
import { Partitioners, type Kafka, type Producer, type RecordMetadata } from "kafkajs";
import type { Logger } from "../logging/logger";
import { endSpanAfter, heraldTracer, injectTraceContext } from "../telemetry/tracing";
import { encodePayload, schemaHeaders } from "./codec";
import { topicName } from "./topic-names";

export interface OutgoingRecord<T> {
  key: string;
  value: T;
  /** Extra headers; the content type, schema and trace context are added. */
  headers?: Record<string, string>;
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
      return endSpanAfter(span, async () => {
        const messages = records.map((record) => {
          const headers = { ...record.headers, ...schemaHeaders(spec.schema) };
          injectTraceContext(headers, spanContext);
          return { key: record.key, value: encodePayload(spec.schema, record.value), headers };
        });
        const result = await producer.send({ topic, acks: -1, messages });
        log.debug({ topic, count: records.length }, "sent");
        return result;
      });
    },
  };
}
