/**
 * A CPU profile of this process over the audits only (V8's sampling profiler
 * through node:inspector, so neither start-up nor producing the items is in it):
 * written as a .cpuprofile for Chrome DevTools or speedscope, and summed into the
 * functions and parts with the most self time.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { relative } from "node:path";
import { ROOT } from "@herald/test-harness";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Self time by function, most first. */
  readonly functions: readonly { name: string; where: string; ms: number }[];
  /** Self time by part of the code, most first. */
  readonly parts: readonly { part: string; ms: number }[];
}

/** First match wins. */
const PARTS: Array<[string, RegExp]> = [
  ["reconciler", /\/services\/reconciler\/src\//],
  ["grpc-js", /\/node_modules\/@grpc\//],
  ["protobuf (contracts)", /\/node_modules\/@bufbuild\/|\/packages\/contracts\//],
  ["mongodb driver", /\/node_modules\/(mongodb|bson|mongoose)\//],
  ["kafkajs", /\/node_modules\/kafkajs\//],
  ["logging", /\/node_modules\/pino/],
  ["channel-kit, runtime", /\/packages\/(channel-kit|runtime)\//],
  ["node internals", /^node:/],
];
const NATIVE: Record<string, string> = {
  "(garbage collector)": "garbage collection",
  "(idle)": "idle",
  "(program)": "native / program",
};

function where(url: string, line: number): string {
  if (!url) return "";
  const path = url.startsWith("file://") ? relative(ROOT, new URL(url).pathname) : url;
  const short = path.replace(/^(.*\/)?node_modules\/\.pnpm\/[^/]+\/node_modules\//, "");
  // TypeScript runs transpiled by tsx: its line numbers are not the source's.
  return short.endsWith(".ts") ? short : `${short}:${line + 1}`;
}

export class AuditProfiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post("Profiler.enable");
    await this.session.post("Profiler.start");
  }

  /** Stops, writes the profile to `file` and sums it. */
  async stop(file: string, top = 15): Promise<ProfileSummary> {
    const { profile } = (await this.session.post("Profiler.stop")) as { profile: CpuProfile };
    this.session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const functions = new Map<string, { name: string; where: string; ms: number }>();
    const parts = new Map<string, number>();
    let totalMs = 0;
    (profile.samples ?? []).forEach((id, i) => {
      const ms = (profile.timeDeltas?.[i] ?? 0) / 1000;
      const node = byId.get(id);
      if (!node) return;
      totalMs += ms;
      const { functionName, url, lineNumber } = node.callFrame;
      const name = functionName || "(anonymous)";
      const at = where(url, lineNumber);
      const key = `${name} ${at}`;
      const entry = functions.get(key) ?? { name, where: at, ms: 0 };
      entry.ms += ms;
      functions.set(key, entry);
      const part = url
        ? (PARTS.find(([, pattern]) => pattern.test(url))?.[0] ?? "other")
        : (NATIVE[functionName] ?? "native");
      parts.set(part, (parts.get(part) ?? 0) + ms);
    });
    return {
      file,
      totalMs,
      functions: [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
      parts: [...parts].map(([part, ms]) => ({ part, ms })).sort((a, b) => b.ms - a.ms),
    };
  }
}
