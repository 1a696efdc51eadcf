import { setTimeout as sleep } from "node:timers/promises";
import { KeyLock } from "./key-lock";

describe("KeyLock", () => {
  it("runs tasks of one key in order, one at a time, even when one fails", async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      lock.run("a", task("1", 20, true)),
      lock.run("a", task("2", 1)),
    ]);
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2"]);
    expect(results[0]?.status).toBe("rejected");
    expect(results[1]).toEqual({ status: "fulfilled", value: "2" });
  });

  it("runs tasks of different keys concurrently and forgets idle keys", async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    await Promise.all(
      ["a", "b"].map((key) =>
        lock.run(key, async () => {
          log.push(`start ${key}`);
          await sleep(10);
          log.push(`end ${key}`);
        }),
      ),
    );
    expect(log.slice(0, 2)).toEqual(["start a", "start b"]);
    await sleep(0);
    expect(lock.size).toBe(0);
  });
});

describe("KeyLock with a limit", () => {
  it("keeps at most `limit` keys: a task for another key waits until one is done, in arrival order", async () => {
    const lock = new KeyLock(2);
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (key: string) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${key}`);
        gates.set(key, () => resolve(key));
      });
    const done = ["a", "b", "c", "d"].map((key) => lock.run(key, task(key)));
    // Room for a second task of a key already kept: it queues behind it, not for room.
    const again = lock.run("a", task("a2"));
    await sleep(0);
    expect(log).toEqual(["start a", "start b"]);
    expect(lock.size).toBe(2);
    expect(lock.waiting).toBe(2);

    gates.get("b")!();
    await done[1];
    await sleep(0);
    expect(log).toEqual(["start a", "start b", "start c"]);
    expect(lock.size).toBe(2);
    expect(lock.waiting).toBe(1);

    gates.get("a")!();
    await done[0];
    await sleep(0);
    // "a" stays kept for its second task; "d" still waits.
    expect(log).toEqual(["start a", "start b", "start c", "start a2"]);
    expect(lock.waiting).toBe(1);
    gates.get("a2")!();
    await again;
    await sleep(0);
    expect(log.at(-1)).toBe("start d");
    gates.get("c")!();
    gates.get("d")!();
    expect(await Promise.all(done)).toEqual(["a", "b", "c", "d"]);
    await sleep(0);
    expect({ size: lock.size, waiting: lock.waiting }).toEqual({ size: 0, waiting: 0 });
  });

  it("refuses a limit below 1", () => {
    expect(() => new KeyLock(0)).toThrow(/at least 1/);
  });
});
