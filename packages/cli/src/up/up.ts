import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { withLock } from "../stack/lock";
import { stackLockFile } from "../stack/stack";
import type { StackSettings } from "../stack/settings";
import type { Part, PartStatus } from "./parts";

interface UpRecord {
  /** Names of the parts this `herald up` started (parts already running are not ours to stop). */
  started: string[];
}

function recordFile(settings: StackSettings): string {
  return join(settings.home, "run", "up.json");
}

function readRecord(settings: StackSettings): UpRecord {
  const file = recordFile(settings);
  if (!existsSync(file)) return { started: [] };
  return JSON.parse(readFileSync(file, "utf8")) as UpRecord;
}

function writeRecord(settings: StackSettings, record: UpRecord): void {
  const file = recordFile(settings);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

export function formatTable(rows: { name: string; status: PartStatus }[]): string {
  const width = Math.max(...rows.map((r) => r.name.length), 4);
  const lines = rows.map(
    ({ name, status }) =>
      `  ${name.padEnd(width)}  ${status.state.padEnd(8)}  ${status.address}${status.version ? `  (${status.version})` : ""}`,
  );
  return [`  ${"part".padEnd(width)}  ${"state".padEnd(8)}  address`, ...lines].join("\n");
}

async function statuses(parts: Part[]) {
  return Promise.all(parts.map(async (part) => ({ name: part.name, status: await part.status() })));
}

/** Starts every part in order and records which ones this call started. */
export async function upDetached(
  settings: StackSettings,
  parts: Part[],
  out: (line: string) => void,
  afterStart?: () => Promise<void>,
) {
  await withLock(stackLockFile(settings), async () => {
    const record = readRecord(settings);
    for (const part of parts) {
      const outcome = await part.start();
      if (outcome === "started" && !record.started.includes(part.name)) {
        record.started.push(part.name);
        writeRecord(settings, record);
      }
    }
  });
  out("Herald is up:");
  out(formatTable(await statuses(parts)));
  const details = parts.flatMap((part) => part.details?.() ?? []);
  if (details.length > 0) out(["", ...details.map((line) => `  ${line}`)].join("\n"));
  await afterStart?.();
}

/** Stops, in reverse order, every part that `herald up` started. */
export async function down(
  settings: StackSettings,
  parts: Part[],
  out: (line: string) => void,
): Promise<void> {
  await withLock(stackLockFile(settings), async () => {
    const record = readRecord(settings);
    const ours = parts.filter((part) => record.started.includes(part.name)).reverse();
    if (ours.length === 0) out("nothing that `herald up` started is running");
    for (const part of ours) {
      await part.stop();
      out(`stopped ${part.name}`);
    }
    rmSync(recordFile(settings), { force: true });
  });
}

/**
 * `herald up` in the foreground: starts everything, shows each part's state as it
 * changes, and on Ctrl-C (SIGINT), SIGTERM or a closed terminal (SIGHUP) stops what it started.
 */
export async function upForeground(
  settings: StackSettings,
  parts: Part[],
  out: (line: string) => void,
  afterStart?: () => Promise<void>,
) {
  const stopSignal = new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(signal, () => resolve(signal));
    }
  });
  let stopped: string | undefined;
  void stopSignal.then((signal) => (stopped = signal));
  await upDetached(settings, parts, out, afterStart);
  out("Press Ctrl-C to stop.");
  // `herald down` from another terminal removes the record of what this call
  // started: then there is nothing left to watch or to stop.
  const recorded = existsSync(recordFile(settings));
  const last = new Map<string, string>();
  while (stopped === undefined) {
    if (recorded && !existsSync(recordFile(settings))) {
      out("stopped by `herald down`");
      return;
    }
    for (const { name, status } of await statuses(parts)) {
      if (last.has(name) && last.get(name) !== status.state) {
        out(`${new Date().toISOString()}  ${name}: ${status.state}`);
      }
      last.set(name, status.state);
    }
    await Promise.race([sleep(2_000), stopSignal]);
  }
  out("stopping…");
  await down(settings, parts, out);
}
