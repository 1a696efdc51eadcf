import { DeliveryOutcome, type DeliveryReceipt, ItemStatus, Topics } from "@herald/contracts";
import { createLogger, ensureTopics, topicName } from "@herald/runtime";
import { testKafka, useTestNamespace, waitFor } from "@herald/test-harness";
import { testProducer } from "@herald/test-harness/topics";
import type { Admin } from "kafkajs";
import type { Holding } from "../src/holdings";
import { commitGroupOffsets } from "../src/group-offsets";
import { PeerSync } from "../src/peer-sync";
import { sendReceipts } from "../src/receipts";

const ns = useTestNamespace("peer-sync");
const logger = createLogger({ service: "test", level: "silent" });
const CHANNEL = "peers";
const PARTITIONS = 3;
const topic = topicName(Topics.receipts, ns.topicPrefix);
let admin: Admin;

function delivered(itemId: string, version: number): DeliveryReceipt {
  return {
    itemId,
    version,
    channel: CHANNEL,
    outletId: "",
    outcome: DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
    checksum: `sum-${itemId}-${version}`,
    externalRef: "",
    attempt: 1,
    at: new Date(),
  };
}

function holding(itemId: string, version: number): Holding {
  return {
    itemId,
    version,
    checksum: `sum-${itemId}-${version}`,
    externalRef: "",
    status: "held",
    itemStatus: ItemStatus.ITEM_STATUS_PUBLISHED,
    appliedAt: new Date(),
    applies: 1,
  };
}

/**
 * What the other instances wrote, as the database would answer `refresh`; the
 * holdings store itself is covered by the runtime's tests.
 */
class OtherInstancesWrites {
  readonly written = new Map<string, Holding>();
  readonly refreshed: string[] = [];
  peek(): Holding | undefined {
    return undefined;
  }
  refresh(itemId: string) {
    this.refreshed.push(itemId);
    const found = this.written.get(itemId);
    return Promise.resolve(found ? { holding: found, state: undefined } : undefined);
  }
}

beforeAll(async () => {
  admin = testKafka().admin();
  await admin.connect();
  ns.beforeCleanup(() => admin.disconnect());
  await ensureTopics(admin, [Topics.receipts], { prefix: ns.topicPrefix, partitions: PARTITIONS });
});

describe("peer sync", () => {
  it("commits the receipts' ends for its group without joining it, then reads only what came after", async () => {
    const producer = await testProducer(ns);
    const before = ["a", "b", "c", "d", "e", "f"].map((id) => delivered(id, 1));
    await sendReceipts(producer, before);

    const store = new OtherInstancesWrites();
    const changed: string[] = [];
    const peers = new PeerSync({
      kafka: testKafka(),
      channel: CHANNEL,
      instanceId: "one",
      groupPrefix: ns.groupId("portal"),
      topicPrefix: ns.topicPrefix,
      holdings: store,
      ownPartitions: () => new Set(),
      onChange: (h) => changed.push(`${h.itemId}@${h.version}`),
      logger,
    });
    ns.beforeCleanup(() => peers.stop());

    await peers.prepare();

    // Every partition's committed offset is the end it had, including those holding nothing yet.
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: peers.groupId, topics: [topic] });
    const byPartition = (rows: Array<{ partition: number; offset: string }>) =>
      Object.fromEntries(rows.map((r) => [r.partition, r.offset]));
    expect(byPartition(committed!.partitions)).toEqual(
      byPartition(ends.map((e) => ({ partition: e.partition, offset: e.high }))),
    );
    expect(ends.reduce((sum, e) => sum + Number(e.high), 0)).toBe(before.length);
    // No member ever joined: a join (kafkajs's setOffsets) leaves the protocol type "consumer".
    const {
      groups: [group],
    } = await admin.describeGroups([peers.groupId]);
    expect({ state: group!.state, protocolType: group!.protocolType }).toEqual({
      state: "Empty",
      protocolType: "",
    });

    // A change made after `prepare` and before the group joined is still read.
    store.written.set("g", holding("g", 2));
    await sendReceipts(producer, [delivered("g", 2)]);
    await peers.start();
    await waitFor(() => changed.includes("g@2"), {
      timeoutMs: 30_000,
      description: "the receipt sent between prepare and start",
    });
    expect(store.refreshed).toEqual(["g"]);
  });

  it("still sets the offsets, by joining the group, on a client without kafkajs's cluster factory", async () => {
    // An object inheriting from the client has none of its own symbols: the direct commit cannot find one.
    const kafka = Object.create(testKafka()) as ReturnType<typeof testKafka>;
    const groupId = ns.groupId("fallback");
    const ends = await admin.fetchTopicOffsets(topic);
    const partitions = ends
      .map((e) => ({ partition: e.partition, offset: e.high }))
      .sort((a, b) => a.partition - b.partition);
    const how = await commitGroupOffsets({ kafka, groupId, topic, partitions, logger });
    expect(how).toBe("joined");
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const stored = committed!.partitions
      .map(({ partition, offset }) => ({ partition, offset }))
      .sort((a, b) => a.partition - b.partition);
    expect(stored).toEqual(partitions);
    await admin.deleteGroups([groupId]);
  });
});
