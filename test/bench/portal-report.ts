/**
 * The portal benchmark's report for people: a section per phase and a summary
 * of the figures against their targets.
 */
import {
  type ApplyRun,
  type LatencyRun,
  type MemoryFigures,
  type Report,
  TARGETS,
  median,
} from "./portal-figures";
import type { PortalSearchFigures } from "./portal-search";
import { type Distribution, table } from "./bench-stats";

export const ms = (value: number) =>
  Number.isFinite(value) ? value.toFixed(Math.abs(value) < 10 ? 1 : 0) : "-";
export const mib = (bytes: number) =>
  Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : "-";
const s = (millis: number) => `${(millis / 1000).toFixed(1)} s`;
const pct = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? "-" : `${value.toFixed(0)}%`;
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

function spread(values: readonly number[], digits = 0): string {
  if (values.length < 2) return "one run";
  const mid = median(values);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return `${lo.toFixed(digits)}–${hi.toFixed(digits)}, ±${(((hi - lo) / 2 / mid) * 100).toFixed(0)}%`;
}

function applySection(runs: ApplyRun[], r: Report): string[] {
  const cpuNames = [...new Set(runs.flatMap((run) => Object.keys(run.cpu)))];
  return [
    `1. apply throughput, one portal process: ${r.settings.items} items pre-produced per run, ` +
      "items/s = items ÷ (first → last DELIVERED receipt `at`); a fresh namespace each run",
    table([
      [
        "run",
        "items/s",
        "seconds",
        "spawn→ready",
        "spawn→1st receipt",
        "raw upserts/s",
        "ratio",
        "kafka read/s",
        "missing",
        "pages 200",
        ...cpuNames.map((n) => `${n} CPU`),
        "RSS / peak",
      ],
      ...runs.map((run, i) => [
        String(i + 1),
        run.itemsPerS.toFixed(0),
        run.seconds.toFixed(1),
        s(run.readyMs),
        s(run.firstReceiptMs),
        run.rawUpsertsPerS.toFixed(0),
        (run.itemsPerS / run.rawUpsertsPerS).toFixed(2),
        run.kafkaReadPerS.toFixed(0),
        String(run.missing),
        `${run.pagesOk}/${run.pagesSampled}`,
        ...cpuNames.map((n) => pct(run.cpu[n])),
        `${mib(run.rss)} / ${mib(run.hwm)}`,
      ]),
    ]),
    `  median ${median(runs.map((x) => x.itemsPerS)).toFixed(0)} items/s over ${runs.length} runs ` +
      `(spread ${spread(runs.map((x) => x.itemsPerS))}); database raw ` +
      `${median(runs.map((x) => x.rawUpsertsPerS)).toFixed(0)} upserts/s; ratio portal ÷ raw ` +
      `${median(runs.map((x) => x.itemsPerS / x.rawUpsertsPerS)).toFixed(2)} (median of runs)`,
    `  raw upserts: replaceOne by _id with upsert of the holding document the portal writes ` +
      `(its ItemState inside), ${r.settings.inFlight} in flight (partitions × applies per chunk), ` +
      "before the portal starts, in the same run. kafka read: one bare consumer reading and " +
      "decoding the same topic after the portal.",
    "  CPU: % of one core over the apply window (first → last receipt); bench = this process " +
      "(the receipt reader); others = every other process on the machine (e.g. other test runs); " +
      "idle = what was left of all cores",
    ...runs.flatMap((run, i) => (run.profile ? [profileLine(i + 1, run.profile)] : [])),
    ...runs.flatMap((run, i) =>
      run.otherReceipts
        ? [`  run ${i + 1}: ${run.otherReceipts} other receipts, first ${run.firstOther}`]
        : [],
    ),
  ];
}

function profileLine(run: number, parts: Record<string, number>): string {
  const busy = Object.entries(parts).filter(([part]) => part !== "idle");
  const total = busy.reduce((sum, [, t]) => sum + t, 0);
  return (
    `  run ${run} portal main thread, CPU profile over its whole life (${(total / 1000).toFixed(1)} s busy): ` +
    busy
      .sort((a, b) => b[1] - a[1])
      .map(([part, t]) => `${part} ${((t / total) * 100).toFixed(0)}%`)
      .join(", ")
  );
}

