/**
 * The portal against its targets, on the real stack: how fast one instance
 * applies the item stream into pages, how long a published item takes to reach
 * its page at a steady rate, how fast its search answers, and how much memory it
 * needs with 100,000 items, also after a restart. Each phase uses topics, groups
 * and databases of its own and removes them afterwards.
 *
 *   pnpm bench:portal [--items 20000] [--runs 3] [--rate 50] [--latency-items 1500]
 *                     [--memory-items 100000] [--search-items 100000]
 *                     [--poll-every 20] (one in this many published items has its page polled)
 *                     [--only apply,latency,search,memory] [--quick] [--give-up 120] [--json]
 *                     [--profile]  (a CPU profile of each apply-run portal, next to its log)
 *                     [--heap-profile]  (memory phase: a sampling heap profile of the applying
 *                                        portal at its stop, summed by allocation site)
 *
 * --quick scales every phase down for a smoke run (explicit options still win).
 * CHANNEL_CHUNK_SIZE, CHANNEL_APPLY_CONCURRENCY and HERALD_TOPIC_PARTITIONS from the
 * environment reach the portal.
 */
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { ROOT, resolveStack } from "@herald/test-harness";
import { describeDatabase } from "./content-stack";
import type { Report } from "./portal-figures";
import { latencyRuns } from "./portal-latency";
import { memoryRun } from "./portal-memory";
import { stackPids } from "./portal-process";
import { POLL_INTERVAL_MS } from "./portal-publisher";
import { renderReport } from "./portal-report";
import { random, runPortalSearchBenchmark, sampleSentences, syntheticItem } from "./portal-search";
import { PortalBench, note } from "./portal-stack";
import { applyRun } from "./portal-throughput";

const { values: args } = parseArgs({
  options: {
    items: { type: "string" },
    runs: { type: "string" },
    rate: { type: "string", default: "50" },
    "latency-items": { type: "string" },
    "memory-items": { type: "string" },
    "search-items": { type: "string" },
    "poll-every": { type: "string", default: "20" },
    only: { type: "string", default: "apply,latency,search,memory" },
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "heap-profile": { type: "boolean", default: false },
    /** How long receipts may stop coming before the missing items are given up. */
    "give-up": { type: "string", default: "120" },
    json: { type: "boolean", default: false },
  },
});

function positive(name: string, value: string | undefined, full: number, quick: number): number {
  if (value === undefined) return args.quick ? quick : full;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`--${name} must be a positive number`);
  return number;
}

const ITEMS = Math.round(positive("items", args.items, 20_000, 5_000));
const RUNS = Math.round(positive("runs", args.runs, 3, 1));
const RATE = positive("rate", args.rate, 50, 50);
const LATENCY_ITEMS = Math.round(positive("latency-items", args["latency-items"], 1500, 500));
const MEMORY_ITEMS = Math.round(positive("memory-items", args["memory-items"], 100_000, 20_000));
const SEARCH_ITEMS = Math.round(positive("search-items", args["search-items"], 100_000, 20_000));
const POLL_EVERY = Number(args["poll-every"]);
if (!Number.isInteger(POLL_EVERY) || POLL_EVERY < 0) {
  throw new Error("--poll-every must be a whole number, 0 for no polling");
}
const STALL_MS = positive("give-up", args["give-up"], 120, 120) * 1000;
const PHASES = new Set(args.only.split(",").map((p) => p.trim()));
for (const phase of PHASES) {
  if (!["apply", "latency", "search", "memory"].includes(phase)) {
    throw new Error(`--only: unknown phase ${phase}; use apply, latency, search, memory`);
  }
}

/** The commit measured, and whether the code the services run from differs from it. */
function codeState(): string {
  const git = (...command: string[]) =>
    spawnSync("git", command, { cwd: ROOT, encoding: "utf8" }).stdout?.trim() ?? "";
  const head = git("rev-parse", "--short", "HEAD") || "?";
  const changed = git("status", "--porcelain", "--", "services", "packages")
    .split("\n")
    .filter(Boolean).length;
  return changed
    ? `${head} with ${changed} files changed or added under services/ and packages/ (the services run from the working tree)`
    : `${head}, no uncommitted changes under services/ and packages/`;
}

