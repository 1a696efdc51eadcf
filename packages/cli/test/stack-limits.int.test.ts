import { randomBytes } from "node:crypto";
import { MAX_ITEM_STATE_BYTES, MAX_MESSAGE_BYTES } from "@herald/contracts";
import { testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { ConfigResourceTypes } from "kafkajs";
import { type Db, MongoClient } from "mongodb";
import { ferretdbPatchTags } from "../src/stack/ferretdb-patches";

// The limits the local stack must hold for every caller, on the suite's own stack:
// FerretDB must not hang on one large update command, and the broker must take
// Herald's largest message.
const ns = useTestNamespace("stack-limits");
const clients: MongoClient[] = [];

ns.beforeCleanup(async () => {
  await Promise.all(clients.map((client) => client.close(true)));
});

async function database(name: string): Promise<Db> {
  const client = new MongoClient(testStack().mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  clients.push(client);
  await client.connect();
  return client.db(ns.dbName(name));
}

/** Settles with `work`, or fails after `ms`: a regression here hangs rather than errs. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Refuses to send the large command to a FerretDB built without the patch: there it
 * would hang the database and then the whole server, which every other test file
 * shares. A MongoDB server has no such limit and is tested as it is.
 */
async function requireUpdateReadersPatch(db: Db): Promise<void> {
  const info = await db.admin().command({ buildInfo: 1 });
  if (typeof info.ferretdbVersion !== "string") return;
  const environment = info.buildEnvironment as Record<string, unknown> | undefined;
  const recorded = environment?.["-tags"];
  const tags = typeof recorded === "string" ? recorded.split(",") : [];
  const wanted = ferretdbPatchTags().find((tag) => tag.endsWith("close_update_readers"));
  if (wanted === undefined || !tags.includes(wanted)) {
    throw new Error(
      `the FerretDB at ${testStack().mongoUrl} was built without ${String(wanted)} (build tags: "${tags.join(",")}"); ` +
        "it would hang on this test. Restart the stack so it runs the current build: herald stack down && herald stack up",
    );
  }
}

describe("FerretDB: no single command hangs the database", () => {
  it("one update command of 150 updates of existing documents completes, and a collection can be created after it", async () => {
    const db = await database("bulk");
    await requireUpdateReadersPatch(db);
    const ids = Array.from({ length: 150 }, (_, i) => `item-${String(i).padStart(3, "0")}`);
    await db
      .collection<{ _id: string; version: number }>("items")
      .insertMany(ids.map((_id) => ({ _id, version: 1 })));

    // One command, 150 statements: FerretDB 1.24 kept each statement's SQLite reader
    // open until the command ended and waited forever for the 100th connection.
    const result = await within(
      30_000,
      "one update command of 150 updates",
      db.command({
        update: "items",
        updates: ids.map((_id) => ({ q: { _id }, u: { $set: { version: 2 } } })),
      }),
    );
    expect(result).toMatchObject({ ok: 1, n: 150, nModified: 150 });
    const versions = await db
      .collection<{ _id: string; version: number }>("items")
      .find({}, { sort: { _id: 1 } })
      .toArray();
    expect(versions.map((doc) => doc.version)).toEqual(ids.map(() => 2));

    // Creating a collection needs the database's lock, which a hung command held.
    await within(30_000, "creating a collection after the update", db.createCollection("after"));
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.sort()).toEqual(["after", "items"]);
  }, 90_000);
});

describe("Kafka: the broker takes Herald's largest message", () => {
  const kafka = testKafka("stack-limits");
  let sentValue: Buffer | undefined;

  it("the running broker's message.max.bytes allows MAX_MESSAGE_BYTES", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: brokers.map((broker) => ({
          type: ConfigResourceTypes.BROKER,
          name: String(broker.nodeId),
          configNames: ["message.max.bytes", "replica.fetch.max.bytes"],
        })),
      });
      for (const resource of described.resources) {
        const value = (name: string) =>
          Number(resource.configEntries.find((entry) => entry.configName === name)?.configValue);
        expect(value("message.max.bytes")).toBeGreaterThanOrEqual(MAX_MESSAGE_BYTES);
        expect(value("replica.fetch.max.bytes")).toBeGreaterThanOrEqual(value("message.max.bytes"));
      }
    } finally {
      await admin.disconnect();
    }
  });

  it("a topic without its own max.message.bytes takes a record of the largest item state", async () => {
    const topic = `${ns.topicPrefix}largest`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      // Sent uncompressed, so the record batch is as large as the record.
      const value = randomBytes(MAX_ITEM_STATE_BYTES);
      const [sent] = await producer.send({
        topic,
        messages: [
          { key: "hg-2016-0030", value, headers: { "content-type": "application/x-protobuf" } },
        ],
      });
      expect(sent).toMatchObject({ topicName: topic, errorCode: 0 });
      sentValue = value;
    } finally {
      await producer.disconnect();
    }
  }, 60_000);

  it("a consumer with kafkajs's default fetch sizes reads that record back whole", async () => {
    expect(sentValue).toBeDefined();
    const consumer = kafka.consumer({ groupId: ns.groupId("largest") });
    ns.beforeCleanup(() => consumer.disconnect());
    const received: Buffer[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${ns.topicPrefix}largest`, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        if (message.value) received.push(message.value);
        return Promise.resolve();
      },
    });
    await waitFor(() => received.length > 0, {
      timeoutMs: 30_000,
      description: "the largest record to be consumed",
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.equals(sentValue!)).toBe(true);
  }, 60_000);
});
