/**
 * Leadership against the real database, which has no compare-and-set: of
 * instances that try at once, one takes the term; a leader is deposed by a newer
 * term or by its own lease running out, and its writes then fail.
 */
import { connectMongo, createLogger } from "@herald/runtime";
import { testStack, useTestNamespace } from "@herald/test-harness";
import { DeposedError, Leadership } from "../src/leadership";

const ns = useTestNamespace("reconciler-leadership");
const logger = createLogger({ service: "leadership-test", level: "silent" });

async function db(name: string) {
  const connection = await connectMongo({
    url: testStack().mongoUrl,
    dbName: ns.dbName(name),
    logger,
  });
  ns.beforeCleanup(() => connection.close());
  return connection.db!;
}

describe("leadership", () => {
  it("lets one of several instances lead at a time, and a later one only after the lease ran out", async () => {
    const database = await db("race");
    let clock = Date.parse("2026-12-01T08:00:00Z");
    const now = () => clock;
    const instances = ["a", "b", "c"].map(
      (instance) => new Leadership({ db: database, instance, ttlMs: 5000, logger, now }),
    );
    const won = await Promise.all(instances.map((l) => l.acquire()));
    expect(won.filter(Boolean)).toHaveLength(1);
    const leader = instances[won.indexOf(true)]!;
    const others = instances.filter((l) => l !== leader);
    expect(leader.term).toBe(1);
    await expect(leader.check()).resolves.toBeUndefined();
    for (const other of others) {
      expect(await other.holder()).toBe(leader.instance);
      expect(await other.acquire()).toBe(false);
      await expect(other.check()).rejects.toBeInstanceOf(DeposedError);
    }

    // The leader renews; time passes within the lease: nobody else gets in.
    clock += 3000;
    expect(await leader.renew()).toBe(true);
    clock += 3000;
    expect(await others[0]!.acquire()).toBe(false);

    // The leader stops renewing (killed, or paused): on its own clock it stops writing
    // before the lease is over, and another takes a newer term once it is.
    expect(leader.heldLocally()).toBe(true);
    clock += 1500;
    await expect(leader.check()).rejects.toThrow(/ran out/);
    expect(leader.heldLocally()).toBe(false);
    clock += 1000;
    expect(await others[0]!.acquire()).toBe(true);
    expect(others[0]!.term).toBe(2);
    // The old leader, waking up, is deposed by the newer term even with a fresh clock.
    expect(await leader.renew()).toBe(false);
    expect(leader.term).toBe(0);
  });

  it("deposes a leader as soon as a newer term exists, whatever its lease says", async () => {
    const database = await db("newer");
    const first = new Leadership({ db: database, instance: "first", ttlMs: 60_000, logger });
    expect(await first.acquire()).toBe(true);
    // A successor that saw the lease expired (clocks differ) takes the next term.
    const second = new Leadership({
      db: database,
      instance: "second",
      ttlMs: 60_000,
      logger,
      now: () => Date.now() + 120_000,
    });
    expect(await second.acquire()).toBe(true);
    expect(second.term).toBe(first.term + 1);
    await expect(first.check()).rejects.toThrow(/succeeded by second/);
    await expect(second.check()).resolves.toBeUndefined();
    await second.release();
    expect(await first.holder()).toBeUndefined();
  });
});
