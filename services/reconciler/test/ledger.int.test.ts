/**
 * The ledger against the real database: many updates to existing documents in
 * one flush (FerretDB 1.24 blocks a command of 100 or more), and everything it
 * wrote read back as a restart reads it.
 */
import { connectMongo, createLogger } from "@herald/runtime";
import { testStack, useTestNamespace } from "@herald/test-harness";
import { Ledger } from "../src/ledger";

const ns = useTestNamespace("reconciler-ledger");
const logger = createLogger({ service: "ledger-test", level: "silent" });

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
});
