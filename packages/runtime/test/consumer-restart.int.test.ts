import { ItemState, Topics } from "@herald/contracts";
import { KafkaJSNonRetriableError } from "kafkajs";
import { testKafka, useTestNamespace, waitFor } from "@herald/test-harness";
import {
  createConsumerRunner,
  type ConsumedMessage,
  type InvalidMessage,
} from "../src/kafka/consumer";
import { createProducer, type HeraldProducer } from "../src/kafka/producer";
import { ensureTopics } from "../src/kafka/topics";
import { runtimeKafka, testLogger } from "./support";

const ns = useTestNamespace("consumer-restart");

function item(n: number): ItemState {
  return ItemState.fromPartial({
    id: `item-${String(n).padStart(3, "0")}`,
    version: 1,
    title: `第${n}号公告`,
  });
}

async function produce(producer: HeraldProducer, from: number, to: number): Promise<void> {
  const records = [];
  for (let n = from; n < to; n += 1) records.push({ key: item(n).id, value: item(n) });
  await producer.send(Topics.items, records);
}

function runnerFor(
  groupId: string,
  seen: ConsumedMessage<ItemState>[],
  extra: Partial<{
    handle: (m: ConsumedMessage<ItemState>) => Promise<void>;
    invalid: InvalidMessage[];
  }> = {},
) {
  return createConsumerRunner({
    kafka: runtimeKafka("restart"),
    groupId,
    topic: Topics.items,
    topicPrefix: ns.topicPrefix,
    logger: testLogger,
    handle:
      extra.handle ??
      ((m) => {
        seen.push(m);
        return Promise.resolve();
      }),
    onInvalid: (m) => {
      extra.invalid?.push(m);
      return Promise.resolve();
    },
  });
}

let producer: HeraldProducer;

beforeAll(async () => {
  const admin = runtimeKafka("restart-admin").admin();
  await admin.connect();
  // One partition, so order across the whole topic is observable.
  await ensureTopics(admin, [Topics.items], { prefix: ns.topicPrefix, partitions: 1 });
  await admin.disconnect();
  producer = createProducer(runtimeKafka("restart-producer"), {
    logger: testLogger,
    topicPrefix: ns.topicPrefix,
  });
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
});

