import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stackSettings } from "../stack/settings";
import type { Part, PartState } from "./parts";
import { down, upForeground } from "./up";

/** A part that only counts: no process behind it. */
function countingPart(name: string) {
  const counts = { starts: 0, stops: 0 };
  let state: PartState = "stopped";
  const part: Part = {
    name,
    start: () => {
      counts.starts += 1;
      state = "ready";
      return Promise.resolve("started");
    },
    stop: () => {
      counts.stops += 1;
      state = "stopped";
      return Promise.resolve();
    },
    status: () => Promise.resolve({ state, address: `${name}.test`, version: null }),
  };
  return { part, counts };
}

describe("herald up in the foreground", () => {
  const home = mkdtempSync(join(tmpdir(), "herald-up-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("ends when `herald down` stopped what it started from elsewhere, stopping nothing twice", async () => {
    const settings = stackSettings({ HERALD_HOME: home });
    const a = countingPart("a");
    const b = countingPart("b");
    const lines: string[] = [];
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const foreground = upForeground(
      settings,
      [a.part, b.part],
      (line) => lines.push(line),
      () => {
        ready();
        return Promise.resolve();
      },
    );
    await started;

    const elsewhere: string[] = [];
    await down(settings, [a.part, b.part], (line) => elsewhere.push(line));
    await foreground;

    expect(elsewhere).toEqual(["stopped b", "stopped a"]);
    expect([a.counts, b.counts]).toEqual([
      { starts: 1, stops: 1 },
      { starts: 1, stops: 1 },
    ]);
    expect(lines.at(-1)).toBe("stopped by `herald down`");
  });
});
