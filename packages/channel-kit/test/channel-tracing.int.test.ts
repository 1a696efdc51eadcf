import { Topics } from "@herald/contracts";
import { createLogger, createTransactionalProducer, loadConfig } from "@herald/runtime";
import { testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { testProducer } from "@herald/test-harness/topics";
import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { type ChannelRuntime, channelEnv, startChannel } from "../src";
import {
  RecordingChannel,
  itemState,
  testChannelEnv,
  writeInventoryTokenFile,
} from "../src/testing";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const ns = useTestNamespace("channel-tracing");
const logger = createLogger({ service: "test", level: "silent" });
let channel: RecordingChannel;
let runtime: ChannelRuntime;

beforeAll(async () => {
  provider.register({ propagator: new W3CTraceContextPropagator() });
  channel = new RecordingChannel({ name: "traced" });
  const config = loadConfig(channelEnv, {
    ...testChannelEnv({
      brokers: testStack().brokers,
      mongoUrl: testStack().mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName: ns.dbName("traced"),
      inventoryTokensFile: writeInventoryTokenFile({}),
    }),
    CHANNEL_STALL_MS: "1000",
  });
  runtime = await startChannel({ adapter: channel, config, logger });
  ns.beforeCleanup(() => runtime.stop());
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

describe("a channel fed by the content service's transactional relay", () => {
  it("applies each item in a span that continues the trace the message carries", async () => {
    // The relay sends in transactions; so does this producer.
    const producer = createTransactionalProducer(testKafka(), {
      logger,
      topicPrefix: ns.topicPrefix,
      transactionalId: `${ns.id}-relay`,
    });
    await producer.connect();
    ns.beforeCleanup(() => producer.disconnect());
    const publish = trace.getTracer("test").startSpan("publish from the console");
    await context.with(trace.setSpan(context.active(), publish), () =>
      producer.sendAll(Topics.items, [{ key: "traced-1", value: itemState("traced-1", 1) }]),
    );
    publish.end();
    await waitFor(() => channel.shown.has("traced-1"), { description: "the item applied" });
    const apply = await waitFor(
      () => exporter.getFinishedSpans().find((s) => s.name === "apply traced"),
      { description: "the apply span" },
    );
    expect(apply.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(apply.attributes).toMatchObject({
      "herald.channel": "traced",
      "herald.item.id": "traced-1",
      "herald.item.version": 1,
      "herald.apply.outcome": "delivered",
    });
  });

  it("catches up to zero lag past the transaction markers and stays ready", async () => {
    await waitFor(() => runtime.metrics.lag() === 0 && runtime.partitions().length === 3, {
      description: "zero lag on all partitions",
    });
    // Longer than CHANNEL_STALL_MS: idle with no lag is not a stall.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runtime.ready()).toMatchObject({ ok: true, consuming: { state: "normal", lag: 0 } });
  });

  it("stays ready while a hanging apply stalls consuming: the consuming state goes to stalled and back", async () => {
    const producer = await testProducer(ns);
    channel.hold("stuck");
    await producer.send(Topics.items, [
      { key: "stuck", value: itemState("stuck", 1) },
      { key: "stuck", value: itemState("stuck", 2) },
    ]);
    const stalled = await waitFor(
      () => {
        const state = runtime.ready();
        return state.consuming.state === "stalled" ? state : undefined;
      },
      { description: "the consuming state to go to stalled while the apply hangs" },
    );
    // Ready for traffic all the same: the inventory and what the channel serves are complete.
    expect(stalled.ok).toBe(true);
    expect(stalled.consuming.detail).toMatch(/no progress for \d+ s with \d+ messages behind/);
    expect(stalled.detail).toMatch(/^holdings loaded; consuming stalled: no progress/);
    expect(runtime.metricsText()).toMatch(
      /herald_channel_consuming\{channel="traced",state="stalled"\} 1/,
    );
    channel.release("stuck");
    await waitFor(() => channel.shown.get("stuck")?.version === 2, {
      description: "the newest version applied",
    });
    const normal = await waitFor(
      () => {
        const state = runtime.ready();
        return state.consuming.state === "normal" ? state : undefined;
      },
      { description: "consuming normally again" },
    );
    expect(normal.ok).toBe(true);
    expect(runtime.metricsText()).toMatch(
      /herald_channel_consuming\{channel="traced",state="normal"\} 1/,
    );
  });
});
