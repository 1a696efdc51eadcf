/**
 * Where a portal process spends its CPU: the self time of its main thread's V8
 * CPU profile (written with --cpu-prof), grouped into the parts an apply goes
 * through.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First match wins; a frame whose script matches none counts as "other". */
const PARTS: Array<[string, RegExp]> = [
  ["site index", /services\/portal\/src\/site\//],
  ["mongodb driver", /node_modules\/.*\/(mongodb|bson|mongoose)\//],
  ["kafkajs", /node_modules\/.*\/kafkajs\//],
  ["protobuf", /node_modules\/.*\/@bufbuild\/|packages\/contracts\//],
  ["channel runtime", /packages\/(channel-kit|runtime)\//],
  ["module loading", /node:internal\/modules|node_modules\/.*\/tsx\//],
];
const NATIVE: Record<string, string> = {
  "(garbage collector)": "garbage collection",
  "(idle)": "idle",
  "(program)": "other",
};

/** Self time of the main thread by part, ms; undefined when no profile was written. */
export function profileParts(dir: string): Record<string, number> | undefined {
  let files: string[];
  try {
    // Node names a profile CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main one.
    files = readdirSync(dir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  } catch {
    return undefined;
  }
  if (!files[0]) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, files[0]), "utf8")) as CpuProfile;
  const partOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url } = node.callFrame;
    const part = url
      ? (PARTS.find(([, pattern]) => pattern.test(url))?.[0] ?? "other")
      : (NATIVE[functionName] ?? "native (sockets, buffers)");
    partOf.set(node.id, part);
  }
  const parts: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const part = partOf.get(id) ?? "other";
    parts[part] = (parts[part] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return parts;
}
