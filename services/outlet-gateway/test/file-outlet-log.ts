/**
 * The log of the file outlet (`file-outlet.ts`): one JSON line per delivery it
 * got, which is also where its holdings live.
 */
import { existsSync, readFileSync } from "node:fs";

/** One line of the log. */
export interface OutletLogLine {
  /** apply: held (a side effect); again: a version already held, answered done without one; remove: no longer held. */
  e: "apply" | "again" | "remove";
  id: string;
  version: number;
  checksum: string;
  deliveryId: string;
  attempt: number;
  reason: string;
  pid: number;
  /** ms since the epoch. */
  t: number;
}

/** Parses the log; a last line cut short by a kill is ignored, any other bad line throws. */
export function readOutletLog(path: string): OutletLogLine[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n");
  const out: OutletLogLine[] = [];
  lines.forEach((line, n) => {
    if (!line) return;
    try {
      out.push(JSON.parse(line) as OutletLogLine);
    } catch (error) {
      if (n < lines.length - 1 && lines.slice(n + 1).some(Boolean)) throw error;
    }
  });
  return out;
}

/** What the log says the outlet holds: item id → the line that put it there. */
export function holdingsOf(log: readonly OutletLogLine[]): Map<string, OutletLogLine> {
  const held = new Map<string, OutletLogLine>();
  for (const line of log) {
    if (line.e === "apply") held.set(line.id, line);
    else if (line.e === "remove") held.delete(line.id);
  }
  return held;
}
