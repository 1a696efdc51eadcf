import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { env, loadConfig } from "@herald/runtime";

/** Pinned versions of the local stack's servers. */
export const KAFKA_VERSION = "3.9.1";
export const FERRETDB_VERSION = "1.24.2";

const stackEnv = {
  /** Where Herald keeps downloads, data, logs and pid files. */
  HERALD_HOME: env.string().optional().describe("folder for Herald's cache, data and logs"),
  /** Downloads and builds (Kafka jars, the FerretDB binary); shareable between homes. */
  HERALD_CACHE: env.string().optional().describe("folder for downloaded and built servers"),
  HERALD_KAFKA_PORT: env.port().default(9092).describe("Kafka broker port"),
  HERALD_KAFKA_CONTROLLER_PORT: env.port().default(9093).describe("Kafka KRaft controller port"),
  HERALD_FERRETDB_PORT: env.port().default(27017).describe("FerretDB port"),
  /** Upper bound of the broker's JVM heap. */
  HERALD_KAFKA_HEAP: env
    .string()
    .regex(/^\d+[mg]$/, "expected a JVM size such as 512m or 1g")
    .default("768m")
    .describe("Kafka JVM heap limit"),
};

export interface StackSettings {
  root: string;
  home: string;
  cache: string;
  host: string;
  kafka: { port: number; controllerPort: number; heap: string; dir: string };
  ferretdb: { port: number; dir: string };
}

/** The repository root: the nearest folder above this file with pnpm-workspace.yaml. */
export function repoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export function stackSettings(environment: NodeJS.ProcessEnv = process.env): StackSettings {
  const config = loadConfig(stackEnv, environment);
  const root = repoRoot();
  const home = resolve(root, config.HERALD_HOME ?? ".herald");
  const stackDir = join(home, "stack");
  return {
    root,
    home,
    cache: resolve(root, config.HERALD_CACHE ?? join(home, "cache")),
    host: "127.0.0.1",
    kafka: {
      port: config.HERALD_KAFKA_PORT,
      controllerPort: config.HERALD_KAFKA_CONTROLLER_PORT,
      heap: config.HERALD_KAFKA_HEAP,
      dir: join(stackDir, "kafka"),
    },
    ferretdb: { port: config.HERALD_FERRETDB_PORT, dir: join(stackDir, "ferretdb") },
  };
}