function latencySection(runs: LatencyRun[], r: Report): string[] {
  const med = (pick: (run: LatencyRun) => number) => median(runs.map(pick));
  const cpuNames = [...new Set(runs.flatMap((run) => Object.keys(run.cpu)))];
  const all = (pick: (run: LatencyRun) => Distribution) =>
    `${ms(med((x) => pick(x).p50))} / ${ms(med((x) => pick(x).p99))}`;
  return [
    `2. latency, publish → page: ${r.settings.latencyItems} items per run at ${r.settings.rate}/s ` +
      "through POST /api/publish (admin, started by the clock), from the start of each request " +
      "to the portal's DELIVERED receipt `at`, ms" +
      (r.latencyReadyMs === undefined
        ? ""
        : `; the empty portal was ready ${s(r.latencyReadyMs)} after spawn`),
    table([
      [
        "run",
        "count",
        "p50",
        "p95",
        "p99",
        "max",
        "answer p50/p99",
        "on topic p50/p99",
        "topic→receipt p50/p99",
        "start lag max",
        "errors",
        "missing",
        ...cpuNames.map((n) => `${n} CPU`),
      ],
      ...runs.map((run, i) => [
        String(i + 1),
        String(run.toPage.count),
        ms(run.toPage.p50),
        ms(run.toPage.p95),
        ms(run.toPage.p99),
        ms(run.toPage.max),
        `${ms(run.answer.p50)} / ${ms(run.answer.p99)}`,
        `${ms(run.toTopic.p50)} / ${ms(run.toTopic.p99)}`,
        `${ms(run.topicToReceipt.p50)} / ${ms(run.topicToReceipt.p99)}`,
        ms(run.startLagMaxMs),
        String(run.errors),
        String(run.missing),
        ...cpuNames.map((n) => pct(run.cpu[n])),
      ]),
      [
        "median",
        "",
        ms(med((x) => x.toPage.p50)),
        ms(med((x) => x.toPage.p95)),
        ms(med((x) => x.toPage.p99)),
        ms(med((x) => x.toPage.max)),
        all((x) => x.answer),
        all((x) => x.toTopic),
        all((x) => x.topicToReceipt),
        "",
        "",
        "",
        ...cpuNames.map((n) => pct(med((x) => x.cpu[n] ?? Number.NaN))),
      ],
    ]),
    "  answer = the publish call; on topic = when this process read the item from herald.items.v1 " +
      "(its own consumer, like the portal's); topic→receipt = that read → the portal's receipt `at`",
    "  CPU: % of one core while publishing; bench = this process, which runs the content service, " +
      "the callers and the readers; others and idle as above",
    ...runs.map(
      (run, i) =>
        `  run ${i + 1} pages: ${run.pagesSeen}/${run.pagesPolled} items polled every ${r.settings.pollIntervalMs} ms answered 200; ` +
        `first 200 answered at receipt ${sign(run.pageByAfterReceipt.p50)} ms (p50, max ${sign(run.pageByAfterReceipt.max)}), ` +
        `last 404 sent at receipt ${sign(run.pageNotYetAfterReceipt.p50)} ms (p50, max ${sign(run.pageNotYetAfterReceipt.max)})`,
    ),
    "  (the page appears between the last 404 and the first 200; the receipt is stamped after the holding is written)",
    ...runs.flatMap((run, i) =>
      run.firstError ? [`  run ${i + 1} first error: ${run.firstError}`] : [],
    ),
  ];
}

const sign = (value: number) => (value >= 0 ? `+${ms(value)}` : ms(value));

function searchSection(f: PortalSearchFigures): string[] {
  return [
    `3. search, ${f.items} items in an index in this process (runPortalSearchBenchmark): ` +
      `${f.queries} queries of 2–6 Han characters, ${f.meanHits.toFixed(0)} matches on average`,
    `  p50 ${f.medianMs.toFixed(2)} ms   p95 ${f.p95Ms.toFixed(2)} ms   p99 ${f.p99Ms.toFixed(2)} ms   max ${f.maxMs.toFixed(2)} ms`,
    `  index.put ${f.itemsPerSecond.toFixed(0)} items/s (${(f.loadMs / 1000).toFixed(1)} s); ` +
      `${f.index.terms} terms, ${f.index.postings} postings, ${mib(f.index.encodedBytes)} encoded; ` +
      `this process: heap ${mib(f.heapUsedBytes)}, RSS ${mib(f.rssBytes)}` +
      (f.collectedBeforeMeasuring ? "" : " (without --expose-gc: includes uncollected garbage)"),
  ];
}

