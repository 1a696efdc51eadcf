import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { StackError } from "./errors";

/** What Herald records about a server it started, so it stops only its own processes. */
export interface PidRecord {
  pid: number;
  /** A string that occurs in the process's command line (guards against pid reuse). */
  marker: string;
  startedAt: string;
}

export function readPidFile(path: string): PidRecord | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(readFileSync(path, "utf8")) as Partial<PidRecord>;
    if (typeof record.pid === "number" && typeof record.marker === "string") {
      return record as PidRecord;
    }
  } catch {
    // A torn or foreign file is treated as absent.
  }
  return undefined;
}

/** A process's arguments, the program first; undefined where /proc is missing (macOS). */
export function processArguments(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string | undefined {
  return processArguments(pid)?.join(" ");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the process recorded in `pidFile` is running and is still the one Herald started. */
export function runningPid(pidFile: string): number | undefined {
  const record = readPidFile(pidFile);
  if (!record || !alive(record.pid)) return undefined;
  const cmd = commandLine(record.pid);
  // Where /proc is missing (macOS) the pid check alone has to do.
  if (cmd !== undefined && !cmd.includes(record.marker)) return undefined;
  return record.pid;
}

export interface DetachedProcess {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
  marker: string;
}

/** Starts a server in its own process group, output appended to its log, and records its pid. */
export function startDetached(spec: DetachedProcess): number {
  const log = openSync(spec.logFile, "a");
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ["ignore", log, log],
    });
    if (child.pid === undefined) {
      throw new StackError(`could not start ${spec.command}; see ${spec.logFile}`);
    }
    child.unref();
    const record: PidRecord = {
      pid: child.pid,
      marker: spec.marker,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(spec.pidFile, `${JSON.stringify(record)}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Stops the recorded process: SIGTERM, then SIGKILL after `graceMs`. Removes the pid file. */
export async function stopProcess(pidFile: string, graceMs = 30_000): Promise<boolean> {
  const pid = runningPid(pidFile);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, "SIGKILL");
    while (alive(pid)) await sleep(50);
  }
  rmSync(pidFile, { force: true });
  return true;
}

/** Whether something listens on host:port already (or the port is otherwise unusable). */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/** The last lines of a log, to show why a server did not come up. */
export function tail(path: string, lines = 15): string {
  if (!existsSync(path)) return "(no log)";
  const text = readFileSync(path, "utf8").trimEnd().split("\n");
  return text.slice(-lines).join("\n");
}

/** Fails with one clear line when a tool the stack needs is missing. */
export function requireTool(tool: string, versionArgs: string[], install: string): string {
  const result = spawnSync(tool, versionArgs, { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new StackError(`${tool} not found: ${install}`);
  }
  return `${result.stdout}${result.stderr}`.trim().split("\n")[0] ?? "";
}

export interface ReadinessWait {
  /** Server name for messages, e.g. "Kafka". */
  name: string;
  address: string;
  pidFile: string;
  /** The log that tells why it failed. */
  logFile: string;
  timeoutMs: number;
  intervalMs?: number;
  answers(): Promise<boolean>;
  progress: { update(text: string): void; done(text: string): void; fail(text: string): void };
}

/**
 * Waits until a just-started server answers. Fails at once, with the end of its
 * log, when the process exits; fails after the timeout when it never answers.
 */
export async function waitUntilAnswers(wait: ReadinessWait): Promise<void> {
  wait.progress.update(`waiting for ${wait.address} to answer`);
  const deadline = Date.now() + wait.timeoutMs;
  while (Date.now() < deadline) {
    if (runningPid(wait.pidFile) === undefined) {
      wait.progress.fail("exited during start-up");
      throw new StackError(
        `${wait.name} exited during start-up; last lines of ${wait.logFile}:\n${tail(wait.logFile)}`,
      );
    }
    if (await wait.answers()) {
      wait.progress.done(`listening on ${wait.address}`);
      return;
    }
    await sleep(wait.intervalMs ?? 250);
  }
  wait.progress.fail("no answer");
  throw new StackError(
    `${wait.name} did not answer on ${wait.address} within ${wait.timeoutMs / 1000} s; see ${wait.logFile}`,
  );
}
