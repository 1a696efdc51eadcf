/**
 * The reconciler audit benchmark's figures and its report for people: a table
 * per audit, bars of time and heap, the statistics against the requirement, and
 * PASS/FAIL lines.
 */
import { table } from "./bench-stats";
import type { Fault, Planted } from "./reconciler-channels";
import type { ProfileSummary } from "./reconciler-profile";

/** The requirement: an audit of 100,000 items across 6 channels in under 30 s, memory flat. */
export const TARGETS = { auditMs: 30_000, heapSlopeMiBPerAudit: 1 } as const;

/** One audit, as `runAudit()` reported it and this process measured it. */
export interface AuditFigures {
  readonly wallMs: number;
  /** Per channel: the time its pages took (the channels are read at once). */
  readonly channelMs: Record<string, number>;
  readonly holdings: number;
  readonly errors: readonly string[];
  readonly findings: number;
  readonly findingsByKind: Record<string, number>;
  /** % of one core over the audit, per process, plus `others` and `idle`. */
  readonly cpu: Record<string, number>;
  /** After two full collections. */
  readonly heapUsed: number;
  readonly rss: number;
}

export interface Report {
  readonly machine: string;
  readonly code: string;
  readonly stack: string;
  readonly settings: {
    readonly items: number;
    readonly audits: number;
    readonly faults: number;
    readonly pageSize: number;
    readonly channels: readonly string[];
  };
  readonly produced: { readonly seconds: number; readonly bytes: number };
  readonly planted: Record<string, Planted>;
  /** Start of the reconciler: reading the streams and its first audit. */
  readonly startMs: number;
  /** From ready until FerretDB went quiet (the ledger's first writes); undefined when not watched. */
  readonly settleMs: number | undefined;
  /** FerretDB's open SQLite connections on the reconciler's database (100 = its pool, deadlocked). */
  readonly ledgerConnections:
    | { readonly database: string; readonly afterStart: number; readonly afterAudits: number }
    | undefined;
  readonly before: { readonly heapUsed: number; readonly rss: number };
  readonly audits: readonly AuditFigures[];
  readonly profile?: ProfileSummary | undefined;
  readonly tookS: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (!sorted.length) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Least-squares slope of `values` against 1, 2, 3…, with its standard error. */
export function slope(values: readonly number[]): { perStep: number; standardError: number } {
  const n = values.length;
  if (n < 2) return { perStep: Number.NaN, standardError: Number.NaN };
  const meanX = (n + 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  values.forEach((y, i) => {
    sxx += (i + 1 - meanX) ** 2;
    sxy += (i + 1 - meanX) * (y - meanY);
  });
  const perStep = sxy / sxx;
  if (n < 3) return { perStep, standardError: Number.NaN };
  const residuals = values.reduce((a, y, i) => a + (y - meanY - perStep * (i + 1 - meanX)) ** 2, 0);
  return { perStep, standardError: Math.sqrt(residuals / (n - 2) / sxx) };
}

const MiB = 2 ** 20;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const sec = (ms: number) => (ms / 1000).toFixed(2);
const pct = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? "-" : `${value.toFixed(0)}%`;
const signed = (value: number, digits: number) =>
  `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)}`;

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A bar `width` cells long at `full`, drawn in eighths of a cell. */
export function bar(value: number, full: number, width: number): string {
  const eighths = Math.max(0, Math.round((Math.min(value, full) / full) * width * 8));
  return ("█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]).padEnd(width);
}

/** One character per value, from its lowest (▁) to its highest (█). */
export function sparkline(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const marks = "▁▂▃▄▅▆▇█";
  return values
    .map((v) => marks[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (marks.length - 1))])
    .join("");
}

/** Figures drawn from the audits, shared by the report and its verdicts. */
export function summary(report: Report) {
  const walls = report.audits.map((a) => a.wallMs);
  const heaps = report.audits.map((a) => a.heapUsed / MiB);
  const plantedByKind = new Map<string, number>();
  for (const planted of Object.values(report.planted)) {
    for (const [kind, count] of Object.entries(planted)) {
      plantedByKind.set(kind, (plantedByKind.get(kind) ?? 0) + count);
    }
  }
  const planted = [...plantedByKind.values()].reduce((a, b) => a + b, 0);
  const last = report.audits.at(-1);
  return {
    medianMs: median(walls),
    minMs: Math.min(...walls),
    maxMs: Math.max(...walls),
    heap: slope(heaps),
    rss: slope(report.audits.map((a) => a.rss / MiB)),
    plantedByKind,
    planted,
    found: last?.findings ?? 0,
    findingsMatch:
      last !== undefined &&
      last.findings === planted &&
      [...plantedByKind].every(([kind, count]) => (last.findingsByKind[kind] ?? 0) === count),
    errors: report.audits.flatMap((a) => a.errors),
  };
}

export function verdicts(report: Report): { ok: boolean; line: string }[] {
  const s = summary(report);
  const { items } = report.settings;
  const channels = report.settings.channels.length;
  const kinds = [...s.plantedByKind.keys()]
    .map((k) => `${k} ${report.audits.at(-1)?.findingsByKind[k] ?? 0}/${s.plantedByKind.get(k)}`)
    .join(", ");
  return [
    {
      ok: s.maxMs < TARGETS.auditMs && s.errors.length === 0,
      line:
        `every audit of ${items} items × ${channels} channels under ${TARGETS.auditMs / 1000} s: ` +
        `median ${sec(s.medianMs)} s, slowest ${sec(s.maxMs)} s` +
        (s.errors.length ? `; ${s.errors.length} channel audits failed: ${s.errors[0]}` : ""),
    },
    {
      ok: s.heap.perStep < TARGETS.heapSlopeMiBPerAudit,
      line:
        `heap does not grow with the audits: slope ${signed(s.heap.perStep, 2)} ± ` +
        `${s.heap.standardError.toFixed(2)} MiB/audit (< ${TARGETS.heapSlopeMiBPerAudit})`,
    },
    {
      ok: s.findingsMatch,
      line: `the audit finds what was planted: ${s.found} findings, ${s.planted} planted (${kinds})`,
    },
  ];
}

function plantedLines(report: Report): string[] {
  const kinds = Object.keys(Object.values(report.planted)[0] ?? {}) as Fault[];
  return [
    "planted per channel (what each inventory gets wrong on purpose):",
    table([
      ["channel", ...kinds, "total"],
      ...Object.entries(report.planted).map(([channel, p]) => [
        channel,
        ...kinds.map((k) => String(p[k])),
        String(kinds.reduce((a, k) => a + p[k], 0)),
      ]),
    ]),
  ];
}

function ledgerLines(report: Report): string[] {
  const c = report.ledgerConnections;
  if (!c || Math.max(c.afterStart, c.afterAudits) < 100) return [];
  return [
    `  LEDGER BLOCKED: FerretDB holds ${Math.max(c.afterStart, c.afterAudits)} SQLite connections on ` +
      `${c.database} (its pool is 100), so "quiet" above means deadlocked, not written. An update ` +
      "command of 100 or more statements that match existing documents keeps each statement's " +
      "read open to the end of the command (FerretDB 1.24 internal/handler/msg_update.go, " +
      "`defer closer.Close()` inside the loop), and the next statement waits for a connection for " +
      "ever; the ledger's bulkWrite of 1000 updates does that. Every later operation on that " +
      "database waits too, and one that creates a collection there holds FerretDB's registry " +
      "lock while it waits, which stops every database. The audits above do not touch the ledger.",
  ];
}

export function renderReport(report: Report): string {
  const s = summary(report);
  const { settings, audits } = report;
  const cpuNames = [...new Set(audits.flatMap((a) => Object.keys(a.cpu)))];
  const heapMax = Math.max(...audits.map((a) => a.heapUsed));
  const budget = TARGETS.auditMs;
  const lines = [
    "",
    `Reconciler audit: ${settings.items} items × ${settings.channels.length} channels, ${settings.audits} audits`,
    `  machine: ${report.machine}`,
    `  code: ${report.code}`,
    `  stack: ${report.stack}`,
    `  items: produced in ${report.produced.seconds.toFixed(1)} s ` +
      `(${(report.produced.bytes / MiB).toFixed(0)} MiB encoded); channels: ` +
      `${settings.channels.join(", ")}, served by one child process; ` +
      `page size ${settings.pageSize}; ${(settings.faults * 100).toFixed(2)}% wrong per channel`,
    "",
    ...plantedLines(report),
    "",
    `start: the reconciler was ready in ${sec(report.startMs)} s (reads herald.items.v1 and ` +
      "herald.channels.v1 to their ends, then runs one audit)" +
      (report.settleMs === undefined
        ? ""
        : `; its ledger's first writes then kept the database busy for ${sec(report.settleMs)} s more`),
    ...ledgerLines(report),
    `  memory before the audits: heap ${mib(report.before.heapUsed)} MiB, RSS ${mib(report.before.rss)} MiB`,
    "",
    "per audit (`runAudit()`: read every inventory at once, then evaluate every pair and run a " +
      "repair tick; read = the slowest channel's reading, rest = the remainder; memory after two full GCs):",
    table([
      ["audit", "wall s", "read s", "rest s", "holdings", "findings", "heap MiB", "RSS MiB"],
      ...audits.map((a, i) => {
        const read = Math.max(0, ...Object.values(a.channelMs));
        return [
          String(i + 1),
          sec(a.wallMs),
          sec(read),
          sec(a.wallMs - read),
          String(a.holdings),
          String(a.findings),
          mib(a.heapUsed),
          mib(a.rss),
        ];
      }),
    ]),
    "",
    "each channel's reading (s), and CPU over the audit:",
    table([
      ["audit", ...settings.channels, ...cpuNames],
      ...audits.map((a, i) => [
        String(i + 1),
        ...settings.channels.map((c) => (a.channelMs[c] === undefined ? "-" : sec(a.channelMs[c]))),
        ...cpuNames.map((n) => pct(a.cpu[n])),
      ]),
    ]),
    "  CPU: % of one core; bench = this process (the reconciler), channels = the inventories' " +
      "process, others = every other process on the machine (other test runs), idle = what was left",
    "",
    `  time (bar: the 30 s budget) and heap (bar: 0–${mib(heapMax)} MiB)`,
    ...audits.map(
      (a, i) =>
        `  ${String(i + 1).padStart(3)}  ${bar(a.wallMs, budget, 30)}│ ${sec(a.wallMs).padStart(6)} s` +
        `   ${bar(a.heapUsed, heapMax, 20)} ${mib(a.heapUsed).padStart(7)} MiB`,
    ),
    `  trend, each line from its own lowest to highest value: time ${sparkline(audits.map((a) => a.wallMs))} ` +
      `(${sec(s.minMs)}–${sec(s.maxMs)} s), heap ${sparkline(audits.map((a) => a.heapUsed))} ` +
      `(${mib(Math.min(...audits.map((a) => a.heapUsed)))}–${mib(heapMax)} MiB)`,
    "",
    `  audit time: median ${sec(s.medianMs)} s, min ${sec(s.minMs)} s, max ${sec(s.maxMs)} s ` +
      `(spread ±${(((s.maxMs - s.minMs) / 2 / s.medianMs) * 100).toFixed(0)}%); ` +
      `median ÷ budget = ${(s.medianMs / budget).toFixed(2)}`,
    `  memory: heap ${mib(audits[0]?.heapUsed ?? 0)} → ${mib(audits.at(-1)?.heapUsed ?? 0)} MiB ` +
      `from the first audit to the last, slope ${signed(s.heap.perStep, 2)} ± ${s.heap.standardError.toFixed(2)} MiB/audit; ` +
      `RSS ${mib(audits[0]?.rss ?? 0)} → ${mib(audits.at(-1)?.rss ?? 0)} MiB, slope ${signed(s.rss.perStep, 2)} MiB/audit`,
  ];
  if (report.profile) {
    const p = report.profile;
    lines.push(
      "",
      `profile of the audits (this process, ${sec(p.totalMs)} s sampled; figures above are slower ` +
        `for it): ${p.file}`,
      "  by part: " +
        p.parts
          .filter((x) => x.ms / p.totalMs >= 0.01)
          .map((x) => `${x.part} ${((x.ms / p.totalMs) * 100).toFixed(0)}%`)
          .join(", "),
      table([
        ["function  (where)", "self ms", "%"],
        ...p.functions.map((f) => [
          `${f.name}  (${f.where || "native"})`,
          f.ms.toFixed(0),
          ((f.ms / p.totalMs) * 100).toFixed(1),
        ]),
      ]),
    );
  }
  lines.push("");
  for (const v of verdicts(report)) lines.push(`${v.ok ? "PASS" : "FAIL"}  ${v.line}`);
  lines.push(`(took ${report.tookS.toFixed(0)} s)`, "");
  return lines.join("\n");
}
