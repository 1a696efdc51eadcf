import { ItemState, MessageHeaders, Topics } from "@herald/contracts";
import { loadExamples } from "@herald/contracts/testing";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { createConsumerRunner, type ConsumedMessage } from "../src/kafka/consumer";
import { createProducer } from "../src/kafka/producer";
import { ensureTopics } from "../src/kafka/topics";
import { runtimeKafka, testLogger } from "./support";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register({ propagator: new W3CTraceContextPropagator() });
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

const ns = useTestNamespace("kafka-roundtrip");

describe("an ItemState through the real broker", () => {
  it("arrives decoded in a consumer group with its headers, and its trace continues across the hop", async () => {
    const kafka = runtimeKafka("roundtrip");
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [Topics.items], { prefix: ns.topicPrefix, partitions: 3 });
    await admin.disconnect();

    const examples = loadExamples(Topics.items.schema, ItemState).map((e) => e.message);
    const received: { message: ConsumedMessage<ItemState>; traceId: string | undefined }[] = [];
    const runner = createConsumerRunner({
      kafka,
      groupId: ns.groupId("portal"),
      topic: Topics.items,
      topicPrefix: ns.topicPrefix,
      logger: testLogger,
      handle: (message) => {
        received.push({ message, traceId: trace.getActiveSpan()?.spanContext().traceId });
        return Promise.resolve();
      },
      onInvalid: (message) =>
        Promise.reject(new Error(`unexpected invalid message: ${message.reason}`)),
    });
    await runner.start();

    const producer = createProducer(kafka, { logger: testLogger, topicPrefix: ns.topicPrefix });
    await producer.connect();
    const parent = trace.getTracer("test").startSpan("publish from the console");
    await context.with(trace.setSpan(context.active(), parent), () =>
      producer.send(
        Topics.items,
        examples.map((item) => ({ key: item.id, value: item })),
      ),
    );
    parent.end();

    await waitFor(() => received.length === examples.length, {
      description: "every example to arrive",
    });
    await producer.disconnect();
    await runner.stop();

    const byId = new Map(received.map((r) => [r.message.value.id, r]));
    for (const item of examples) {
      const got = byId.get(item.id);
      expect(got?.message.value).toEqual(item);
      expect(got?.message.key).toBe(item.id);
      expect(got?.message.topic).toBe(`${ns.topicPrefix}herald.items.v1`);
      expect(got?.message.headers[MessageHeaders.contentType]).toBe("application/x-protobuf");
      expect(got?.message.headers[MessageHeaders.schema]).toBe("herald.content.v1.ItemState");
      expect(got?.message.headers[MessageHeaders.traceparent]).toMatch(
        new RegExp(`^00-${parent.spanContext().traceId}-[0-9a-f]{16}-01$`),
      );
      // The handler runs inside the continued trace.
      expect(got?.traceId).toBe(parent.spanContext().traceId);
    }

    const spans = exporter.getFinishedSpans();
    const send = spans.find((s) => s.name === "send herald.items.v1");
    const processed = spans.filter((s) => s.name === "process herald.items.v1");
    expect(send?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(processed).toHaveLength(examples.length);
    for (const span of processed) {
      expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
      expect(span.attributes["messaging.consumer.group.name"]).toBe(ns.groupId("portal"));
    }
  });
});
