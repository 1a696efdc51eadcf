/**
 * The content service end to end: from the API call to the message on
 * herald.items.v1. Starts the service in process with a database and topics of
 * its own, publishes news items over gRPC and HTTP, and prints throughput (a
 * fixed number of calls in flight), latency at a fixed rate (calls started by the
 * clock, not back to back) and, for scale, the database's own write rate for the
 * documents the service writes per item.
 *
 *   pnpm bench:content [--items 2000] [--concurrency 32] [--rate 50] [--seconds 20] [--json]
 *                      [--give-up 300]  (seconds without a message before missing items count as lost)
 *
 * CONTENT_RELAY_* and HERALD_TOPIC_PARTITIONS from the environment reach the service.
 */
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Topics } from "@herald/contracts";
import { topicName } from "@herald/runtime";
import { resolveStack } from "@herald/test-harness";
import {
  Arrivals,
  type Call,
  closedLoop,
  grpcPublisher,
  httpPublisher,
  openLoop,
  type Publisher,
  withProgress,
} from "./content-load";
import { distribution } from "./bench-stats";
import {
  meetsLatency,
  meetsThroughput,
  ms,
  type Phase,
  renderReport,
  type Report,
  TARGET_ITEMS_PER_S,
  TARGET_P99_MS,
  TARGET_RATE,
} from "./content-report";
import { type Bench, describeDatabase, rawWrites, startBench } from "./content-stack";

const { values: args } = parseArgs({
  options: {
    items: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "32" },
    rate: { type: "string", default: "50" },
    seconds: { type: "string", default: "20" },
    /** How long the topic may stay silent before the missing items are given up. */
    "give-up": { type: "string", default: "300" },
    json: { type: "boolean", default: false },
  },
});

function positive(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new Error(`--${name} must be a positive number`);
  }
  return number;
}

const ITEMS = Math.round(positive("items", args.items));
const CONCURRENCY = Math.round(positive("concurrency", args.concurrency));
const RATE = positive("rate", args.rate);
const SECONDS = positive("seconds", args.seconds);
const STALL_MS = positive("give-up", args["give-up"]) * 1000;

function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

const cpuPercent = (used: NodeJS.CpuUsage, wallMs: number) =>
  (used.user + used.system) / 10 / wallMs;

let counter = 0;

/** Ctrl-C stops starting calls; the run then waits for those in flight and cleans up. */
const interrupt = new AbortController();
const { signal } = interrupt;

async function phase(
  bench: Bench,
  arrivals: Arrivals,
  api: Phase["api"],
  label: string,
  run: (calls: Call[], first: number) => Promise<void>,
  expected: number,
): Promise<Phase> {
  const revisionsBefore = await bench.db.collection("item_revisions").estimatedDocumentCount();
  const passesBefore = bench.service.relay.status().passes;
  const cpuBefore = process.cpuUsage();
  const calls: Call[] = [];
  const first = counter;
  counter += expected;
  const onTopic = () => arrivals.countOf(calls.flatMap((c) => (c.id ? [c.id] : [])));
  note(`${label}…`);
  await withProgress(
    () =>
      `${label}: published ${calls.filter((c) => c.answered !== undefined).length}/${expected}, on the topic ${onTopic()}`,
    run(calls, first),
  );
  const ok = calls.filter((c): c is Call & { id: string } => c.id !== undefined);
  const ids = ok.map((c) => c.id);
  const missing = await withProgress(
    () => `${label}: waiting for the topic, ${arrivals.countOf(ids)}/${ids.length}`,
    arrivals.waitAll(ids, STALL_MS, signal),
  );
  if (signal.aborted) throw new Error("interrupted");
  const started = Math.min(...calls.map((c) => c.started));
  const lastAnswer = Math.max(...calls.map((c) => c.answered ?? 0));
  const arrived = ok.flatMap((c) => {
    const at = arrivals.of(c.id);
    return at === undefined ? [] : [{ call: c, at }];
  });
  const lastArrival = Math.max(...arrived.map((a) => a.at));
  const seconds = arrived.length ? (lastArrival - started) / 1000 : Number.NaN;
  const failed = calls.filter((c) => c.error !== undefined);
  return {
    api,
    calls: calls.length,
    published: ok.length,
    errors: failed.length,
    ...(failed[0]?.error ? { firstError: failed[0].error } : {}),
    missing,
    revisionsBefore,
    seconds,
    itemsPerS: arrived.length ? arrived.length / seconds : 0,
    callsPerS: (ok.length * 1000) / (lastAnswer - started),
    response: distribution(ok.map((c) => c.answered! - c.started)),
    endToEnd: distribution(arrived.map((a) => a.at - a.call.due)),
    startLagMaxMs: Math.max(...calls.map((c) => c.started - c.due)),
    relayPasses: bench.service.relay.status().passes - passesBefore,
    cpuPercent: cpuPercent(process.cpuUsage(cpuBefore), performance.now() - started),
  };
}

