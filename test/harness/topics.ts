/**
 * Reading and writing Herald topics from a test, through the same codec and
 * producer the services use.
 */
import type { TopicSpec } from "@herald/contracts";
import {
  type HeraldProducer,
  createLogger,
  createProducer,
  decodePayload,
  ensureTopics,
  headersToStrings,
  topicName,
} from "@herald/runtime";
import { ConfigResourceTypes, type Consumer } from "kafkajs";
import { type TestNamespace, testKafka, waitFor } from "./index";

/** One message as a test sees it: decoded when it could be. */
export interface Collected<T> {
  key: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  value: T | undefined;
  /** Why the value could not be decoded, when it could not. */
  invalid?: string;
}

/** Collects every message of one topic of the test's namespace, from the beginning. */
export class TopicCollector<T> {
  readonly messages: Collected<T>[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly ns: TestNamespace,
    private readonly spec: TopicSpec<T>,
  ) {}

  async start(partitions = 3): Promise<this> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [this.spec], {
        prefix: this.ns.topicPrefix,
        partitions,
      });
    } finally {
      await admin.disconnect();
    }
    const consumer = testKafka().consumer({
      groupId: this.ns.groupId(`collect-${Math.random().toString(36).slice(2)}`),
    });
    // Stopped before the namespace's topics go, whether or not the file stops it: a
    // consumer left running would log errors about its deleted topics.
    this.consumer = consumer;
    this.ns.beforeCleanup(() => this.stop());
    await consumer.connect();
    await consumer.subscribe({
      topic: topicName(this.spec, this.ns.topicPrefix),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        const headers = headersToStrings(message.headers);
        const decoded = decodePayload(this.spec.schema, message.value, headers);
        this.messages.push({
          key: message.key?.toString("utf8") ?? "",
          partition,
          offset: message.offset,
          headers,
          value: decoded.ok ? decoded.value : undefined,
          ...(decoded.ok ? {} : { invalid: decoded.reason }),
        });
        return Promise.resolve();
      },
    });
    return this;
  }

  values(): T[] {
    return this.messages.flatMap((m) => (m.value === undefined ? [] : [m.value]));
  }

  /** Waits until some decoded value matches, and returns it. */
  waitFor(match: (value: T) => boolean, description: string, timeoutMs = 20_000): Promise<T> {
    return waitFor(() => this.values().find(match), { description, timeoutMs });
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }
}

/** A producer onto the test namespace's topics, as a service would write them. */
export async function testProducer(ns: TestNamespace): Promise<HeraldProducer> {
  const producer = createProducer(testKafka(), {
    logger: createLogger({ service: "test", level: "silent" }),
    topicPrefix: ns.topicPrefix,
  });
  await producer.connect();
  ns.beforeCleanup(() => producer.disconnect());
  return producer;
}

/**
 * Sets a compacted topic's `max.message.bytes` behind the services' back, as an
 * operator's mistake or a broker's default would: a message a service accepted
 * can then be refused by the broker. AlterConfigs replaces every setting it is
 * not given, so the cleanup policy is given again.
 */
export async function setCompactedTopicLimit(topic: string, bytes: number): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: "cleanup.policy", value: "compact" },
            { name: "max.message.bytes", value: String(bytes) },
          ],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}
