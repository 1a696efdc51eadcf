/**
 * The outlet gateway's figures (ADR 007), on the real stack, each run on a gateway
 * of its own with one outlet on the SDK (holding in memory, in this process):
 *
 *   - live deliveries per second to one outlet, credit 100 and credit 1: a burst
 *     published at once, from the first send to the last apply;
 *   - the backfill rate: items already on the topic when the outlet connects,
 *     from connect until the gateway has recorded every result;
 *   - publish → the outlet's result at 50 items/s (one send per item, as an
 *     editor's publish is): p50 and p99.
 *
 * Prints medians over the runs; the machine is shared, so compare medians.
 *
 *   pnpm bench:outlet [--items 100000] [--runs 3] [--only live,backfill,latency]
 */
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { itemState } from "@herald/channel-kit/testing";
import { resolveStack } from "@herald/test-harness";
import { distribution, table } from "./bench-stats";
import { OutletBench, type OutletRun, note } from "./outlet-stack";

const { values: args } = parseArgs({
  options: {
    items: { type: "string", default: "5000" },
    runs: { type: "string", default: "3" },
    only: { type: "string", default: "live,backfill,latency" },
  },
});
const BACKFILL_ITEMS = Number(args.items);
const RUNS = Number(args.runs);
// One backfill of 100,000 items takes minutes here; one run of it is the figure.
const BACKFILL_RUNS = BACKFILL_ITEMS >= 50_000 ? 1 : RUNS;
const PHASES = new Set(args.only.split(","));
const BURST = { 100: 3000, 1: 500 } as const;
const PACED_RATE = 50;
const PACED_SECONDS = 10;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Polls `check` every 20 ms until it holds; throws after `timeoutMs` saying what did not happen. */
async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Connects an outlet and waits until a first item reaches it: the group is joined, the feed live. */
async function liveOutlet(run: OutletRun, name: string, credit: number) {
  const outlet = await run.outlet(name, credit);
  await outlet.handle.connected();
  await run.send([itemState(`${name}-warm`, 1)]);
  await until(() => outlet.appliedAt.has(`${name}-warm`), "the warm-up item", 60_000);
  return outlet;
}

async function live(bench: OutletBench, credit: 100 | 1): Promise<number> {
  const run = await bench.run(`live${credit}`);
  try {
    const outlet = await liveOutlet(run, "burst", credit);
    const states = Array.from({ length: BURST[credit] }, (_, n) => itemState(`burst-${n}`, 1));
    const started = Date.now();
    await run.send(states);
    await until(
      () => states.every((s) => outlet.appliedAt.has(s.id)),
      `${states.length} deliveries at credit ${credit}`,
      300_000,
    );
    const last = Math.max(...states.map((s) => outlet.appliedAt.get(s.id)!));
    return states.length / ((last - started) / 1000);
  } finally {
    await bench.clean(run);
  }
}

async function backfill(bench: OutletBench): Promise<{ perSecond: number; seconds: number }> {
  const run = await bench.run("backfill");
  try {
    note(`  producing ${BACKFILL_ITEMS} items`);
    await run.produce("back-", BACKFILL_ITEMS);
    const started = Date.now();
    const outlet = await run.outlet("backfill", 100);
    let lastNote = Date.now();
    await until(
      () => {
        if (Date.now() - lastNote >= 10_000) {
          lastNote = Date.now();
          note(`  backfill: ${outlet.appliedAt.size}/${BACKFILL_ITEMS} applied`);
        }
        return outlet.appliedAt.size === BACKFILL_ITEMS && run.settled("backfill");
      },
      `a backfill of ${BACKFILL_ITEMS} items`,
      1_800_000,
    );
    const seconds = (Date.now() - started) / 1000;
    if (outlet.applies !== BACKFILL_ITEMS) {
      throw new Error(
        `${outlet.applies} applies for ${BACKFILL_ITEMS} items: some were sent twice`,
      );
    }
    return { perSecond: BACKFILL_ITEMS / seconds, seconds };
  } finally {
    await bench.clean(run);
  }
}

async function latency(bench: OutletBench): Promise<{ p50: number; p99: number; max: number }> {
  const run = await bench.run("paced");
  try {
    const outlet = await liveOutlet(run, "paced", 100);
    const sentAt = new Map<string, number>();
    const started = Date.now();
    for (let n = 0; n < PACED_RATE * PACED_SECONDS; n += 1) {
      const state = itemState(`paced-${n}`, 1);
      const due = started + (n * 1000) / PACED_RATE;
      await sleep(Math.max(0, due - Date.now()));
      sentAt.set(state.id, Date.now());
      await run.send([state]);
    }
    await until(
      () => [...sentAt.keys()].every((id) => outlet.appliedAt.has(id)),
      "the paced items",
      120_000,
    );
    const d = distribution([...sentAt].map(([id, at]) => outlet.appliedAt.get(id)! - at));
    return { p50: d.p50, p99: d.p99, max: d.max };
  } finally {
    await bench.clean(run);
  }
}

async function main(): Promise<void> {
  const stack = await resolveStack();
  const bench = new OutletBench(stack.brokers.split(","), stack.mongoUrl);
  const loadBefore = loadavg();
  const rows: string[][] = [["figure", "median", "runs"]];
  const fmt = (n: number) => n.toFixed(0);
  try {
    if (PHASES.has("live")) {
      for (const credit of [100, 1] as const) {
        const rates: number[] = [];
        for (let r = 0; r < RUNS; r += 1) {
          rates.push(await live(bench, credit));
          note(`live, credit ${credit}, run ${r + 1}: ${fmt(rates.at(-1)!)} deliveries/s`);
        }
        rows.push([
          `live deliveries/s, credit ${credit} (${BURST[credit]} at once)`,
          fmt(median(rates)),
          rates.map(fmt).join(" "),
        ]);
      }
    }
    if (PHASES.has("backfill")) {
      const results: { perSecond: number; seconds: number }[] = [];
      for (let r = 0; r < BACKFILL_RUNS; r += 1) {
        results.push(await backfill(bench));
        const last = results.at(-1)!;
        note(
          `backfill run ${r + 1}: ${BACKFILL_ITEMS} items in ${last.seconds.toFixed(1)} s (${fmt(last.perSecond)} items/s)`,
        );
      }
      rows.push([
        `backfill items/s, ${BACKFILL_ITEMS} items (connect → all results recorded)`,
        fmt(median(results.map((b) => b.perSecond))),
        results.map((b) => fmt(b.perSecond)).join(" "),
      ]);
    }
    if (PHASES.has("latency")) {
      const results: { p50: number; p99: number; max: number }[] = [];
      for (let r = 0; r < RUNS; r += 1) {
        results.push(await latency(bench));
        const last = results.at(-1)!;
        note(`latency run ${r + 1}: p50 ${last.p50} ms, p99 ${last.p99} ms, max ${last.max} ms`);
      }
      for (const key of ["p50", "p99", "max"] as const) {
        rows.push([
          `publish → result ${key} ms at ${PACED_RATE} items/s (${PACED_RATE * PACED_SECONDS} items)`,
          fmt(median(results.map((l) => l[key]))),
          results.map((l) => fmt(l[key])).join(" "),
        ]);
      }
    }
  } finally {
    await bench.close();
    await stack.stop();
  }
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(" ");
  process.stdout.write(
    `outlet gateway (load average ${load(loadBefore)} before, ${load(loadavg())} after)\n${table(rows)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
