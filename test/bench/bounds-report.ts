/**
 * What the bounds benchmark measures per round and how it tells flat from
 * growing: memory after a forced collection, the least-squares slope over the
 * rounds with its standard error, the median of the round-to-round changes, and
 * the report printed per bound.
 */
import { table } from "./bench-stats";

const MiB = 2 ** 20;

export interface MemorySample {
  heapUsed: number;
  rss: number;
}

/** Heap used and RSS after two full collections (the second clears what the first's finalizers freed). */
export function memoryAfterGc(): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (pnpm bench:bounds does)");
  gc();
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** One round past the limit: what the gauge showed, what happened, and memory afterwards. */
export interface BoundRound {
  /** The bound's gauge at its highest during the round. */
  gauge: number;
  /** What the stated behaviour counted this round (items shed, readers' waits, audits joined…). */
  observed: Record<string, number>;
  ms: number;
  memory: MemorySample;
}

export interface BoundFigures {
  name: string;
  /** The gauge and its limit as the service reports them. */
  gaugeName: string;
  limit: number;
  /** What the limit counts. */
  limitOf: string;
  /** The behaviour the bound promises, in words. */
  behaviour: string;
  /** Round 0 warms caches up (first ids, connections) and is not in the slope. */
  warmUp: BoundRound;
  rounds: BoundRound[];
  /** Whether every round showed the behaviour; the reason when one did not. */
  problem?: string;
}

export interface Slope {
  /** Least-squares slope, MiB per round. */
  perRound: number;
  /** Its standard error, MiB per round. */
  stdError: number;
  /** Median of the changes from one round to the next, MiB. */
  medianDelta: number;
}

export function slope(values: readonly number[]): Slope {
  const n = values.length;
  const xs = values.map((_, i) => i);
  const mx = (n - 1) / 2;
  const my = values.reduce((a, v) => a + v, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const b = n > 1 ? xs.reduce((a, x, i) => a + (x - mx) * (values[i]! - my), 0) / sxx : 0;
  const residuals = values.map((v, i) => v - (my + b * (i - mx)));
  const variance = n > 2 ? residuals.reduce((a, r) => a + r * r, 0) / (n - 2) : 0;
  const deltas = values
    .slice(1)
    .map((v, i) => v - values[i]!)
    .sort((p, q) => p - q);
  const medianDelta = deltas.length
    ? deltas.length % 2
      ? deltas[(deltas.length - 1) / 2]!
      : (deltas[deltas.length / 2 - 1]! + deltas[deltas.length / 2]!) / 2
    : 0;
  return {
    perRound: b / MiB,
    stdError: n > 2 ? Math.sqrt(variance / sxx) / MiB : 0,
    medianDelta: medianDelta / MiB,
  };
}

/**
 * Flat: the heap's slope is under `toleranceMiB` per round, or within twice its
 * standard error (the noise of collections, connections and buffers). A heap
 * that keeps what each round brought grows by about the same every round, which
 * gives a slope far above its error.
 */
export function isFlat(s: Slope, toleranceMiB: number): boolean {
  return s.perRound < toleranceMiB || s.perRound <= 2 * s.stdError;
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const signed = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(2)}`;

export interface BoundVerdict {
  name: string;
  flat: boolean;
  behaved: boolean;
  heap: Slope;
  rss: Slope;
}

export function verdictOf(figures: BoundFigures, toleranceMiB: number): BoundVerdict {
  const heap = slope(figures.rounds.map((r) => r.memory.heapUsed));
  const rss = slope(figures.rounds.map((r) => r.memory.rss));
  return {
    name: figures.name,
    flat: isFlat(heap, toleranceMiB),
    behaved: figures.problem === undefined,
    heap,
    rss,
  };
}

export function renderBound(figures: BoundFigures, verdict: BoundVerdict): string {
  const keys = [
    ...new Set([figures.warmUp, ...figures.rounds].flatMap((r) => Object.keys(r.observed))),
  ];
  const row = (label: string, r: BoundRound) => [
    label,
    String(r.gauge),
    ...keys.map((k) => String(r.observed[k] ?? 0)),
    (r.ms / 1000).toFixed(1),
    mib(r.memory.heapUsed),
    mib(r.memory.rss),
  ];
  const seen = Math.max(...figures.rounds.map((r) => r.gauge));
  const lines = [
    `${figures.name}: limit ${figures.limit} ${figures.limitOf}; ${figures.gaugeName} at most ${seen}`,
    `  behaviour: ${figures.behaviour}`,
    table([
      ["round", "gauge", ...keys, "s", "heap MiB", "RSS MiB"],
      row("warm-up", figures.warmUp),
      ...figures.rounds.map((r, i) => row(String(i + 1), r)),
    ]),
    `  heap: slope ${signed(verdict.heap.perRound)} MiB/round (± ${verdict.heap.stdError.toFixed(2)}), ` +
      `median change ${signed(verdict.heap.medianDelta)} MiB`,
    `  RSS:  slope ${signed(verdict.rss.perRound)} MiB/round (± ${verdict.rss.stdError.toFixed(2)}), ` +
      `median change ${signed(verdict.rss.medianDelta)} MiB`,
    `  ${verdict.behaved ? "PASS" : "FAIL"} behaviour${figures.problem ? `: ${figures.problem}` : ""}`,
    `  ${verdict.flat ? "PASS" : "FAIL"} heap flat`,
  ];
  return lines.join("\n");
}
