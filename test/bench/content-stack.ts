/**
 * The content benchmark's surroundings: a content service started in process on
 * free ports with a database, topic prefix and token file of its own, a reader
 * of its items topic, the database's description, its raw write rate, and
 * removing all of it again.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { Topics } from "@herald/contracts";
import {
  contentEnv,
  type ContentConfig,
  type ContentService,
  hashToken,
  newToken,
  startContentService,
  type TokenFile,
} from "@herald/content";
import { createLogger, loadConfig, topicName } from "@herald/runtime";
import { type Consumer, Kafka, logLevel } from "kafkajs";
import { BSON, type Db, type Document, MongoClient } from "mongodb";
import { type Arrivals, pool } from "./content-load";

/** Settings a reader may change for an experiment, e.g. CONTENT_RELAY_POLL_MS=100. */
const PASSED_THROUGH = /^(CONTENT_RELAY_|CONTENT_SCHEDULER_|HERALD_TOPIC_PARTITIONS$)/;

export interface Bench {
  prefix: string;
  dbName: string;
  config: ContentConfig;
  service: ContentService;
  tokens: { admin: string; upstream: string };
  mongo: MongoClient;
  db: Db;
  /** Stops everything started here and removes the topics, group and database. */
  cleanup(): Promise<void>;
}

