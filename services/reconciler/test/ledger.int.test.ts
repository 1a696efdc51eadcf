/**
 * The ledger against the real database: many updates to existing documents in
 * one flush (FerretDB 1.24 blocks a command of 100 or more), everything it
 * wrote read back as a restart reads it, a flush that fails part-way retried
 * without writing an event twice, and its bound on queued writes.
 */
import { connectMongo, createLogger } from "@herald/runtime";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import type { mongo } from "mongoose";
import { Ledger, type LedgerOptions } from "../src/ledger";

const ns = useTestNamespace("reconciler-ledger");
const logger = createLogger({ service: "ledger-test", level: "silent" });

async function openLedger(name: string, options: LedgerOptions = {}) {
  const connection = await connectMongo({
    url: testStack().mongoUrl,
    dbName: ns.dbName(name),
    logger,
  });
  ns.beforeCleanup(() => connection.close());
  const db = connection.db!;
  return { ledger: new Ledger(db, logger, options), items: db.collection<mongo.Document>("items") };
}

/** A document on which every $addToSet of events fails: the database refuses the write. */
async function plantUnwritable(items: mongo.Collection<mongo.Document>, id: string) {
  await items.insertOne({ _id: id as never, events: "not an array" });
}

describe("the ledger", () => {
  it("flushes 300 updates of existing items and reads them back", async () => {
    const connection = await connectMongo({
      url: testStack().mongoUrl,
      dbName: ns.dbName("ledger"),
      logger,
    });
    ns.beforeCleanup(() => connection.close());
    const ledger = new Ledger(connection.db!, logger);
    const ids = Array.from({ length: 300 }, (_, i) => `item-${String(i).padStart(3, "0")}`);
    const at = new Date("2026-11-27T08:00:00Z");
    for (const id of ids) {
      ledger.recordPublished(id, 1);
      ledger.appendEvent(id, { at, type: "published", version: 1, detail: "v1 published" });
    }
    await ledger.flush();
    // Now every document exists: the second flush updates 300 of them.
    for (const id of ids) {
      ledger.recordDelivery(id, "portal", { version: 1, at, ms: 120, onTime: 1 });
      ledger.appendEvent(id, {
        at,
        type: "receipt",
        channel: "portal",
        version: 1,
        detail: "DELIVERED v1",
      });
    }
    await ledger.flush();
    expect(ledger.pending).toBe(0);

    const restored = new Map<string, number>();
    await ledger.loadDeliveries((id, version, deliveries) => {
      expect(version).toBe(1);
      restored.set(id, deliveries.get("portal")?.ms ?? -1);
    });
    expect(restored.size).toBe(300);
    expect([...restored.values()].every((ms) => ms === 120)).toBe(true);
    const timeline = await ledger.timeline("item-150");
    expect(timeline.map((e) => e.type)).toEqual(["published", "receipt"]);
  });

  it("retries a flush that failed part-way and writes each timeline event once", async () => {
    const { ledger, items } = await openLedger("retry");
    // 120 items: three commands of 50; the second fails on item-075, after the first was applied.
    const ids = Array.from({ length: 120 }, (_, i) => `item-${String(i).padStart(3, "0")}`);
    await plantUnwritable(items, "item-075");
    const at = new Date("2026-11-27T08:00:00Z");
    for (const id of ids) {
      ledger.recordPublished(id, 1);
      ledger.appendEvent(id, { at, type: "published", version: 1, detail: "v1 published" }, "p:1");
      ledger.appendEvent(id, { at, type: "receipt", channel: "portal", detail: "DELIVERED v1" });
    }
    await expect(ledger.flush()).rejects.toThrow(/array/);
    expect(ledger.stats().flushFailures).toBe(1);
    // The first command's 50 items are stored, and still queued for the retry.
    expect(await items.countDocuments({ _id: { $in: ids.slice(0, 50) as never[] } })).toBe(50);
    expect(ledger.pending).toBe(120 + 240);
    // The timeline shows each event once, stored or queued.
    expect((await ledger.timeline("item-010")).map((e) => e.type)).toEqual([
      "published",
      "receipt",
    ]);

    await items.updateOne({ _id: "item-075" as never }, { $unset: { events: "" } });
    // The same receipt read again (a replay) is queued once more under the same id.
    ledger.appendEvent(
      "item-010",
      { at, type: "published", version: 1, detail: "v1 published" },
      "p:1",
    );
    await ledger.flush();
    expect(ledger.pending).toBe(0);
    for (const id of ["item-000", "item-010", "item-049", "item-075", "item-119"]) {
      const doc = await items.findOne({ _id: id as never });
      const events = (doc?.events ?? []) as { id: string; type: string }[];
      expect(events.map((e) => e.type)).toEqual(["published", "receipt"]);
      expect(new Set(events.map((e) => e.id)).size).toBe(2);
    }
  });

  it("has no room at its bound while the database refuses, and makes room once it takes the writes", async () => {
    const { ledger, items } = await openLedger("bound", { maxPending: 100 });
    await plantUnwritable(items, "item-000");
    const at = new Date("2026-11-27T08:00:00Z");
    for (let i = 0; i < 99; i++) {
      ledger.appendEvent("item-000", { at, type: "receipt", detail: `DELIVERED v${i + 1}` });
    }
    expect(ledger.hasRoom()).toBe(true);
    await ledger.room(); // below the bound: no wait
    expect(ledger.stats().waits).toBe(0);
    ledger.appendEvent("item-001", { at, type: "receipt", detail: "DELIVERED v1" });
    expect(ledger.hasRoom()).toBe(false);

    let drained = false;
    let beats = 0;
    const waiting = ledger
      .room(
        () => Promise.resolve(void (beats += 1)),
        () => true,
        100,
      )
      .then(() => (drained = true));
    await waitFor(() => ledger.stats().flushFailures >= 3, {
      description: "three refused flushes while full",
    });
    expect(drained).toBe(false);
    expect(ledger.hasRoom()).toBe(false);
    expect(ledger.pending).toBe(100); // a refused flush puts back what it took, no more
    expect(beats).toBeGreaterThanOrEqual(2);

    await items.updateOne({ _id: "item-000" as never }, { $unset: { events: "" } });
    await waiting;
    expect(drained).toBe(true);
    expect(ledger.pending).toBe(0);
    expect(ledger.stats().waits).toBe(1);
    const doc = await items.findOne({ _id: "item-000" as never });
    expect((doc?.events as unknown[]).length).toBe(99);
  });

  it("counts the writes of a flush in progress, so readers get no room while it may fail and put them back", async () => {
    const { ledger, items } = await openLedger("in-flight", { maxPending: 100 });
    const at = new Date("2026-11-27T08:00:00Z");
    // 99 items queued before the refused one: the flush writes a command of 50 before it fails.
    for (let i = 1; i <= 99; i++) ledger.recordPublished(`item-${String(i).padStart(3, "0")}`, 1);
    await plantUnwritable(items, "item-zzz");
    ledger.appendEvent("item-zzz", { at, type: "receipt", detail: "DELIVERED v1" });
    expect(ledger.pending).toBe(100);

    const flushing = ledger.flush();
    // The flush took every queued write; until it is done, they still count.
    expect(ledger.pending).toBe(100);
    expect(ledger.hasRoom()).toBe(false);
    await expect(flushing).rejects.toThrow();
    expect(ledger.stats()).toMatchObject({ pending: 100, flushFailures: 1 });

    // A bound's worth more arriving while flushes keep failing never gets in: the queue stays put.
    let admitted = 0;
    const reader = (async () => {
      for (let i = 0; i < 100; i++) {
        await ledger.room(
          () => Promise.resolve(),
          () => true,
          50,
        );
        ledger.appendEvent(`late-${i}`, { at, type: "receipt", detail: "DELIVERED v1" });
        admitted += 1;
      }
    })();
    await waitFor(() => ledger.stats().flushFailures >= 4, {
      description: "three more refused flushes while a reader waits",
    });
    expect(admitted).toBe(0);
    expect(ledger.pending).toBe(100);

    await items.updateOne({ _id: "item-zzz" as never }, { $unset: { events: "" } });
    await reader;
    expect(admitted).toBe(100);
    await ledger.flush();
    expect(ledger.pending).toBe(0);
  });
});