async function main(): Promise<void> {
  const began = performance.now();
  const stack = await resolveStack();
  const arrivals = new Arrivals();
  note(`starting the content service against Kafka ${stack.brokers} and ${stack.mongoUrl}…`);
  const bench = await startBench(stack.brokers.split(","), stack.mongoUrl, arrivals);
  process.on("SIGINT", () => {
    if (!signal.aborted) {
      note(
        "interrupted: finishing the calls in flight, then cleaning up (Ctrl-C again to leave now)",
      );
      interrupt.abort();
      return;
    }
    note(`left without cleaning up: topics ${bench.prefix}*, database ${bench.dbName}`);
    process.exit(130);
  });
  const publishers: Publisher[] = [];
  const throughput: Phase[] = [];
  const latency: Phase[] = [];
  let raw;
  let database;
  try {
    database = await describeDatabase(bench.db);
    const apis: Array<[Phase["api"], Publisher]> = [
      ["gRPC", grpcPublisher(bench.service.grpcPort, bench.tokens.upstream)],
      ["HTTP", httpPublisher(bench.service.httpPort, bench.tokens.admin, CONCURRENCY)],
    ];
    publishers.push(...apis.map(([, p]) => p));
    for (const [api, publisher] of apis) {
      await phase(
        bench,
        arrivals,
        api,
        `${api} warm-up`,
        (calls, first) => closedLoop(calls, publisher, 40, 4, first, signal),
        40,
      );
    }
    // On a near-empty database, like the first throughput phase, and with the relay idle.
    note(`database raw writes (${ITEMS} items, ${CONCURRENCY} in flight)…`);
    let done = 0;
    raw = await withProgress(
      () => `database raw writes: ${done}/${3 * ITEMS} documents`,
      rawWrites(bench.db, ITEMS, CONCURRENCY, (n) => (done = n), signal),
    );
    if (signal.aborted) throw new Error("interrupted");
    for (const [api, publisher] of apis) {
      const label = `${api} throughput (${ITEMS} items, ${CONCURRENCY} in flight)`;
      const result = await phase(
        bench,
        arrivals,
        api,
        label,
        (calls, first) => closedLoop(calls, publisher, ITEMS, CONCURRENCY, first, signal),
        ITEMS,
      );
      throughput.push(result);
      note(`${label}: ${result.itemsPerS.toFixed(0)} items/s`);
    }
    for (const [api, publisher] of apis) {
      const label = `${api} latency (${RATE} items/s for ${SECONDS} s)`;
      const result = await phase(
        bench,
        arrivals,
        api,
        label,
        (calls, first) => openLoop(calls, publisher, RATE, SECONDS, first, signal),
        Math.round(RATE * SECONDS),
      );
      latency.push(result);
      note(`${label}: p99 ${ms(result.endToEnd.p99)} ms`);
    }
  } finally {
    for (const publisher of publishers) publisher.close();
    await bench.cleanup();
    await stack.stop();
  }
  const cpu = cpus();
  const report: Report = {
    machine: {
      cores: cpu.length,
      cpu: cpu[0]?.model.trim() ?? "?",
      memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
      platform: `${process.platform} ${process.arch}`,
      node: process.version,
    },
    database: { ...database, url: stack.mongoUrl },
    kafka: stack.brokers,
    settings: {
      items: ITEMS,
      concurrency: CONCURRENCY,
      rate: RATE,
      seconds: SECONDS,
      topic: topicName(Topics.items, bench.prefix),
      partitions: bench.config.HERALD_TOPIC_PARTITIONS,
      relayPollMs: bench.config.CONTENT_RELAY_POLL_MS,
      relayBatch: bench.config.CONTENT_RELAY_BATCH,
    },
    raw,
    throughput,
    latency,
    ratios: Object.fromEntries(throughput.map((p) => [p.api, p.itemsPerS / raw.pairsPerS])),
    targets: {
      throughput: { itemsPerS: TARGET_ITEMS_PER_S, met: throughput.every(meetsThroughput) },
      latency: {
        rate: TARGET_RATE,
        p99Ms: TARGET_P99_MS,
        measuredAtRate: RATE,
        met: RATE >= TARGET_RATE && latency.every(meetsLatency),
      },
    },
    tookS: (performance.now() - began) / 1000,
  };
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (signal.aborted) {
      process.stderr.write("bench interrupted; its topics and database are removed\n");
      process.exit(130);
    }
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