export async function startBench(
  brokers: string[],
  mongoUrl: string,
  arrivals: Arrivals,
): Promise<Bench> {
  const id = randomBytes(4).toString("hex");
  const prefix = `bench${id}.`;
  const dbName = `bench_${id}_content`;
  const dir = mkdtempSync(join(tmpdir(), "herald-bench-"));
  const tokens = { admin: newToken(), upstream: newToken() };
  const file: TokenFile = {
    tokens: [
      { name: "bench-admin", roles: ["admin"], sha256: hashToken(tokens.admin) },
      { name: "bench-upstream", roles: ["upstream"], sha256: hashToken(tokens.upstream) },
    ],
  };
  writeFileSync(join(dir, "tokens.json"), JSON.stringify(file), { mode: 0o600 });
  const overrides = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => PASSED_THROUGH.test(name)),
  );
  const config = loadConfig(contentEnv, {
    ...overrides,
    KAFKA_BROKERS: brokers.join(","),
    KAFKA_CLIENT_ID: "herald-bench",
    MONGO_URL: mongoUrl,
    HERALD_TOPIC_PREFIX: prefix,
    CONTENT_DB: dbName,
    CONTENT_HTTP_PORT: "0",
    CONTENT_GRPC_PORT: "0",
    CONTENT_TOKENS_FILE: join(dir, "tokens.json"),
    CONTENT_INSTANCE_ID: `bench-${id}`,
    LOG_LEVEL: "error",
  });
  // Service logs go to stderr, so stdout carries only the figures.
  const logger = createLogger({ service: "content-bench", level: "error" }, process.stderr);
  const kafka = new Kafka({ brokers, clientId: "herald-bench-reader", logLevel: logLevel.ERROR });
  const groupId = `${prefix}bench-reader`;
  const mongo = new MongoClient(mongoUrl);
  let service: ContentService | undefined;
  let consumer: Consumer | undefined;
  let cleaning: Promise<void> | undefined;

  const attempt = async (what: string, step: () => Promise<unknown>) => {
    try {
      await step();
      return true;
    } catch (error) {
      process.stderr.write(
        `clean-up: ${what} failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return false;
    }
  };
  const removeAll = async () => {
    await attempt("stopping the reader", async () => consumer?.disconnect());
    // Only once nothing of the service writes any more: dropping a database with
    // writes in flight can take FerretDB on SQLite down.
    if (await attempt("stopping the service", async () => service?.stop())) {
      await attempt("dropping the database", async () => {
        await mongo.connect();
        await mongo.db(dbName).dropDatabase();
      });
    } else {
      process.stderr.write(`clean-up: left the database ${dbName} in place\n`);
    }
    await attempt("closing the database client", () => mongo.close());
    await attempt("deleting the topics", async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
        if (topics.length) await admin.deleteTopics({ topics });
        await admin.deleteGroups([groupId]).catch(() => undefined);
      } finally {
        await admin.disconnect();
      }
    });
    rmSync(dir, { recursive: true, force: true });
  };
  const cleanup = () => (cleaning ??= removeAll());

  try {
    service = await startContentService(config, logger);
    await mongo.connect();
    consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(Topics.items, prefix), fromBeginning: true });
    const joined = new Promise<void>((resolve) => {
      const off = consumer!.on(consumer!.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const message of batch.messages) arrivals.note(message.key?.toString() ?? "", now);
        return Promise.resolve();
      },
    });
    await joined;
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    prefix,
    dbName,
    config,
    service,
    tokens,
    mongo,
    db: mongo.db(dbName),
    cleanup,
  };
}

export interface DatabaseInfo {
  product: string;
  version: string;
  /** The MongoDB version the server claims on the wire. */
  reports: string;
}

export async function describeDatabase(db: Db): Promise<DatabaseInfo> {
  const info = await db.admin().command({ buildInfo: 1 });
  const version = typeof info.version === "string" ? info.version : "?";
  if (typeof info.ferretdbVersion === "string") {
    return { product: "FerretDB", version: info.ferretdbVersion, reports: version };
  }
  return { product: "MongoDB", version, reports: version };
}

export interface RawWrites {
  /** Documents written: one revision insert and one head replace per item. */
  docs: number;
  elapsedMs: number;
  docsPerS: number;
  /** Revision-and-head pairs a second: the most items the database could take this way. */
  pairsPerS: number;
  insertsPerS: number;
  replacesPerS: number;
  revisionBytes: number;
  headBytes: number;
}

/**
 * Writes what ItemStore.commit writes for `count` published items, straight
 * through the driver with `concurrency` writes in flight: an outbox marker, a
 * copy of a stored revision, and an upserting replace by `_id` of a copy of a
 * stored head, into collections with the service's indexes, dropped afterwards.
 */
export async function rawWrites(
  db: Db,
  count: number,
  concurrency: number,
  progress: (done: number) => void,
  signal: AbortSignal,
): Promise<RawWrites> {
  const revision = await db.collection("item_revisions").findOne({});
  const head = await db.collection("items").findOne({});
  if (!revision || !head) throw new Error("the service stored no item to copy");
  const pairs: Array<[string, string]> = [
    ["item_revisions", "raw_revisions"],
    ["items", "raw_items"],
    ["outbox", "raw_outbox"],
  ];
  for (const [from, to] of pairs) {
    await db.createCollection(to);
    const indexes = await db.collection(from).listIndexes().toArray();
    for (const index of indexes as Array<{ name: string; key: Document; unique?: boolean }>) {
      if (index.name === "_id_") continue;
      await db.collection(to).createIndex(index.key, index.unique ? { unique: true } : {});
    }
  }
  const revisions = db.collection("raw_revisions");
  const heads = db.collection("raw_items");
  const markers = db.collection("raw_outbox");
  let done = 0;
  const timed = async (write: (itemId: string) => Promise<unknown>) => {
    const started = performance.now();
    await pool(
      count,
      concurrency,
      async (n) => {
        await write(`raw-${n}`);
        done += 1;
        progress(done);
      },
      signal,
    );
    return performance.now() - started;
  };
  const markerMs = await timed((itemId) =>
    markers.insertOne({ _id: `${itemId}#1` as never, itemId, revision: 1, at: new Date() }),
  );
  const insertMs = await timed((itemId) =>
    revisions.insertOne({ ...revision, _id: `${itemId}#1` as never, itemId }),
  );
  const replaceMs = await timed((itemId) =>
    heads.replaceOne({ _id: itemId as never }, { ...head, _id: itemId }, { upsert: true }),
  );
  await revisions.drop();
  await heads.drop();
  await markers.drop();
  const elapsedMs = markerMs + insertMs + replaceMs;
  return {
    docs: 3 * count,
    elapsedMs,
    docsPerS: (3 * count * 1000) / elapsedMs,
    pairsPerS: (count * 1000) / elapsedMs,
    insertsPerS: (count * 1000) / insertMs,
    replacesPerS: (count * 1000) / replaceMs,
    revisionBytes: BSON.calculateObjectSize(revision),
    headBytes: BSON.calculateObjectSize(head),
  };
}