/** Ctrl-C stops the phase in hand; the run then cleans up. */
const interrupt = new AbortController();
const { signal } = interrupt;

async function main(): Promise<void> {
  const began = performance.now();
  const stack = await resolveStack();
  const brokers = stack.brokers.split(",");
  const bench = new PortalBench(brokers, stack.mongoUrl);
  process.on("SIGINT", () => {
    if (!signal.aborted) {
      note("interrupted: stopping the phase in hand, then cleaning up (Ctrl-C again to leave now)");
      interrupt.abort();
      return;
    }
    note(`left without cleaning up: topics, groups and databases named pbench${bench.id}*`);
    process.exit(130);
  });
  const cpu = cpus();
  const applyConcurrency = Number(process.env.CHANNEL_APPLY_CONCURRENCY ?? 8);
  const chunk = Number(process.env.CHANNEL_CHUNK_SIZE ?? 200);
  // The portal's consumer works on up to four partitions at once, each chunk `applyConcurrency` wide.
  const inFlight = Math.min(bench.partitions, 4) * applyConcurrency;
  const report: Report = {
    machine:
      `${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `${process.platform} ${process.arch}, node ${process.version}`,
    code: codeState(),
    database: "?",
    kafka:
      `${stack.brokers}, ${bench.partitions} partitions per topic; portal chunks of ${chunk}, ` +
      `${applyConcurrency} applies in flight per partition`,
    quick: args.quick,
    settings: {
      items: ITEMS,
      runs: RUNS,
      rate: RATE,
      latencyItems: LATENCY_ITEMS,
      inFlight,
      pollIntervalMs: POLL_INTERVAL_MS,
    },
    tookS: 0,
  };
  try {
    const info = await describeDatabase(bench.mongo.db("admin"));
    report.database = `${info.product} ${info.version} (reports MongoDB ${info.reports}) at ${stack.mongoUrl}`;
    const pids = stackPids(brokers, stack.mongoUrl);
    note(
      `portal benchmark against Kafka ${stack.brokers} and ${report.database}${args.quick ? " (QUICK)" : ""}`,
    );
    if (PHASES.has("search") && !signal.aborted) {
      // First, while this process holds nothing else: the index lives in this process.
      note(`search: loading ${SEARCH_ITEMS} items into an index in this process…`);
      report.search = runPortalSearchBenchmark({
        items: SEARCH_ITEMS,
        onProgress: (loaded, total) => note(`  search: loaded ${loaded}/${total}`),
      });
      (globalThis as { gc?: () => void }).gc?.();
      note(`search: p95 ${report.search.p95Ms.toFixed(2)} ms`);
    }
    if (PHASES.has("apply") && !signal.aborted) {
      const sentences = sampleSentences();
      const next = random(2016);
      const items = Array.from({ length: ITEMS }, (_, n) => syntheticItem(n, sentences, next));
      report.apply = [];
      for (let run = 1; run <= RUNS && !signal.aborted; run += 1) {
        report.apply.push(
          await applyRun(bench, run, {
            items,
            inFlight,
            stallMs: STALL_MS,
            profile: args.profile,
            pids,
            signal,
          }),
        );
      }
    }
    if (PHASES.has("latency") && !signal.aborted) {
      const { runs, readyMs } = await latencyRuns(bench, {
        runs: RUNS,
        items: LATENCY_ITEMS,
        rate: RATE,
        pollEvery: POLL_EVERY,
        pids,
        stallMs: STALL_MS,
        signal,
      });
      report.latency = runs;
      report.latencyReadyMs = readyMs;
    }
    if (PHASES.has("memory") && !signal.aborted) {
      report.memory = await memoryRun(bench, {
        items: MEMORY_ITEMS,
        stallMs: STALL_MS,
        signal,
        heapProfile: args["heap-profile"],
      });
    }
  } finally {
    note("cleaning up…");
    await bench.cleanup();
    await stack.stop();
  }
  if (signal.aborted) throw new Error("interrupted");
  report.tookS = (performance.now() - began) / 1000;
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (signal.aborted) {
      process.stderr.write("bench interrupted; its topics, groups and databases are removed\n");
      process.exit(130);
    }
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
