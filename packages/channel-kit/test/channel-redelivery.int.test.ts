import {
  type DeadLetter,
  DeliveryOutcome,
  type DeliveryReceipt,
  type ItemState,
  Topics,
  deadLetterTopic,
} from "@herald/contracts";
import { connectMongo, createLogger, loadConfig, schemaHeaders, topicName } from "@herald/runtime";
import { testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import type { Connection } from "mongoose";
import { type ChannelRuntime, type CurrentStateSource, channelEnv, startChannel } from "../src";
import {
  RecordingChannel,
  itemState,
  testChannelEnv,
  writeInventoryTokenFile,
} from "../src/testing";

const ns = useTestNamespace("channel-redelivery");
const logger = createLogger({ service: "test", level: "silent" });
const CHANNEL = "platform";
/** What the content service would answer: the redelivery lane fetches current states from it. */
const current = new Map<string, ItemState>();
const content: CurrentStateSource = {
  currentState: (itemId) => Promise.resolve(current.get(itemId)),
  close: () => undefined,
};
let channel: RecordingChannel;
let runtime: ChannelRuntime;
let receipts: TopicCollector<DeliveryReceipt>;
let dlq: TopicCollector<DeadLetter>;
let database: Connection;

const holdings = () =>
  database.db!.collection<{ _id: string; applies: number; version: number }>("holdings");

async function publish(state: ItemState): Promise<void> {
  current.set(state.id, state);
  const producer = await testProducer(ns);
  await producer.send(Topics.items, [{ key: state.id, value: state }]);
  await receipts.waitFor(
    (r) => r.itemId === state.id && r.version === state.version,
    `a receipt for ${state.id} v${state.version}`,
  );
}

function request(channel: string, itemId: string, requestedAt: Date) {
  return {
    key: `${channel}/${itemId}`,
    value: {
      channel,
      outletId: "",
      itemId,
      version: 1,
      reason: "missing in audit",
      requestedBy: "test",
      requestedAt,
    },
  };
}

/** Asks for a redelivery as the reconciler does, and returns the receipt that answers it. */
async function redeliver(itemId: string, version: number): Promise<DeliveryReceipt> {
  const requestedAt = new Date();
  const producer = await testProducer(ns);
  await producer.send(Topics.redeliver, [
    {
      key: `${CHANNEL}/${itemId}`,
      value: {
        channel: CHANNEL,
        outletId: "",
        itemId,
        version,
        reason: "missing in audit",
        requestedBy: "test",
        requestedAt,
      },
    },
  ]);
  return receipts.waitFor(
    (r) => r.itemId === itemId && r.at! >= requestedAt,
    `the receipt answering the redelivery of ${itemId}`,
  );
}

beforeAll(async () => {
  const stack = testStack();
  const dbName = ns.dbName(CHANNEL);
  channel = new RecordingChannel({ name: CHANNEL, keepsWithdrawn: true });
  const config = loadConfig(channelEnv, {
    ...testChannelEnv({
      brokers: stack.brokers,
      mongoUrl: stack.mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName,
      inventoryTokensFile: writeInventoryTokenFile({}),
    }),
  });
  runtime = await startChannel({ adapter: channel, config, logger, content });
  ns.beforeCleanup(() => runtime.stop());
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  dlq = await new TopicCollector(ns, deadLetterTopic(CHANNEL)).start();
  ns.beforeCleanup(() => dlq.stop());
  database = await connectMongo({ url: stack.mongoUrl, dbName, logger });
  ns.beforeCleanup(() => database.close());
});

describe("a redelivery", () => {
  it("of a version the channel still has sends the receipt again and applies nothing", async () => {
    await publish(itemState("held", 1));
    const reconfirmed = runtime.metrics.get("reconfirmed");
    const receipt = await redeliver("held", 1);
    expect(receipt).toMatchObject({
      version: 1,
      outcome: DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
      checksum: "sha256:held:1",
      externalRef: "recorder://held",
    });
    expect(channel.applies("held")).toEqual([1]);
    expect(channel.calls.filter((c) => c.id === "held" && c.op === "verify")).toHaveLength(1);
    expect((await holdings().findOne({ _id: "held" }))?.applies).toBe(1);
    expect(runtime.metrics.get("reconfirmed")).toBe(reconfirmed + 1);
  });

  it("after the holding was deleted behind the runtime's back applies the version again", async () => {
    await publish(itemState("deleted", 1));
    await holdings().deleteOne({ _id: "deleted" });
    // The runtime's cache still says held: the redelivery must read the database.
    expect(runtime.holdings().find((h) => h.itemId === "deleted")?.status).toBe("held");
    const receipt = await redeliver("deleted", 1);
    expect(receipt).toMatchObject({
      version: 1,
      outcome: DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
    });
    expect(channel.applies("deleted")).toEqual([1, 1]);
    expect(await holdings().findOne({ _id: "deleted" })).toMatchObject({ version: 1 });
  });

  it("applies again when the platform's own check finds the item gone, though the holding is there", async () => {
    await publish(itemState("gone", 1));
    channel.shown.delete("gone"); // deleted on the platform by hand
    const receipt = await redeliver("gone", 1);
    expect(receipt.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    expect(channel.applies("gone")).toEqual([1, 1]);
    expect(channel.shown.get("gone")?.version).toBe(1);
    expect((await holdings().findOne({ _id: "gone" }))?.applies).toBe(2);
  });

  it("applies nothing and sends a FAILED receipt when the platform cannot be checked", async () => {
    await publish(itemState("unchecked", 1));
    channel.unverifiable.add("unchecked");
    const receipt = await redeliver("unchecked", 1);
    expect(receipt).toMatchObject({
      version: 1,
      outcome: DeliveryOutcome.DELIVERY_OUTCOME_FAILED,
      error: { code: "channel.verify_failed", retryable: true },
    });
    expect(channel.applies("unchecked")).toEqual([1]);
    // The holding still says what the channel held; only an audit or a later request settles it.
    expect(await holdings().findOne({ _id: "unchecked" })).toMatchObject({
      version: 1,
      applies: 1,
    });
  });

  it("of a version with another checksum than the one held applies it", async () => {
    await publish(itemState("changed", 1));
    // The same version with other content: the content service corrected it in place.
    current.set("changed", itemState("changed", 1, { checksum: "sha256:changed:1b" }));
    const receipt = await redeliver("changed", 1);
    expect(receipt).toMatchObject({ version: 1, checksum: "sha256:changed:1b" });
    expect(channel.applies("changed")).toEqual([1, 1]);
  });

  it("forwards a burst of requests and answers each once, without applying a held item again", async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `burst-${String(i).padStart(3, "0")}`);
    const producer = await testProducer(ns);
    const states = ids.map((id) => itemState(id, 1));
    for (const state of states) current.set(state.id, state);
    await producer.send(
      Topics.items,
      states.map((state) => ({ key: state.id, value: state })),
    );
    const held = (id: string) => receipts.values().some((r) => r.itemId === id);
    await waitFor(() => ids.every(held), { description: "every burst item delivered" });
    const requestedAt = new Date();
    await producer.send(
      Topics.redeliver,
      ids.map((id) => request(CHANNEL, id, requestedAt)),
    );
    const answered = () =>
      new Set(
        receipts
          .values()
          .filter((r) => r.at! >= requestedAt)
          .map((r) => r.itemId),
      );
    await waitFor(() => ids.every((id) => answered().has(id)), {
      description: "a receipt for every request",
      timeoutMs: 60_000,
    });
    for (const id of ids) expect(channel.applies(id)).toEqual([1]);
    const answers = receipts
      .values()
      .filter((r) => r.at! >= requestedAt && r.itemId.startsWith("burst-"));
    expect(answers).toHaveLength(300);
  });

  it("forwards only its own requests, and dead-letters an unreadable one meant for it", async () => {
    await publish(itemState("routed", 1));
    const requestedAt = new Date();
    const kafka = testKafka().producer();
    await kafka.connect();
    try {
      await kafka.send({
        topic: topicName(Topics.redeliver, ns.topicPrefix),
        messages: [
          {
            key: `${CHANNEL}/unreadable`,
            value: Buffer.from("not protobuf"),
            headers: schemaHeaders(Topics.redeliver.schema),
          },
          {
            key: "other/unreadable",
            value: Buffer.from("not protobuf"),
            headers: schemaHeaders(Topics.redeliver.schema),
          },
        ],
      });
    } finally {
      await kafka.disconnect();
    }
    const producer = await testProducer(ns);
    await producer.send(Topics.redeliver, [
      request("other", "routed", requestedAt),
      request(CHANNEL, "routed", requestedAt),
    ]);
    const letter = await dlq.waitFor(
      (l) => Buffer.from(l.key).toString() === `${CHANNEL}/unreadable`,
      "the unreadable request in the DLQ",
    );
    expect(letter.reason).toMatch(/RedeliveryRequest/);
    await receipts.waitFor((r) => r.itemId === "routed" && r.at! >= requestedAt, "the answer");
    // One answer: the request for the other channel was not this channel's to carry out.
    expect(runtime.metrics.get("redelivered")).toBeGreaterThan(0);
    expect(
      dlq.values().filter((l) => Buffer.from(l.key).toString() === "other/unreadable"),
    ).toEqual([]);
  });
});
