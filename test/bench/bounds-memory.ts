/**
 * Evidence that memory stays flat at every in-memory bound: each bound is driven
 * past its limit round after round, and this process's heap and RSS are sampled
 * after forced collections once each round's work is done.
 *
 *   pnpm bench:bounds [--rounds 10] [--overflow 500] [--ledger-bound 20000]
 *                     [--only retry,inflight,snapshots,peers,ledger,audits]
 *                     [--tolerance 0.5] [--quick] [--json]
 *
 * On the real stack (KAFKA_BROKERS, MONGO_URL; default the local `herald stack`):
 * a channel on channel-kit and a reconciler, both in this process, on topics,
 * groups and databases of their own (bbench<id>…, removed at the end). Per
 * bound it prints the limit, the gauge's highest value, what the stated
 * behaviour counted each round (items shed, readers' waits, audits joined…),
 * memory per round, and the least-squares slope of heap and RSS in MiB per
 * round with the median round-to-round change. Round 0 warms up (first ids,
 * connections, JIT) and is left out of the slope. Exits 1 when a bound's
 * behaviour was not seen or its heap grew: a slope of `--tolerance` MiB per
 * round or more that is also over twice its standard error.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createKafkaClient, createLogger, createProducer } from "@herald/runtime";
import { MongoClient } from "mongodb";
import { startChannelBench } from "./bounds-channel";
import { startReconcilerBench } from "./bounds-reconciler";
import { type BoundFigures, renderBound, verdictOf } from "./bounds-report";
import { runBound } from "./bounds-rounds";
import {
  Names,
  checkStack,
  codeState,
  failure,
  note,
  warnAboutOtherRuns,
} from "./reconciler-stack";

const BOUNDS = ["inflight", "retry", "snapshots", "peers", "ledger", "audits"] as const;
type BoundKey = (typeof BOUNDS)[number];

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string" },
    overflow: { type: "string" },
    "ledger-bound": { type: "string" },
    only: { type: "string" },
    tolerance: { type: "string", default: "0.5" },
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});

function count(name: string, value: string | undefined, full: number, quick: number): number {
  if (value === undefined) return args.quick ? quick : full;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(`--${name} must be a whole number ≥ 1, not ${value}`);
  }
  return number;
}

const ROUNDS = count("rounds", args.rounds, 10, 3);
const OVERFLOW = count("overflow", args.overflow, 500, 100);
const LEDGER_BOUND = count("ledger-bound", args["ledger-bound"], 20_000, 2_000);
const TOLERANCE = Number(args.tolerance);
if (!(TOLERANCE > 0))
  throw new Error(`--tolerance must be a number of MiB > 0, not ${args.tolerance}`);
const ONLY = new Set<BoundKey>(
  args.only
    ? args.only.split(",").map((k) => {
        if (!(BOUNDS as readonly string[]).includes(k)) {
          throw new Error(`--only takes ${BOUNDS.join(",")}, not ${k}`);
        }
        return k as BoundKey;
      })
    : BOUNDS,
);

async function main(): Promise<number> {
  const began = performance.now();
  const brokers = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
  const mongoUrl = process.env.MONGO_URL ?? "mongodb://127.0.0.1:27017";
  const names = new Names("bbench");
  const logger = createLogger({ service: "bounds-bench", level: "error" }, process.stderr);
  const kafka = createKafkaClient({
    brokers: brokers.split(","),
    clientId: "herald-bounds-bench",
    logger,
    overrides: { connectionTimeout: 3000 },
  });
  const mongo = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  const database = await checkStack(kafka, mongo, brokers, mongoUrl);
  warnAboutOtherRuns();
  note(
    `bounds bench ${names.id}: ${ROUNDS} rounds after a warm-up, ${database}, code ${codeState()}`,
  );

  const producer = createProducer(kafka, { logger, topicPrefix: names.prefix });
  const stops: (() => Promise<void>)[] = [() => producer.disconnect()];
  const figures: BoundFigures[] = [];
  try {
    await producer.connect();
    const channel = await startChannelBench({
      kafka,
      brokers: brokers.split(","),
      mongoUrl,
      prefix: names.prefix,
      dbName: names.dbName("channel"),
      producer,
      logger,
      overflow: OVERFLOW,
    });
    stops.unshift(channel.stop);
    const channelKeys: BoundKey[] = ["inflight", "retry", "snapshots", "peers"];
    for (const [i, spec] of channel.bounds.entries()) {
      if (!ONLY.has(channelKeys[i]!)) continue;
      note(`${spec.name}…`);
      figures.push(await runBound(spec, ROUNDS));
    }
    if (ONLY.has("ledger") || ONLY.has("audits")) {
      const reconciler = await startReconcilerBench({
        kafka,
        brokers: brokers.split(","),
        mongo,
        mongoUrl,
        prefix: `${names.prefix}r.`,
        dbName: names.dbName("reconciler"),
        groupId: `${names.prefix}reconciler`,
        channel: channel.runtime,
        inventoryToken: channel.inventoryToken,
        ledgerBound: LEDGER_BOUND,
        logger,
      });
      stops.unshift(reconciler.stop);
      const reconcilerKeys: BoundKey[] = ["ledger", "audits"];
      for (const [i, spec] of reconciler.bounds.entries()) {
        if (!ONLY.has(reconcilerKeys[i]!)) continue;
        note(`${spec.name}…`);
        figures.push(await runBound(spec, ROUNDS));
      }
    }
  } finally {
    for (const stop of stops) {
      await stop().catch((error: unknown) => note(`clean-up: ${failure(error)}`));
    }
    await names.remove(kafka, mongo);
    await mongo.close();
  }

  const verdicts = figures.map((f) => verdictOf(f, TOLERANCE));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, figures, verdicts }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `Bounds and memory: ${ROUNDS} rounds past each limit, heap flat below ${TOLERANCE} MiB/round` +
        ` or within twice the slope's standard error (${database})\n\n`,
    );
    for (const [i, f] of figures.entries())
      process.stdout.write(`${renderBound(f, verdicts[i]!)}\n\n`);
    process.stdout.write(`${((performance.now() - began) / 1000).toFixed(0)} s in all\n`);
  }
  return verdicts.every((v) => v.flat && v.behaved) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    note(
      `bounds bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(2);
  },
);