function memorySection(m: MemoryFigures): string[] {
  return [
    `4. memory, one portal process with ${m.items} items (VmRSS / VmHWM from /proc/<pid>/status)`,
    `  produced in ${m.produceSeconds.toFixed(1)} s; portal ready ${s(m.readyMs)} after spawn (empty); ` +
      `applied in ${m.applySeconds.toFixed(1)} s (${m.itemsPerS.toFixed(0)} items/s), ${m.missing} missing`,
    `  all applied: RSS ${mib(m.rss)}, peak ${mib(m.hwm)}`,
    `  stopped in ${s(m.stopMs)}; restarted: ready ${s(m.reloadReadyMs)} after spawn (reloading every holding), ` +
      `RSS ${mib(m.reloadRss)}; ${m.pagesOk}/${m.pagesSampled} sampled pages 200 after the reload; ` +
      `search built in the background ${s(m.searchBuiltMs)} after spawn, RSS ${mib(m.searchedRss)}, peak over the reload ${mib(m.reloadHwm)}`,
  ];
}

function summary(r: Report): string[] {
  const rows: string[][] = [["figure", "measured", "target", ""]];
  if (r.apply?.length) {
    const v = median(r.apply.map((x) => x.itemsPerS));
    const complete = r.apply.every((x) => !x.missing && x.pagesOk === x.pagesSampled);
    rows.push([
      `apply throughput, one instance (${r.apply.length} runs)`,
      `${v.toFixed(0)} items/s`,
      `≥ ${TARGETS.itemsPerS}/s`,
      verdict(v >= TARGETS.itemsPerS && complete),
    ]);
  }
  if (r.latency?.length) {
    const ok = r.latency.every((x) => !x.missing && !x.errors) && r.settings.rate >= TARGETS.rate;
    const p50 = median(r.latency.map((x) => x.toPage.p50));
    const p99 = median(r.latency.map((x) => x.toPage.p99));
    const at = `at ${r.settings.rate}/s, ${r.latency.length} runs`;
    rows.push([
      `publish → page p50 (${at})`,
      `${ms(p50)} ms`,
      `≤ ${TARGETS.p50Ms} ms`,
      verdict(ok && p50 <= TARGETS.p50Ms),
    ]);
    rows.push([
      `publish → page p99 (${at})`,
      `${ms(p99)} ms`,
      `≤ ${TARGETS.p99Ms} ms`,
      verdict(ok && p99 <= TARGETS.p99Ms),
    ]);
  }
  if (r.search) {
    rows.push([
      `search p95, ${r.search.items} items`,
      `${r.search.p95Ms.toFixed(2)} ms`,
      `≤ ${TARGETS.searchP95Ms} ms`,
      verdict(r.search.p95Ms <= TARGETS.searchP95Ms),
    ]);
  }
  if (r.memory) {
    const m = r.memory;
    const rss = Math.max(m.rss, m.reloadRss);
    const hwm = Math.max(m.hwm, m.reloadHwm);
    rows.push([
      `portal RSS, ${m.items} items (applied / reloaded)`,
      `${mib(m.rss)} / ${mib(m.reloadRss)}`,
      "≤ 1024 MiB",
      verdict(rss <= TARGETS.rssBytes && !m.missing),
    ]);
    rows.push([
      `portal peak RSS (VmHWM), ${m.items} items`,
      mib(hwm),
      "≤ 1024 MiB",
      verdict(hwm <= TARGETS.rssBytes),
    ]);
    rows.push([
      `portal ready after a restart, ${m.items} items`,
      s(m.reloadReadyMs),
      "≤ 30 s",
      verdict(m.reloadReadyMs <= 30_000 && m.pagesOk === m.pagesSampled),
    ]);
  }
  return ["summary (medians of runs)", table(rows)];
}

export function renderReport(r: Report): string {
  const lines = [
    "Herald portal: apply throughput, publish → page latency, search and memory",
    `machine   ${r.machine}`,
    "          Kafka, FerretDB, the portal and this load generator all share these cores",
    `code      ${r.code}`,
    `database  ${r.database}`,
    `kafka     ${r.kafka}`,
    ...(r.quick
      ? [
          "QUICK RUN: scaled down (--quick); the figures are not the ones the targets are stated for",
        ]
      : []),
    "",
    ...(r.apply ? [...applySection(r.apply, r), ""] : []),
    ...(r.latency ? [...latencySection(r.latency, r), ""] : []),
    ...(r.search ? [...searchSection(r.search), ""] : []),
    ...(r.memory ? [...memorySection(r.memory), ""] : []),
    ...summary(r),
    "",
    `took ${r.tookS.toFixed(0)} s`,
  ];
  return `${lines.join("\n")}\n`;
}
