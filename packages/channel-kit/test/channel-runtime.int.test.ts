import * as grpc from "@grpc/grpc-js";
import {
  ChannelInventoryClient,
  type DeadLetter,
  DeliveryOutcome,
  type DeliveryReceipt,
  type ListHoldingsResponse,
  ItemStatus,
  TakedownKind,
  Topics,
  deadLetterTopic,
} from "@herald/contracts";
import { createLogger, loadConfig, schemaHeaders } from "@herald/runtime";
import { testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import { type ChannelRuntime, channelEnv, startChannel } from "../src";
import {
  RecordingChannel,
  itemState,
  takenDown,
  testChannelEnv,
  writeInventoryTokenFile,
} from "../src/testing";

const ns = useTestNamespace("channel-kit");
const logger = createLogger({ service: "test", level: "silent" });
const TOKEN = "inventory-test-token";
let channel: RecordingChannel;
let runtime: ChannelRuntime;
let receipts: TopicCollector<DeliveryReceipt>;
let dlq: TopicCollector<DeadLetter>;

function receiptsOf(id: string): DeliveryReceipt[] {
  return receipts.values().filter((r) => r.itemId === id);
}

function waitForReceipt(id: string, version: number, outcome: DeliveryOutcome) {
  return receipts.waitFor(
    (r) => r.itemId === id && r.version === version && r.outcome === outcome,
    `${DeliveryOutcome[outcome]} receipt for ${id} v${version}`,
  );
}

beforeAll(async () => {
  const stack = testStack();
  channel = new RecordingChannel();
  const config = loadConfig(channelEnv, {
    ...testChannelEnv({
      brokers: stack.brokers,
      mongoUrl: stack.mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName: ns.dbName("recorder"),
      inventoryTokensFile: writeInventoryTokenFile({ reconciler: TOKEN }),
    }),
    CHANNEL_RETRY_INLINE: "2",
  });
  runtime = await startChannel({ adapter: channel, config, logger });
  ns.beforeCleanup(() => runtime.stop());
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  dlq = await new TopicCollector(ns, deadLetterTopic("recorder")).start();
  ns.beforeCleanup(() => receipts.stop());
  ns.beforeCleanup(() => dlq.stop());
});

describe("the channel runtime", () => {
  it("applies each version once and in order; duplicates and older versions change nothing", async () => {
    const producer = await testProducer(ns);
    const send = (version: number) =>
      producer.send(Topics.items, [{ key: "order", value: itemState("order", version) }]);
    await send(1);
    await send(2);
    await send(2);
    await send(1);
    await send(3);
    const delivered = await waitForReceipt("order", 3, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    expect(delivered.checksum).toBe("sha256:order:3");
    expect(delivered.externalRef).toBe("recorder://order");
    expect(channel.shown.get("order")?.version).toBe(3);
    // Within a chunk only the newest version is applied; across chunks each newer one once.
    const applied = channel.applies("order");
    expect(applied).toEqual([...applied].sort((a, b) => a - b));
    expect(new Set(applied).size).toBe(applied.length);
    expect(applied.at(-1)).toBe(3);
    const holding = runtime.holdings().find((h) => h.itemId === "order");
    expect(holding).toMatchObject({ version: 3, status: "held", checksum: "sha256:order:3" });
  });

  it("removes a taken-down item and keeps a withdrawn one as a notice, with receipts", async () => {
    const producer = await testProducer(ns);
    await producer.send(Topics.items, [
      { key: "gone", value: itemState("gone", 1) },
      { key: "kept", value: itemState("kept", 1) },
    ]);
    await waitForReceipt("gone", 1, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    await waitForReceipt("kept", 1, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    await producer.send(Topics.items, [
      { key: "gone", value: takenDown("gone", 2, TakedownKind.TAKEDOWN_KIND_REMOVED) },
      { key: "kept", value: takenDown("kept", 2, TakedownKind.TAKEDOWN_KIND_WITHDRAWN) },
    ]);
    const removed = await waitForReceipt("gone", 2, DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
    expect(removed.checksum).toBe("");
    await waitForReceipt("kept", 2, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    expect(channel.shown.has("gone")).toBe(false);
    expect(channel.shown.get("kept")?.status).toBe(ItemStatus.ITEM_STATUS_RETRACTED);
  });

  it("declines an item aimed at other channels, records why, and does not call the channel", async () => {
    const producer = await testProducer(ns);
    await producer.send(Topics.items, [
      {
        key: "elsewhere",
        value: itemState("elsewhere", 1, { targeting: { channels: ["hotline-kb"] } }),
      },
    ]);
    const declined = await waitForReceipt(
      "elsewhere",
      1,
      DeliveryOutcome.DELIVERY_OUTCOME_DECLINED,
    );
    expect(declined.error).toMatchObject({ code: "declined.targeting.channel", retryable: false });
    expect(declined.error?.message).toContain("hotline-kb");
    expect(channel.calls.some((c) => c.id === "elsewhere")).toBe(false);
  });

  it("dead-letters a poison message with its reason while later items still arrive", async () => {
    const kafkaProducer = testKafka().producer();
    await kafkaProducer.connect();
    try {
      await kafkaProducer.send({
        topic: `${ns.topicPrefix}${Topics.items.name}`,
        messages: [
          {
            key: "poison",
            value: Buffer.from([0xff, 0xff, 0xff]),
            headers: schemaHeaders(Topics.items.schema),
          },
          { key: "no-headers", value: Buffer.from("{}") },
        ],
      });
    } finally {
      await kafkaProducer.disconnect();
    }
    const producer = await testProducer(ns);
    await producer.send(Topics.items, [{ key: "poison", value: itemState("poison", 1) }]);
    await waitForReceipt("poison", 1, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    const letters = await waitFor(
      () => {
        const values = dlq.values();
        return values.length >= 2 ? values : undefined;
      },
      { description: "two dead letters" },
    );
    const poison = letters.find((l) => Buffer.from(l.key).toString() === "poison")!;
    expect(poison.reason).toMatch(/not a valid herald.content.v1.ItemState/);
    expect(poison.sourceTopic).toBe(`${ns.topicPrefix}${Topics.items.name}`);
    expect(Buffer.from(poison.value)).toEqual(Buffer.from([0xff, 0xff, 0xff]));
    const headerless = letters.find((l) => Buffer.from(l.key).toString() === "no-headers")!;
    expect(headerless.reason).toMatch(/content-type/);
  });

  it("retries a transient failure with backoff without holding back the items behind it", async () => {
    const producer = await testProducer(ns);
    channel.failing.set("flaky", 3); // two inline attempts fail, then the first deferred retry fails
    await producer.send(Topics.items, [
      { key: "flaky", value: itemState("flaky", 1) },
      { key: "steady", value: itemState("steady", 1) },
    ]);
    const failed = await waitForReceipt("flaky", 1, DeliveryOutcome.DELIVERY_OUTCOME_FAILED);
    expect(failed.error).toMatchObject({ code: "recorder.busy", retryable: true });
    await waitForReceipt("steady", 1, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    expect(channel.shown.has("flaky")).toBe(false);
    const delivered = await waitForReceipt("flaky", 1, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    expect(delivered.attempt).toBe(4);
    expect(channel.applies("flaky")).toEqual([1, 1, 1, 1]);
    expect(runtime.metrics.get("retried")).toBeGreaterThanOrEqual(2);
    const holding = runtime.holdings().find((h) => h.itemId === "flaky");
    expect(holding).toMatchObject({ status: "held", version: 1, applies: 1 });
  });

  it("sends a version the channel refuses for good to the DLQ with a REJECTED receipt", async () => {
    const producer = await testProducer(ns);
    channel.refusing.add("refused");
    await producer.send(Topics.items, [{ key: "refused", value: itemState("refused", 1) }]);
    const rejected = await waitForReceipt("refused", 1, DeliveryOutcome.DELIVERY_OUTCOME_REJECTED);
    expect(rejected.error).toMatchObject({ code: "recorder.refused", retryable: false });
    const letter = await dlq.waitFor(
      (l) => Buffer.from(l.key).toString() === "refused",
      "a dead letter for refused",
    );
    expect(letter.reason).toContain("recorder.refused");
    expect(channel.applies("refused")).toEqual([1]);
  });

  it("serves ListHoldings over gRPC to an authenticated caller, paged, matching what it shows", async () => {
    const client = new ChannelInventoryClient(
      `127.0.0.1:${runtime.inventoryPort}`,
      grpc.credentials.createInsecure(),
    );
    const call = (token: string | undefined, pageToken = "", pageSize = 2) =>
      new Promise<ListHoldingsResponse>((resolve, reject) => {
        const metadata = new grpc.Metadata();
        if (token) metadata.set("authorization", `Bearer ${token}`);
        client.listHoldings({ outletId: "", pageSize, pageToken }, metadata, (error, response) =>
          error ? reject(error) : resolve(response),
        );
      });
    try {
      await expect(call(undefined)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      await expect(call("wrong")).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      const listed: string[] = [];
      let pageToken = "";
      do {
        const page = await call(TOKEN, pageToken);
        listed.push(...page.holdings.map((h) => `${h.itemId}@${h.version}`));
        pageToken = page.nextPageToken;
      } while (pageToken);
      const shown = [...channel.shown.values()].map((s) => `${s.id}@${s.version}`).sort();
      expect(listed).toEqual(shown);
    } finally {
      client.close();
    }
  });

  it("is ready, and reports its counters as metrics", async () => {
    await waitFor(() => runtime.ready().ok, { description: "the channel to be ready" });
    const text = runtime.metricsText();
    expect(text).toMatch(/herald_channel_applied_total\{channel="recorder"\} [1-9]/);
    expect(text).toMatch(/herald_channel_dead_lettered_total\{channel="recorder"\} [1-9]/);
    expect(text).toContain("herald_channel_holdings_held");
    // Every in-memory queue shows its size and its limit.
    for (const gauge of [
      /retries_pending\{channel="recorder"\} \d+/,
      /retries_pending_limit\{channel="recorder"\} 1000/,
      /retries_shed_total\{channel="recorder"\} 0/,
      /applies_in_flight\{channel="recorder"\} \d+/,
      /applies_waiting\{channel="recorder"\} \d+/,
      /applies_in_flight_limit\{channel="recorder"\} 64/,
      /inventory_snapshots\{channel="recorder"\} \d+/,
      /inventory_snapshots_limit\{channel="recorder"\} 4/,
      /inventory_snapshot_holdings\{channel="recorder"\} \d+/,
      /peer_sync_lag_messages\{channel="recorder"\} \d+/,
    ]) {
      expect(text).toMatch(gauge);
    }
    expect(receiptsOf("order").length).toBeGreaterThan(0);
  });
});
