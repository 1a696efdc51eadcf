import { ItemState, Topics } from "@herald/contracts";
import { loadExamples } from "@herald/contracts/testing";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import { createConsumerRunner } from "../src/kafka/consumer";
import { createTransactionalProducer, isFencedError } from "../src/kafka/producer";
import { ensureTopics } from "../src/kafka/topics";
import { runtimeKafka, testLogger } from "./support";

const ns = useTestNamespace("txn-producer");

describe("a transactional producer", () => {
  it("is fenced once a newer producer with its transactional id starts, and its messages never show", async () => {
    const kafka = runtimeKafka("txn");
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [Topics.items], { prefix: ns.topicPrefix, partitions: 1 });
    await admin.disconnect();
    const [example] = loadExamples(Topics.items.schema, ItemState).map((e) => e.message);
    const state = (version: number): ItemState => ({ ...example!, version });
    const options = {
      logger: testLogger,
      topicPrefix: ns.topicPrefix,
      transactionalId: ns.groupId("relay"),
    };

    const older = createTransactionalProducer(kafka, options);
    await older.connect();
    await older.sendAll(Topics.items, [{ key: "a", value: state(1) }]);

    const newer = createTransactionalProducer(kafka, options);
    await newer.connect();
    const refused = await older
      .sendAll(Topics.items, [{ key: "a", value: state(2) }])
      .catch((e: unknown) => e);
    expect(isFencedError(refused)).toBe(true);
    await newer.sendAll(Topics.items, [{ key: "a", value: state(3) }]);

    const seen: number[] = [];
    const runner = createConsumerRunner({
      kafka,
      groupId: ns.groupId("reader"),
      topic: Topics.items,
      topicPrefix: ns.topicPrefix,
      logger: testLogger,
      handle: (message) => {
        seen.push(message.value.version);
        return Promise.resolve();
      },
      onInvalid: (m) => Promise.reject(new Error(m.reason)),
    });
    await runner.start();
    await waitFor(() => seen.includes(3), { description: "the newer producer's message" });
    await runner.stop();
    await older.disconnect().catch(() => undefined);
    await newer.disconnect();
    expect(seen).toEqual([1, 3]);
  });
});
