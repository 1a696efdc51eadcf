import { DeliveryOutcome, type DeliveryReceipt, type ItemState, Topics } from "@herald/contracts";
import { connectMongo, createLogger, loadConfig } from "@herald/runtime";
import { testStack, useTestNamespace } from "@herald/test-harness";
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
});
