/**
 * An example outlet (`examples/outlets/<name>/run`) started as a child process,
 * as its README tells an integrator to start it: its output is kept, its
 * listing's address read from the line it prints, and it is stopped with
 * SIGTERM (SIGKILL after 10 s).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { waitFor } from "@herald/test-harness";

const ROOT = resolve(__dirname, "../..");

export interface ExampleOutlet {
  readonly process: ChildProcess;
  /** http://127.0.0.1:<port> of the example's listing. */
  readonly listing: string;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Resolves with the exit code once it has ended. */
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

export function examplePath(name: string): string {
  return join(ROOT, "examples", "outlets", name);
}

/**
 * Runs `run <args>` to its end (e.g. `--install-only`) and returns how long it
 * took, so that a test can show a first run's install apart from its own time.
 */
export function runExampleToEnd(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 10 * 60_000,
): { ms: number; output: string } {
  const started = Date.now();
  const result = spawnSync(join(examplePath(name), "run"), args, {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: timeoutMs,
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) {
    throw new Error(
      `examples/outlets/${name}/run ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output.slice(-4000)}`,
    );
  }
  return { ms: Date.now() - started, output };
}

/** Starts the example; resolves once it printed where its listing is. */
export async function startExampleOutlet(
  name: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<ExampleOutlet> {
  const child = spawn(join(examplePath(name), "run"), [], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let ended = false;
  void exit.then(() => (ended = true));
  const stop = async () => {
    if (ended) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exit;
    clearTimeout(killer);
  };
  try {
    const started = await waitFor(
      () => {
        const url = /listing on (http:\/\/[0-9.]+:\d+)\//.exec(output)?.[1];
        return url ? { url } : ended ? { url: undefined } : undefined;
      },
      { timeoutMs, description: `examples/outlets/${name} to print its listing's address` },
    );
    if (!started.url) {
      throw new Error(`examples/outlets/${name} ended before listening:\n${output.slice(-4000)}`);
    }
    const listing = started.url;
    return { process: child, listing, output: () => output, exited: () => exit, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
