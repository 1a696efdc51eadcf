import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StackError } from "./errors";

function holderAlive(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `work` while holding an exclusive lock file, so two `stack up` (two test
 * runs, a test run and a developer) never provision or start the same server twice.
 */
export async function withLock<T>(
  path: string,
  work: () => Promise<T>,
  waitMs = 15 * 60_000,
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!holderAlive(path)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new StackError(`another herald command holds ${path}; try again when it ends`);
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}
