/**
 * What the portal's memory grows with, item by item: loads the memory phase's
 * 100,000 synthetic items (same seed, same order) into a PortalIndex in this
 * process, as the applying portal does, and records
 * - process memory (RSS, V8 heap, typed-array buffers) every 1,000 items;
 * - each search-index rebuild: when, how long, and the peak RSS during it
 *   (VmHWM is reset before each one through /proc/self/clear_refs);
 * - a sampling heap profile (V8's HeapProfiler, through node:inspector) read at
 *   two points, by default at 90,000 and 100,000 items, summed by allocation
 *   site, and the sites that grew most between them.
 * Typed-array contents (the search postings) live outside the V8 heap: the
 * heap profile sees only their small wrapper objects, so they are measured as
 * `arrayBuffers` instead.
 *
 *   node --import tsx --conditions=herald-source --expose-gc test/bench/portal-heap.ts \
 *     [--items 100000] [--at 90000,100000] [--json out.json]
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createPortalIndex } from "../../services/portal/src/site";
import { SearchIndex } from "../../services/portal/src/site/search/search-index";
import { random, sampleSentences, syntheticItem } from "./portal-search";

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

interface MemoryRow {
  items: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  arrayBuffersMiB: number;
}

interface RebuildRow {
  items: number;
  ms: number;
  /** CPU time of this process during it: on a shared machine wall time says little. */
  cpuMs: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  arrayBuffersBeforeMiB: number;
  arrayBuffersAfterMiB: number;
  encodedMiB: number;
}

const MiB = 2 ** 20;
const round = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

function status(name: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(
    readFileSync("/proc/self/status", "utf8"),
  );
  return match ? Number(match[1]) * 1024 : 0;
}

