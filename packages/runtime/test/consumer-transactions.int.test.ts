import { ItemState, Topics } from "@herald/contracts";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import { createConsumerRunner } from "../src/kafka/consumer";
import { createTransactionalProducer } from "../src/kafka/producer";
import { topicName } from "../src/kafka/topic-names";
import { ensureTopics } from "../src/kafka/topics";
import { runtimeKafka, testLogger } from "./support";

const ns = useTestNamespace("consumer-transactions");

describe("a consumer of a topic written in transactions", () => {
  it("commits past each transaction's marker, so a caught-up group has no lag", async () => {
    const kafka = runtimeKafka("consumer-transactions");
    const admin = kafka.admin();
    await admin.connect();
    ns.beforeCleanup(() => admin.disconnect());
    await ensureTopics(admin, [Topics.items], { prefix: ns.topicPrefix, partitions: 1 });
    const producer = createTransactionalProducer(kafka, {
      logger: testLogger,
      topicPrefix: ns.topicPrefix,
      transactionalId: `${ns.id}-tx`,
    });
    await producer.connect();
    ns.beforeCleanup(() => producer.disconnect());
    for (const version of [1, 2, 3]) {
      await producer.sendAll(Topics.items, [
        { key: "tx", value: ItemState.fromPartial({ id: "tx", version }) },
      ]);
    }
    const seen: number[] = [];
    const groupId = ns.groupId("reader");
    const runner = createConsumerRunner({
      kafka,
      groupId,
      topic: Topics.items,
      topicPrefix: ns.topicPrefix,
      logger: testLogger,
      handle: ({ value }) => {
        seen.push(value.version);
        return Promise.resolve();
      },
      onInvalid: () => Promise.resolve(),
    });
    await runner.start();
    ns.beforeCleanup(() => runner.stop());
    await waitFor(() => seen.length === 3, { description: "three versions handled" });
    const topic = topicName(Topics.items, ns.topicPrefix);
    const [end] = await admin.fetchTopicOffsets(topic);
    // Three messages and three markers.
    expect(end?.high).toBe("6");
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return committed?.partitions[0]?.offset === end?.high;
      },
      { description: "the committed offset to reach the end of the partition" },
    );
  });
});