describe("the consumer runner", () => {
  it("after a restart processes every message produced while it was down, and none twice", async () => {
    const groupId = ns.groupId("restart");
    const first: ConsumedMessage<ItemState>[] = [];
    await produce(producer, 0, 20);
    const a = runnerFor(groupId, first);
    await a.start();
    await waitFor(() => first.length === 20, { description: "the first 20 messages" });
    await a.stop();

    await produce(producer, 20, 50);
    const second: ConsumedMessage<ItemState>[] = [];
    const b = runnerFor(groupId, second);
    await b.start();
    await waitFor(() => second.length === 30, {
      description: "the 30 messages produced while it was down",
    });
    await b.stop();

    expect(first.map((m) => m.value.id)).toEqual(Array.from({ length: 20 }, (_, n) => item(n).id));
    // Committed offsets were honoured: the new instance starts where the old one stopped.
    expect(second.map((m) => m.value.id)).toEqual(
      Array.from({ length: 30 }, (_, n) => item(n + 20).id),
    );
    const offsets = [...first, ...second].map((m) => Number(m.offset));
    expect(offsets).toEqual(Array.from({ length: 50 }, (_, n) => offsets[0]! + n));
  });

  it("retries a message whose handler failed, without skipping it or reordering the partition", async () => {
    const groupId = ns.groupId("retry");
    const applied: string[] = [];
    let failuresLeft = 2;
    const runner = runnerFor(groupId, [], {
      handle: (m) => {
        if (m.value.id === item(7).id && failuresLeft > 0) {
          failuresLeft -= 1;
          return Promise.reject(new Error("channel unavailable"));
        }
        applied.push(m.value.id);
        return Promise.resolve();
      },
    });
    await runner.start();
    await waitFor(() => applied.length >= 50, {
      description: "all 50 messages despite two failures",
      timeoutMs: 60_000,
    });
    await runner.stop();

    expect(failuresLeft).toBe(0);
    expect(runner.status().failed).toBe(2);
    // Messages before the failure may be applied again (at-least-once), but every
    // message is applied and the last application of each follows topic order.
    const distinct = [...new Set(applied)];
    expect(distinct).toEqual(Array.from({ length: 50 }, (_, n) => item(n).id));
    const lastIndex = (id: string) => applied.lastIndexOf(id);
    for (let n = 1; n < 50; n += 1)
      expect(lastIndex(item(n).id)).toBeGreaterThan(lastIndex(item(n - 1).id));
  });

  it("on stop finishes the message in hand and commits it, so the next instance starts right after", async () => {
    const groupId = ns.groupId("clean-stop");
    const byA: string[] = [];
    const a = runnerFor(groupId, [], {
      handle: async (m) => {
        await new Promise((resolve) => setTimeout(resolve, 40));
        byA.push(m.value.id);
      },
    });
    await a.start();
    await waitFor(() => byA.length >= 5, { description: "the first instance to be mid-way" });
    await a.stop();
    expect(byA.length).toBeLessThan(50);

    const byB: string[] = [];
    const b = runnerFor(groupId, [], {
      handle: (m) => {
        byB.push(m.value.id);
        return Promise.resolve();
      },
    });
    await b.start();
    await waitFor(() => byB.includes(item(49).id), { description: "the rest of the topic" });
    await b.stop();

    // Together they applied each of the first 50 messages exactly once, in order.
    expect([...byA, ...byB].slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, n) => item(n).id));
  });

  it("hands an undecodable message to onInvalid with its reason and moves on", async () => {
    const groupId = ns.groupId("poison");
    const raw = testKafka().producer();
    await raw.connect();
    await raw.send({
      topic: `${ns.topicPrefix}herald.items.v1`,
      messages: [
        { key: "poison-1", value: "not protobuf", headers: { "content-type": "text/plain" } },
        {
          key: "poison-2",
          value: Buffer.from([0xff, 0xff, 0xff]),
          headers: {
            "content-type": "application/x-protobuf",
            "herald-schema": "herald.content.v1.ItemState",
          },
        },
      ],
    });
    await raw.disconnect();
    await produce(producer, 50, 51);

    const seen: ConsumedMessage<ItemState>[] = [];
    const invalid: InvalidMessage[] = [];
    const runner = runnerFor(groupId, seen, { invalid });
    await runner.start();
    await waitFor(() => seen.some((m) => m.value.id === item(50).id), {
      description: "the message after the poison",
    });
    await runner.stop();

    expect(invalid.map((m) => [m.key?.toString(), m.reason])).toEqual([
      ["poison-1", 'header content-type is "text/plain", expected "application/x-protobuf"'],
      [
        "poison-2",
        expect.stringMatching(/^payload is not a valid herald\.content\.v1\.ItemState: /),
      ],
    ]);
    expect(runner.status().invalid).toBe(2);
  });
});

describe("the consumer runner after a crash", () => {
  it("runs again after a crash kafkajs would not restart, and loses no message", async () => {
    await produce(producer, 100, 120);
    const ours = Array.from({ length: 20 }, (_, n) => item(100 + n).id);
    const applied: string[] = [];
    let crashes = 0;
    const runner = runnerFor(ns.groupId("non-retriable"), [], {
      handle: (m) => {
        if (m.value.id === item(103).id && crashes === 0) {
          crashes += 1;
          // What kafkajs raises for "Failed to find group coordinator" after a broker
          // restart: final to kafkajs, so it disconnects the consumer and stops.
          return Promise.reject(new KafkaJSNonRetriableError("Failed to find group coordinator"));
        }
        applied.push(m.value.id);
        return Promise.resolve();
      },
    });
    await runner.start();
    await waitFor(() => applied.includes(item(119).id), {
      description: "the messages after the crash",
      timeoutMs: 60_000,
    });
    expect(runner.status().state).toBe("running");
    await runner.stop();
    expect(crashes).toBe(1);
    expect([...new Set(applied)].filter((id) => ours.includes(id))).toEqual(ours);
  });
});
