/**
 * The content benchmark's figures: what one phase measured, the whole report,
 * and its rendering as a table for people.
 */
import { type Distribution, table } from "./bench-stats";
import type { DatabaseInfo, RawWrites } from "./content-stack";

export const TARGET_ITEMS_PER_S = 500;
export const TARGET_P99_MS = 100;
/** The rate the latency target is stated for. */
export const TARGET_RATE = 50;

export interface Phase {
  api: "gRPC" | "HTTP";
  calls: number;
  published: number;
  errors: number;
  firstError?: string;
  /** Published but not seen on the topic. */
  missing: number;
  /** Revisions already in the service's journal when the phase began. */
  revisionsBefore: number;
  /** From the first call to the last message on the topic. */
  seconds: number;
  itemsPerS: number;
  /** Answered calls a second, from the first call to the last answer. */
  callsPerS: number;
  /** Call start to answer, ms. */
  response: Distribution;
  /** When the call was due to its message on the topic, ms. */
  endToEnd: Distribution;
  /** How late the latest call started against the clock (open loop), ms. */
  startLagMaxMs: number;
  /** Passes the outbox relay made (polls included). */
  relayPasses: number;
  /** CPU this process (callers, service, reader) used, in % of one core. */
  cpuPercent: number;
}

export interface Report {
  machine: { cores: number; cpu: string; memoryGiB: number; platform: string; node: string };
  database: DatabaseInfo & { url: string };
  kafka: string;
  settings: {
    items: number;
    concurrency: number;
    rate: number;
    seconds: number;
    topic: string;
    partitions: number;
    relayPollMs: number;
    relayBatch: number;
  };
  raw: RawWrites;
  throughput: Phase[];
  latency: Phase[];
  /** Service items/s ÷ raw items/s, per API. */
  ratios: Record<string, number>;
  targets: {
    throughput: { itemsPerS: number; met: boolean };
    latency: { rate: number; p99Ms: number; measuredAtRate: number; met: boolean };
  };
  tookS: number;
}

export const meetsThroughput = (p: Phase) =>
  p.itemsPerS >= TARGET_ITEMS_PER_S && !p.errors && !p.missing;
export const meetsLatency = (p: Phase) =>
  p.endToEnd.p99 <= TARGET_P99_MS && !p.errors && !p.missing;

export const ms = (value: number) =>
  Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : "-";
const verdict = (ok: boolean) => (ok ? "meets" : "MISSES");

const common = ["errors", "missing", "revisions before", "relay passes", "node CPU"];
const commonCells = (p: Phase) => [
  String(p.errors),
  String(p.missing),
  String(p.revisionsBefore),
  String(p.relayPasses),
  `${p.cpuPercent.toFixed(0)}%`,
];

export function renderReport(r: Report): string {
  const { machine, database, settings, raw } = r;
  const lines = [
    "Herald content service, end to end: API call → message on herald.items.v1",
    `machine   ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}`,
    `database  ${database.product} ${database.version} (reports MongoDB ${database.reports}) at ${database.url}`,
    `kafka     ${r.kafka}, ${settings.partitions} partitions on ${settings.topic}`,
    `service   in this process with the callers and the topic reader (node CPU is theirs together); ` +
      `relay poll ${settings.relayPollMs} ms, batch ${settings.relayBatch}`,
    "",
    `throughput: ${settings.items} items per API, ${settings.concurrency} calls in flight; ` +
      "items/s = items ÷ (first call → last message on the topic)",
    table([
      ["API", "items/s", "calls/s", "seconds", "answer p50/p99 ms", "to topic p50/p99 ms"]
        .concat(common)
        .concat(`target ≥ ${TARGET_ITEMS_PER_S}/s`),
      ...r.throughput.map((p) => [
        p.api,
        p.itemsPerS.toFixed(1),
        p.callsPerS.toFixed(1),
        Number.isFinite(p.seconds) ? p.seconds.toFixed(2) : "-",
        `${ms(p.response.p50)} / ${ms(p.response.p99)}`,
        `${ms(p.endToEnd.p50)} / ${ms(p.endToEnd.p99)}`,
        ...commonCells(p),
        verdict(meetsThroughput(p)),
      ]),
    ]),
    "",
    `latency: ${settings.rate} items/s for ${settings.seconds} s per API, started by the clock; ` +
      "from when a call was due to its message on the topic, ms",
    table([
      ["API", "count", "p50", "p90", "p99", "max", "answer p50/p99", "start lag max"]
        .concat(common)
        .concat(`target p99 ≤ ${TARGET_P99_MS}`),
      ...r.latency.map((p) => [
        p.api,
        String(p.endToEnd.count),
        ms(p.endToEnd.p50),
        ms(p.endToEnd.p90),
        ms(p.endToEnd.p99),
        ms(p.endToEnd.max),
        `${ms(p.response.p50)} / ${ms(p.response.p99)}`,
        ms(p.startLagMaxMs),
        ...commonCells(p),
        verdict(meetsLatency(p)),
      ]),
    ]),
    ...(settings.rate === TARGET_RATE
      ? []
      : [
          `  (the latency target is stated at ${TARGET_RATE} items/s, this ran at ${settings.rate})`,
        ]),
    "",
    `database raw writes, run before the phases above: what ItemStore.commit writes per item ` +
      `(an outbox marker, a ${raw.revisionBytes} B revision insert, a ${raw.headBytes} B head replace by _id), ${settings.concurrency} in flight`,
    `  ${raw.docs} docs in ${(raw.elapsedMs / 1000).toFixed(2)} s: ${raw.docsPerS.toFixed(1)} docs/s ` +
      `= ${raw.pairsPerS.toFixed(1)} items/s (revision inserts ${raw.insertsPerS.toFixed(1)}/s, head replaces ${raw.replacesPerS.toFixed(1)}/s)`,
    `  service items/s ÷ raw items/s: ` +
      Object.entries(r.ratios)
        .map(([api, ratio]) => `${api} ${ratio.toFixed(2)}`)
        .join(", ") +
      "  (near 1.0: these writes are the ceiling; far below: something else costs more," +
      " in the service or in the database work it does beyond them)",
    ...[...r.throughput, ...r.latency].flatMap((p) =>
      p.firstError ? [`  first ${p.api} error: ${p.firstError}`] : [],
    ),
    "",
    `took ${r.tookS.toFixed(0)} s`,
  ];
  return `${lines.join("\n")}\n`;
}
