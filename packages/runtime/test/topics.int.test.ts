import { MAX_MESSAGE_BYTES, Topics, deadLetterTopic } from "@herald/contracts";
import { useTestNamespace } from "@herald/test-harness";
import { ConfigResourceTypes, type Admin } from "kafkajs";
import { ensureTopics } from "../src/kafka/topics";
import { runtimeKafka, testLogger } from "./support";

const ns = useTestNamespace("topics");
let admin: Admin;

beforeAll(async () => {
  admin = runtimeKafka("topics").admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

async function configOf(topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configNames: ["cleanup.policy", "retention.ms", "max.message.bytes"],
      },
    ],
  });
  return Object.fromEntries(
    (resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
  );
}

describe("ensureTopics", () => {
  const specs = [Topics.items, Topics.receipts, Topics.redeliver, deadLetterTopic("portal")];

  it("creates the topics of DESIGN §4 once; a second run is a no-op", async () => {
    const options = { prefix: ns.topicPrefix, partitions: 3, logger: testLogger };
    const first = await ensureTopics(admin, specs, options);
    const names = specs.map((s) => `${ns.topicPrefix}${s.name}`);
    expect(first.created.sort()).toEqual([...names].sort());

    const second = await ensureTopics(admin, specs, options);
    expect(second).toEqual({ created: [], existing: names, mismatched: [], raised: [] });

    const metadata = await admin.fetchTopicMetadata({ topics: names });
    for (const topic of metadata.topics) expect(topic.partitions).toHaveLength(3);
  });

  it("compacts herald.items.v1 and keeps receipts 7 days and dead letters 30 days", async () => {
    expect((await configOf(`${ns.topicPrefix}herald.items.v1`))["cleanup.policy"]).toBe("compact");
    expect(await configOf(`${ns.topicPrefix}herald.receipts.v1`)).toEqual({
      "cleanup.policy": "delete",
      "retention.ms": String(7 * 24 * 3600 * 1000),
      "max.message.bytes": String(MAX_MESSAGE_BYTES),
    });
    expect((await configOf(`${ns.topicPrefix}herald.dlq.portal.v1`))["retention.ms"]).toBe(
      String(30 * 24 * 3600 * 1000),
    );
  });

  it("reports, and never alters, an existing topic with the wrong cleanup policy", async () => {
    const prefix = `${ns.topicPrefix}wrong.`;
    await admin.createTopics({
      topics: [
        {
          topic: `${prefix}herald.items.v1`,
          numPartitions: 1,
          configEntries: [{ name: "cleanup.policy", value: "delete" }],
        },
      ],
    });
    const result = await ensureTopics(admin, [Topics.items], { prefix, partitions: 1 });
    expect(result.mismatched).toEqual([
      { topic: `${prefix}herald.items.v1`, expected: "compact", actual: "delete" },
    ]);
    expect((await configOf(`${prefix}herald.items.v1`))["cleanup.policy"]).toBe("delete");
  });

  it("raises a lower max.message.bytes of an existing topic, keeping its other settings, and never lowers a larger one", async () => {
    const prefix = `${ns.topicPrefix}limits.`;
    const low = `${prefix}herald.items.v1`;
    const high = `${prefix}herald.receipts.v1`;
    await admin.createTopics({
      topics: [
        {
          topic: low,
          numPartitions: 1,
          configEntries: [
            { name: "cleanup.policy", value: "compact" },
            { name: "max.message.bytes", value: "1048588" },
            { name: "min.compaction.lag.ms", value: "60000" },
          ],
        },
        {
          topic: high,
          numPartitions: 1,
          configEntries: [
            { name: "cleanup.policy", value: "delete" },
            { name: "retention.ms", value: String(7 * 24 * 3600 * 1000) },
            { name: "max.message.bytes", value: String(2 * MAX_MESSAGE_BYTES) },
          ],
        },
      ],
    });
    const result = await ensureTopics(admin, [Topics.items, Topics.receipts], {
      prefix,
      partitions: 1,
      logger: testLogger,
    });
    expect(result.raised).toEqual([{ topic: low, from: 1048588, to: MAX_MESSAGE_BYTES }]);
    expect(result.mismatched).toEqual([]);
    expect(await configOf(low)).toMatchObject({
      "cleanup.policy": "compact",
      "max.message.bytes": String(MAX_MESSAGE_BYTES),
    });
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: low, configNames: ["min.compaction.lag.ms"] },
      ],
    });
    expect(resources[0]?.configEntries[0]?.configValue).toBe("60000");
    expect((await configOf(high))["max.message.bytes"]).toBe(String(2 * MAX_MESSAGE_BYTES));
    // Raised once: a second run finds nothing to change.
    const again = await ensureTopics(admin, [Topics.items, Topics.receipts], {
      prefix,
      partitions: 1,
    });
    expect(again.raised).toEqual([]);
  });
});
