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
