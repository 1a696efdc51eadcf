/**
 * Publishing latency with many items stored, while the scheduler runs: the
 * content service in process with a database and topics of its own, `--preload`
 * published items written straight into its collections (copies of one item the
 * service published; the first `--scheduled` of them due a year from now, with
 * their entries in the due index), then `--runs` times `--rate` items/s for
 * `--seconds` over HTTP, from when each call was due to its message on
 * herald.items.v1. Also times the scheduler's pass, a reload of the due index
 * and the check whether to reload, on the loaded database, and the CPU of
 * FerretDB and of everything else.
 *
 *   pnpm bench:scheduler [--preload 100000] [--scheduled 0] [--rate 50] [--seconds 20]
 *                        [--runs 3] [--json]
 *
 * CONTENT_SCHEDULER_* and CONTENT_RELAY_* from the environment reach the service.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { resolveStack } from "@herald/test-harness";
import type { Db, Document } from "mongodb";
import { distribution, type Distribution } from "./bench-stats";
import { Arrivals, type Call, httpPublisher, openLoop, withProgress } from "./content-load";
import { ms } from "./content-report";
import { startBench } from "./content-stack";
import { cpuPercent, cpuSnapshot } from "./portal-process";
import { listeningPid } from "./reconciler-stack";

const { values: args } = parseArgs({
  options: {
    preload: { type: "string", default: "100000" },
    scheduled: { type: "string", default: "0" },
    rate: { type: "string", default: "50" },
    seconds: { type: "string", default: "20" },
    runs: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});

function count(name: string, value: string, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new Error(`--${name} must be a whole number of at least ${min}`);
  }
  return number;
}

const PRELOAD = count("preload", args.preload, 0);
const SCHEDULED = Math.min(PRELOAD, count("scheduled", args.scheduled, 0));
const DUE_AT = new Date(Date.now() + 365 * 86_400_000);
const RATE = count("rate", args.rate, 1);
const SECONDS = count("seconds", args.seconds, 1);
const RUNS = count("runs", args.runs, 1);
/** Documents per insert command: new documents only, so FerretDB's update limit does not apply. */
const BATCH = 500;

const note = (text: string) => process.stderr.write(`${text}\n`);

/** Copies of a stored item (its head and its one revision) under new ids, `BATCH` per command. */
async function preload(db: Db, itemId: string, total: number): Promise<number> {
  const head = await db.collection("items").findOne({ _id: itemId as never });
  const revision = await db.collection("item_revisions").findOne({ _id: `${itemId}#1` as never });
  if (!head || !revision) throw new Error(`the service stored no item ${itemId} to copy`);
  const started = performance.now();
  let done = 0;
  await withProgress(
    () => `preloading: ${done}/${total} items`,
    (async () => {
      while (done < total) {
        const ids = Array.from({ length: Math.min(BATCH, total - done) }, (_, i) => {
          return `preload-${(done + i).toString().padStart(7, "0")}`;
        });
        const due = (id: string) =>
          Number(id.slice("preload-".length)) < SCHEDULED ? DUE_AT : null;
        const record = (id: string) => ({
          ...(head.record as Document),
          id,
          nextDueAt: due(id),
        });
        await db.collection("item_revisions").insertMany(
          ids.map((id) => ({
            ...revision,
            _id: `${id}#1` as never,
            itemId: id,
            record: record(id),
          })),
        );
        await db.collection("items").insertMany(
          ids.map((id) => ({
            ...head,
            _id: id as never,
            nextDueAt: due(id),
            record: record(id),
          })),
        );
        done += ids.length;
      }
    })(),
  );
  return (performance.now() - started) / 1000;
}

interface Run {
  published: number;
  errors: number;
  missing: number;
  /** When a call was due to its message on the topic, ms. */
  toTopic: Distribution;
  /** Call start to answer, ms. */
  answer: Distribution;
  schedulerPasses: number;
  ferretdbCpuPercent: number;
  /** Every other process on the machine (other people's runs), in % of one core. */
  othersCpuPercent: number;
}

