/**
 * Baseline figures for the local stack through Herald's own runtime: Kafka produce
 * and consume throughput of ItemState messages, and database writes and reads
 * through mongoose. Prints medians of several runs; these machines are noisy, so
 * compare medians and ratios, not single runs.
 *
 *   pnpm bench:stack    (BENCH_MESSAGES=20000 BENCH_SIZES=1000,5000 BENCH_OPS=300 BENCH_RUNS=3)
 */
import { randomBytes } from "node:crypto";
import { ItemState, Topics } from "@herald/contracts";
import { loadExamples } from "@herald/contracts/testing";
import {
  connectMongo,
  createConsumerRunner,
  createKafkaClient,
  createLogger,
  createProducer,
  ensureTopics,
} from "@herald/runtime";
import { Schema } from "mongoose";
import { resolveStack } from "@herald/test-harness";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const SIZES = (process.env.BENCH_SIZES ?? "1000,5000").split(",").map(Number);
const OPS = Number(process.env.BENCH_OPS ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const logger = createLogger({ service: "bench", level: "error" });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function kafkaRun(brokers: string[], template: ItemState) {
  const prefix = `bench-${randomBytes(3).toString("hex")}.`;
  const kafka = createKafkaClient({ brokers, clientId: "bench", logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [Topics.items], { prefix, partitions: 3 });
  const producer = createProducer(kafka, { logger, topicPrefix: prefix });
  await producer.connect();
  const started = Date.now();
  for (let i = 0; i < MESSAGES; i += 500) {
    const batch = [];
    for (let n = i; n < Math.min(i + 500, MESSAGES); n += 1) {
      const id = `bench-${n}`;
      batch.push({ key: id, value: { ...template, id, version: 1 } });
    }
    await producer.send(Topics.items, batch);
  }
  const produceMs = Date.now() - started;
  await producer.disconnect();

  let consumed = 0;
  const consumeStarted = Date.now();
  let done: () => void = () => undefined;
  const allConsumed = new Promise<void>((resolve) => (done = resolve));
  const runner = createConsumerRunner({
    kafka,
    groupId: `${prefix}bench`,
    topic: Topics.items,
    topicPrefix: prefix,
    logger,
    handle: () => {
      consumed += 1;
      if (consumed === MESSAGES) done();
      return Promise.resolve();
    },
    onInvalid: () => Promise.reject(new Error("unexpected invalid message")),
  });
  await runner.start();
  await allConsumed;
  const consumeMs = Date.now() - consumeStarted;
  await runner.stop();
  await admin.deleteTopics({ topics: [`${prefix}${Topics.items.name}`] });
  await admin.disconnect();
  return { produce: (MESSAGES / produceMs) * 1000, consume: (MESSAGES / consumeMs) * 1000 };
}

interface Holding {
  _id: string;
  version: number;
  checksum: string;
  channel: string;
}

interface DbFigures {
  insert: number;
  findById: number;
  update: number;
  scanMs: number;
}

/**
 * Fills a collection with `size` documents one by one, then times OPS lookups and
 * updates by _id and a two-field query. Run at two sizes, it shows whether the cost
 * of one operation grows with the collection.
 */
async function dbRun(url: string, size: number): Promise<DbFigures> {
  const dbName = `bench_${randomBytes(3).toString("hex")}`;
  const db = await connectMongo({ url, dbName, logger });
  const Holdings = db.model<Holding>(
    "Holding",
    new Schema<Holding>({ _id: String, version: Number, checksum: String, channel: String }),
  );
  let t = Date.now();
  for (let n = 0; n < size; n += 1) {
    await Holdings.create({
      _id: `item-${n}`,
      version: 1,
      checksum: randomBytes(32).toString("hex"),
      channel: n % 2 ? "portal" : "wechat",
    });
  }
  const insert = (size / (Date.now() - t)) * 1000;
  const pick = (n: number) => `item-${(n * 7919) % size}`;
  t = Date.now();
  for (let n = 0; n < OPS; n += 1) await Holdings.findById(pick(n)).lean();
  const findById = (OPS / (Date.now() - t)) * 1000;
  t = Date.now();
  for (let n = 0; n < OPS; n += 1)
    await Holdings.updateOne({ _id: pick(n) }, { $set: { version: 2 } });
  const update = (OPS / (Date.now() - t)) * 1000;
  t = Date.now();
  const scans = 10;
  for (let n = 0; n < scans; n += 1) await Holdings.find({ channel: "portal", version: 2 }).lean();
  const scanMs = (Date.now() - t) / scans;
  await db.dropDatabase();
  await db.close();
  return { insert, findById, update, scanMs };
}

async function main(): Promise<void> {
  const stack = await resolveStack();
  const [template] = loadExamples(Topics.items.schema, ItemState).map((e) => e.message);
  const size = Topics.items.schema.codec.encode(template!).finish().byteLength;
  say(`stack: ${stack.kind}; Kafka ${stack.brokers}; database ${stack.mongoUrl}`);
  say(
    `${RUNS} runs: ${MESSAGES} ItemState messages of ${size} bytes; collections of ${SIZES.join(" and ")} documents, ${OPS} operations each`,
  );
  const kafka: { produce: number; consume: number }[] = [];
  const db = new Map<number, DbFigures[]>(SIZES.map((n) => [n, []]));
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      const k = await kafkaRun(stack.brokers.split(","), template!);
      kafka.push(k);
      let line = `run ${run}/${RUNS}: produce ${k.produce.toFixed(0)}/s, consume ${k.consume.toFixed(0)}/s`;
      for (const docs of SIZES) {
        const m = await dbRun(stack.mongoUrl, docs);
        db.get(docs)!.push(m);
        line += `; ${docs} docs: findById ${m.findById.toFixed(0)}/s, update ${m.update.toFixed(0)}/s`;
      }
      say(line);
    }
  } finally {
    await stack.stop();
  }
  const row = (name: string, values: number[], unit: string) =>
    say(
      `  ${name.padEnd(36)} median ${median(values).toFixed(1).padStart(9)} ${unit}` +
        `   (min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)})`,
    );
  say("\nmedians:");
  row(
    "kafka produce (batches of 500)",
    kafka.map((k) => k.produce),
    "msg/s",
  );
  row(
    "kafka consume (one group)",
    kafka.map((k) => k.consume),
    "msg/s",
  );
  for (const [docs, figures] of db) {
    row(
      `db insert one by one (${docs} docs)`,
      figures.map((m) => m.insert),
      "doc/s",
    );
    row(
      `db findById (${docs} docs)`,
      figures.map((m) => m.findById),
      "op/s",
    );
    row(
      `db updateOne by _id (${docs} docs)`,
      figures.map((m) => m.update),
      "op/s",
    );
    row(
      `db find on 2 fields (${docs} docs)`,
      figures.map((m) => m.scanMs),
      "ms",
    );
  }
  const [small, large] = SIZES;
  if (small !== undefined && large !== undefined) {
    const ratio = (pick: (m: DbFigures) => number) =>
      (median(db.get(small)!.map(pick)) / median(db.get(large)!.map(pick))).toFixed(1);
    say(
      `\n${large / small}x the documents makes one findById ${ratio((m) => m.findById)}x and one update ${ratio((m) => m.update)}x slower` +
        " (1.0x means the cost does not grow with the collection)",
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
