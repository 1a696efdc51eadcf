/**
 * Bounded memory on the real stack: while the reconciler's database refuses its
 * writes, the reconciler stops reading receipts at its ledger's bound instead of
 * queueing them, and reads the rest, losing none, once the database takes them.
 */
import { DeliveryOutcome, Topics } from "@herald/contracts";
import { createLogger, createProducer, topicName } from "@herald/runtime";
import { testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { MongoClient } from "mongodb";
import type { ReconcilerService } from "../src/service";
import { startTestReconciler } from "../src/testing";

const ns = useTestNamespace("reconciler-backpressure");
const logger = createLogger({ service: "reconciler-test", level: "silent" });
const RECEIPTS = 300;
const BOUND = 50;

function metric(reconciler: ReconcilerService, name: string): number {
  const line = reconciler
    .metricsText()
    .split("\n")
    .find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no metric ${name}`);
  return Number(line.split(" ")[1]);
}

describe("the reconciler's ledger bound", () => {
  it("stops reading receipts while the ledger is full, and reads every one once it drains", async () => {
    const mongo = new MongoClient(testStack().mongoUrl);
    await mongo.connect();
    ns.beforeCleanup(() => mongo.close());
    const items = mongo
      .db(ns.dbName("reconciler"))
      .collection<{ _id: string; events?: unknown }>("items");
    // Every write of item-000's timeline fails, and with it every flush.
    await items.insertOne({ _id: "item-000", events: "not an array" });

    const reconciler = await startTestReconciler({
      brokers: testStack().brokers,
      mongoUrl: testStack().mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName: ns.dbName("reconciler"),
      groupId: ns.groupId("reconciler"),
      inventoryToken: "unused",
      logger,
      env: {
        RECONCILER_CHANNELS: "portal",
        RECONCILER_LEDGER_MAX_PENDING: String(BOUND),
        // Receipts of items the reconciler has not read stay quiet for the test's length.
        RECONCILER_GRACE_MS: "600000",
      },
    });
    ns.beforeCleanup(() => reconciler.stop());

    const producer = createProducer(testKafka(), { logger, topicPrefix: ns.topicPrefix });
    await producer.connect();
    ns.beforeCleanup(() => producer.disconnect());
    const ids = Array.from({ length: RECEIPTS }, (_, i) => `item-${String(i).padStart(3, "0")}`);
    await producer.send(
      Topics.receipts,
      ids.map((itemId) => ({
        key: `portal/${itemId}`,
        value: {
          itemId,
          version: 1,
          channel: "portal",
          outletId: "",
          outcome: DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
          checksum: "c1",
          externalRef: "",
          attempt: 1,
          at: new Date(),
        },
      })),
    );

    const admin = testKafka().admin();
    await admin.connect();
    ns.beforeCleanup(() => admin.disconnect());
    /** Receipts the group has committed as read, over every partition. */
    const committed = async () => {
      const [offsets] = await admin.fetchOffsets({
        groupId: ns.groupId("reconciler"),
        topics: [topicName(Topics.receipts, ns.topicPrefix)],
      });
      return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };

    // Batches without item-000 are stored and committed; the one with it fills the ledger.
    await waitFor(
      () =>
        metric(reconciler, "herald_reconciler_ledger_flush_failures_total") >= 1 &&
        metric(reconciler, "herald_reconciler_ledger_pending") === BOUND,
      { description: "reading to stop at the bound" },
    );
    expect(metric(reconciler, "herald_reconciler_ledger_full_waits_total")).toBeGreaterThanOrEqual(
      1,
    );
    const failures = metric(reconciler, "herald_reconciler_ledger_flush_failures_total");
    const before = await committed();
    await waitFor(
      () => metric(reconciler, "herald_reconciler_ledger_flush_failures_total") >= failures + 3,
      { description: "three more refused flushes" },
    );
    // Held at the bound: nothing more in memory, and nothing counted as read while
    // the database refused (a receipt counts once the ledger holds its effects).
    expect(metric(reconciler, "herald_reconciler_ledger_pending")).toBe(BOUND);
    expect(await committed()).toBe(before);
    expect(before).toBeLessThan(RECEIPTS);

    await items.updateOne({ _id: "item-000" }, { $unset: { events: "" } });
    await waitFor(async () => (await committed()) >= RECEIPTS, {
      timeoutMs: 30_000,
      description: "every receipt read",
    });
    await waitFor(async () => (await items.countDocuments({ events: { $size: 1 } })) === RECEIPTS, {
      timeoutMs: 30_000,
      description: "one timeline event per receipt stored",
    });
    expect(metric(reconciler, "herald_reconciler_ledger_pending")).toBeLessThan(BOUND);
  }, 120_000);
});