async function main(): Promise<void> {
  const began = performance.now();
  const stack = await resolveStack();
  const arrivals = new Arrivals();
  note(`starting the content service against Kafka ${stack.brokers} and ${stack.mongoUrl}…`);
  const bench = await startBench(stack.brokers.split(","), stack.mongoUrl, arrivals);
  const publisher = httpPublisher(bench.service.httpPort, bench.tokens.admin, 64);
  const signal = new AbortController().signal;
  const ferretdb = listeningPid(Number(new URL(stack.mongoUrl).port || 27017));
  const runs: Run[] = [];
  let preloadS = 0;
  let passMs: Distribution | undefined;
  let reloadMs: Distribution | undefined;
  let checkMs: Distribution | undefined;
  let counter = 0;
  const phase = async (label: string, rate: number, seconds: number) => {
    const calls: Call[] = [];
    const passes = bench.service.scheduler.passes;
    const cpuBefore = cpuSnapshot(ferretdb ? { ferretdb } : {});
    await withProgress(
      () => `${label}: ${calls.filter((c) => c.answered).length} answered`,
      openLoop(calls, publisher, rate, seconds, counter, signal),
    );
    counter += calls.length;
    const ids = calls.flatMap((c) => (c.id ? [c.id] : []));
    const missing = await arrivals.waitAll(ids, 60_000, signal);
    const cpu = cpuPercent(cpuBefore, cpuSnapshot(ferretdb ? { ferretdb } : {}));
    return {
      published: ids.length,
      errors: calls.filter((c) => c.error).length,
      missing,
      toTopic: distribution(
        calls.flatMap((c) => {
          const at = c.id ? arrivals.of(c.id) : undefined;
          return at === undefined ? [] : [at - c.due];
        }),
      ),
      answer: distribution(calls.flatMap((c) => (c.answered ? [c.answered - c.started] : []))),
      schedulerPasses: bench.service.scheduler.passes - passes,
      ferretdbCpuPercent: cpu.ferretdb ?? Number.NaN,
      othersCpuPercent: cpu.others ?? Number.NaN,
    };
  };
  try {
    await phase("warm-up", 10, 2);
    const [first] = await bench.db.collection("items").find({}).limit(1).toArray();
    if (!first) throw new Error("the warm-up published nothing");
    preloadS = await preload(bench.db, String(first._id), PRELOAD);
    note(`preloaded ${PRELOAD} items in ${preloadS.toFixed(0)} s`);
    if (SCHEDULED > 0) {
      const { schedule } = bench.service.store;
      for (let n = 0; n < SCHEDULED; n++) {
        // As a commit writes them: the real entry format, into this instance's index too.
        const id = `preload-${n.toString().padStart(7, "0")}`;
        await schedule.add({ id, revision: 1, nextDueAt: DUE_AT });
      }
      const reloads: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await bench.service.store.loadSchedule();
        reloads.push(performance.now() - started);
      }
      reloadMs = distribution(reloads);
      const checks: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        if (await schedule.refresh()) throw new Error("the due index changed while nothing wrote");
        checks.push(performance.now() - started);
      }
      checkMs = distribution(checks);
      note(
        `due index: ${schedule.size} entries, reload median ${ms(reloadMs.p50)} ms, ` +
          `check median ${ms(checkMs.p50)} ms`,
      );
    }
    const times: number[] = [];
    // Up to three passes, one when a pass takes long (a scan of every item).
    for (let i = 0; i < 3 && !(times[0]! > 10_000); i++) {
      const started = performance.now();
      await bench.service.scheduler.runOnce();
      times.push(performance.now() - started);
    }
    passMs = distribution(times);
    note(`scheduler pass: median ${ms(passMs.p50)} ms`);
    for (let i = 0; i < RUNS; i++) {
      const run = await phase(`run ${i + 1}/${RUNS}`, RATE, SECONDS);
      runs.push(run);
      note(
        `run ${i + 1}: to topic p50 ${ms(run.toTopic.p50)} ms, p99 ${ms(run.toTopic.p99)} ms, ` +
          `${run.errors} errors, ${run.missing} missing`,
      );
    }
  } finally {
    publisher.close();
    await bench.cleanup();
    await stack.stop();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const report = {
    preload: PRELOAD,
    preloadSeconds: preloadS,
    rate: RATE,
    seconds: SECONDS,
    schedulerIntervalMs: bench.config.CONTENT_SCHEDULER_INTERVAL_MS,
    schedulerPassMs: passMs,
    scheduled: SCHEDULED,
    reloadMs,
    checkMs,
    runs,
    median: {
      toTopicP50: median(runs.map((r) => r.toTopic.p50)),
      toTopicP99: median(runs.map((r) => r.toTopic.p99)),
      answerP50: median(runs.map((r) => r.answer.p50)),
      answerP99: median(runs.map((r) => r.answer.p99)),
      ferretdbCpuPercent: median(runs.map((r) => r.ferretdbCpuPercent)),
      othersCpuPercent: median(runs.map((r) => r.othersCpuPercent)),
    },
    tookS: (performance.now() - began) / 1000,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines = [
    `content publishing with ${PRELOAD} items stored (${SCHEDULED} due in a year), ${RATE} items/s for ${SECONDS} s, ${RUNS} runs; ` +
      `scheduler every ${report.schedulerIntervalMs} ms`,
    `  scheduler pass on the loaded database: median ${ms(passMs?.p50 ?? Number.NaN)} ms, max ${ms(passMs?.max ?? Number.NaN)} ms`,
    `  reload of the due index (${SCHEDULED} entries): median ${ms(reloadMs?.p50 ?? Number.NaN)} ms; ` +
      `the check whether to (nothing added): median ${ms(checkMs?.p50 ?? Number.NaN)} ms`,
    ...runs.map(
      (r, i) =>
        `  run ${i + 1}: due → topic p50 ${ms(r.toTopic.p50)} p99 ${ms(r.toTopic.p99)} max ${ms(r.toTopic.max)} ms; ` +
        `answer p50 ${ms(r.answer.p50)} p99 ${ms(r.answer.p99)} ms; ${r.published} published, ` +
        `${r.errors} errors, ${r.missing} missing; ${r.schedulerPasses} scheduler passes; ` +
        `CPU FerretDB ${r.ferretdbCpuPercent.toFixed(0)}%, others ${r.othersCpuPercent.toFixed(0)}%`,
    ),
    `  median of runs: due → topic p50 ${ms(report.median.toTopicP50)} ms, p99 ${ms(report.median.toTopicP99)} ms; ` +
      `answer p50 ${ms(report.median.answerP50)} ms, p99 ${ms(report.median.answerP99)} ms; ` +
      `CPU FerretDB ${report.median.ferretdbCpuPercent.toFixed(0)}%, others ${report.median.othersCpuPercent.toFixed(0)}%`,
    `took ${report.tookS.toFixed(0)} s (preload ${preloadS.toFixed(0)} s)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
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
