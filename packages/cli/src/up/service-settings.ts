import { join } from "node:path";
import { env } from "@herald/runtime";
import type { StackSettings } from "../stack/settings";

/** A fixed port: `herald up` and the commands must know where a service listens. */
export const fixedPort = (fallback: number, what: string) =>
  env
    .port()
    .refine((port) => port > 0, "expected a fixed port 1-65535; herald up cannot use 0 here")
    .default(fallback)
    .describe(what);

/** Where `herald up` keeps a service's pid file and log: `.herald/services/<name>/`. */
export interface ServiceFiles {
  dir: string;
  pidFile: string;
  logFile: string;
}

export function serviceFiles(stack: StackSettings, name: string): ServiceFiles {
  const dir = join(stack.home, "services", name);
  return { dir, pidFile: join(dir, `${name}.pid`), logFile: join(dir, `${name}.log`) };
}
