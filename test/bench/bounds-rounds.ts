/**
 * Driving one bound round after round: each round takes the bound past its
 * limit, checks what the service promised happened, and samples memory after a
 * forced collection once the round's work is done.
 */
import { performance } from "node:perf_hooks";
import { type BoundFigures, type BoundRound, memoryAfterGc } from "./bounds-report";
import { note } from "./reconciler-stack";

export interface RoundResult {
  gauge: number;
  observed: Record<string, number>;
  /** Set when the round did not show the stated behaviour. */
  problem?: string;
}

export interface BoundSpec {
  name: string;
  gaugeName: string;
  limit: number;
  /** What the limit counts ("items waiting", "receipt in memory"…). */
  limitOf: string;
  behaviour: string;
  /** Round `round` (0 is the warm-up): drive past the limit, wait for the work to finish. */
  round: (round: number) => Promise<RoundResult>;
}

export async function runBound(spec: BoundSpec, rounds: number): Promise<BoundFigures> {
  const done: BoundRound[] = [];
  let problem: string | undefined;
  for (let round = 0; round <= rounds; round += 1) {
    const began = performance.now();
    const result = await spec.round(round);
    const ms = performance.now() - began;
    if (result.problem && !problem) problem = `round ${round}: ${result.problem}`;
    const memory = memoryAfterGc();
    done.push({ gauge: result.gauge, observed: result.observed, ms, memory });
    note(
      `  ${spec.name} round ${round}: gauge ${result.gauge} ${JSON.stringify(result.observed)}` +
        ` ${(ms / 1000).toFixed(1)} s, heap ${(memory.heapUsed / 2 ** 20).toFixed(1)} MiB,` +
        ` RSS ${(memory.rss / 2 ** 20).toFixed(1)} MiB${result.problem ? ` (${result.problem})` : ""}`,
    );
  }
  const [warmUp, ...measured] = done;
  return {
    name: spec.name,
    gaugeName: spec.gaugeName,
    limit: spec.limit,
    limitOf: spec.limitOf,
    behaviour: spec.behaviour,
    warmUp: warmUp!,
    rounds: measured,
    ...(problem ? { problem } : {}),
  };
}

/**
 * Values of a Prometheus text, by metric name with the labels left out: one
 * line per name is what the services report for these bounds.
 */
export function metricValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && !values.has(match[1]!)) values.set(match[1]!, Number(match[3]));
  }
  return values;
}

export function metricOf(text: string, name: string): number {
  const value = metricValues(text).get(name);
  if (value === undefined) throw new Error(`no metric ${name}`);
  return value;
}

/** Samples `read` every `everyMs` until stopped; returns the highest value seen. */
export function watchHighest(read: () => number, everyMs = 20): { stop: () => number } {
  let highest = read();
  const timer = setInterval(() => {
    highest = Math.max(highest, read());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(highest, read());
    },
  };
}