/** Resets VmHWM to the current RSS (Linux: "5" into clear_refs); false where not allowed. */
function resetPeak(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** Live sampled bytes by allocation site ("function file:line"). */
export function bySite(root: ProfileNode): Map<string, number> {
  const sites = new Map<string, number>();
  const walk = (node: ProfileNode) => {
    if (node.selfSize > 0) {
      const { functionName, url, lineNumber } = node.callFrame;
      const file = url.replace(/^.*\/(services|packages|node_modules)\//, "$1/");
      const site = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child);
  };
  walk(root);
  return sites;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "100000" },
      at: { type: "string", default: "90000,100000" },
      json: { type: "string" },
    },
  });
  const total = Number(values.items);
  const marks = values.at.split(",").map(Number);
  const gc = (globalThis as { gc?: () => void }).gc;
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.enable");
  await session.post("HeapProfiler.startSampling", { samplingInterval: 32 * 1024 });

  const rebuilds: RebuildRow[] = [];
  let loaded = 0;
  const canReset = resetPeak();
  // Instrument the one method whose buffers the earlier runs suspected, without changing it.
  const proto = SearchIndex.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, "rebuild")!.value as (
    this: SearchIndex,
  ) => void;
  proto.rebuild = function (this: SearchIndex) {
    const before = process.memoryUsage();
    const rssBefore = status("VmRSS");
    resetPeak();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    original.call(this);
    const cpu = process.cpuUsage(cpu0);
    const ms = performance.now() - t0;
    rebuilds.push({
      items: loaded,
      ms: Math.round(ms),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      rssBeforeMiB: round(rssBefore),
      peakRssMiB: round(status("VmHWM")),
      arrayBuffersBeforeMiB: round(before.arrayBuffers),
      arrayBuffersAfterMiB: round(process.memoryUsage().arrayBuffers),
      encodedMiB: round(this.stats().encodedBytes),
    });
  };

  const sentences = sampleSentences();
  const next = random(2016);
  const index = createPortalIndex();
  const rows: MemoryRow[] = [];
  const profiles = new Map<number, Map<string, number>>();
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  for (let n = 0; n < total; n += 1) {
    index.put(syntheticItem(n, sentences, next));
    loaded = n + 1;
    if (loaded % 1000 === 0) {
      const m = process.memoryUsage();
      rows.push({
        items: loaded,
        rssMiB: round(m.rss),
        heapUsedMiB: round(m.heapUsed),
        heapTotalMiB: round(m.heapTotal),
        arrayBuffersMiB: round(m.arrayBuffers),
      });
    }
    if (marks.includes(loaded)) {
      gc?.();
      const { profile } = await session.post("HeapProfiler.getSamplingProfile");
      profiles.set(loaded, bySite(profile.head));
      const m = process.memoryUsage();
      process.stderr.write(
        `at ${loaded}: RSS ${round(m.rss)} MiB, heap used ${round(m.heapUsed)} MiB, ` +
          `array buffers ${round(m.arrayBuffers)} MiB (after a full GC)\n`,
      );
    }
    if (loaded % 10_000 === 0) process.stderr.write(`loaded ${loaded}\n`);
  }
  const loadSeconds = (performance.now() - started) / 1000;
  const loadCpu = process.cpuUsage(cpuStart);
  await session.post("HeapProfiler.stopSampling");
  session.disconnect();

  const [from, to] = marks.map((m) => profiles.get(m) ?? new Map<string, number>());
  const sites = [...new Set([...from!.keys(), ...to!.keys()])].map((site) => ({
    site,
    fromMiB: round(from!.get(site) ?? 0),
    toMiB: round(to!.get(site) ?? 0),
    growthMiB: round((to!.get(site) ?? 0) - (from!.get(site) ?? 0)),
  }));
  const top = [...sites].sort((a, b) => b.toMiB - a.toMiB).slice(0, 15);
  const grown = [...sites].sort((a, b) => b.growthMiB - a.growthMiB).slice(0, 10);
  const sum = (m: Map<string, number>) => round([...m.values()].reduce((a, b) => a + b, 0));
  const result = {
    items: total,
    loadSeconds: Math.round(loadSeconds),
    loadCpuSeconds: Math.round((loadCpu.user + loadCpu.system) / 1e6),
    rebuildCpuSeconds: Math.round(rebuilds.reduce((sum, r) => sum + r.cpuMs, 0) / 100) / 10,
    maxRssMiB: Math.max(...rows.map((r) => r.rssMiB)),
    peakRssMiB: canReset ? undefined : round(status("VmHWM")),
    marks,
    sampledLiveMiB: marks.map((m) => sum(profiles.get(m) ?? new Map<string, number>())),
    index: index.stats(),
    rebuilds,
    largestHeapSites: top,
    grownHeapSites: grown,
    memory: rows,
  };
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
  const line = (r: RebuildRow) =>
    `  at ${r.items}: ${r.ms} ms (${r.cpuMs} ms CPU), RSS ${r.rssBeforeMiB} → peak ${r.peakRssMiB} MiB, ` +
    `array buffers ${r.arrayBuffersBeforeMiB} → ${r.arrayBuffersAfterMiB} MiB, encoded ${r.encodedMiB} MiB`;
  process.stdout.write(
    [
      `${total} items in ${result.loadSeconds} s (${result.loadCpuSeconds} s CPU); ` +
        `index ${JSON.stringify(result.index)}`,
      `highest RSS of the rows taken every 1,000 items: ${result.maxRssMiB} MiB`,
      `search-index rebuilds (${rebuilds.length}, ${result.rebuildCpuSeconds} s CPU in all):`,
      ...rebuilds.map(line),
      `sampled live heap at ${marks.join(" and ")}: ${result.sampledLiveMiB.join(" and ")} MiB`,
      "largest allocation sites (MiB at each mark):",
      ...top.map((s) => `  ${s.fromMiB} → ${s.toMiB}  ${s.site}`),
      "grown most between the marks (MiB):",
      ...grown.map((s) => `  +${s.growthMiB}  ${s.site}`),
      "memory every 10,000 items (RSS / heap used / array buffers, MiB):",
      ...rows
        .filter((r) => r.items % 10_000 === 0 || (r.items >= 90_000 && r.items % 2000 === 0))
        .map((r) => `  ${r.items}: ${r.rssMiB} / ${r.heapUsedMiB} / ${r.arrayBuffersMiB}`),
      "",
    ].join("\n"),
  );
}

/**
 * The largest allocation sites of a `--heap-prof` profile in `dir` (what was live
 * when the process exited), MiB; undefined when none was written.
 */
export function heapProfileSites(dir: string, top = 12): Array<[string, number]> | undefined {
  const file = readdirSync(dir).find((f) => f.endsWith(".heapprofile"));
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as { head: ProfileNode };
  return [...bySite(profile.head)]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([site, bytes]) => [site, round(bytes)]);
}

if (require.main === module) void main();
