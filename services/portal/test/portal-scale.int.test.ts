import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { join } from "node:path";
import { testChannelEnv, writeInventoryTokenFile } from "@herald/channel-kit/testing";
import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import { ROOT, artifactPath, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import mongoose from "mongoose";
import { itemState } from "@herald/channel-kit/testing";
import { page, startPortal } from "./support";

const ns = useTestNamespace("portal-scale");
let receipts: TopicCollector<DeliveryReceipt>;
let mongo: InstanceType<typeof mongoose.mongo.MongoClient>;

interface HoldingDoc {
  _id: string;
  version: number;
  applies: number;
  status: string;
}

beforeAll(async () => {
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  // Creates the item stream with three partitions, as the services would.
  const items = await new TopicCollector(ns, Topics.items).start(3);
  ns.beforeCleanup(() => items.stop());
  mongo = new mongoose.mongo.MongoClient(testStack().mongoUrl);
  await mongo.connect();
  ns.beforeCleanup(() => mongo.close());
});

function holdingsOf(db: string) {
  return mongo.db(ns.dbName(db)).collection<HoldingDoc>("holdings");
}

async function produce(prefix: string, count: number): Promise<string[]> {
  const producer = await testProducer(ns);
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, "0")}`);
  for (let i = 0; i < ids.length; i += 500) {
    await producer.send(
      Topics.items,
      ids.slice(i, i + 500).map((id) => ({
        key: id,
        value: itemState(id, 1, { title: `海关动态 ${id}`, bodyHtml: `<p>海关政务公开 ${id}</p>` }),
      })),
    );
  }
  return ids;
}

describe("portal instances", () => {
  it("share the partitions of one group, apply every item once, and each serves every item", async () => {
    const a = await startPortal(ns, undefined, { db: "shared", group: "shared" });
    const b = await startPortal(ns, undefined, { db: "shared", group: "shared" });
    await waitFor(
      () =>
        a.channel.partitions().length + b.channel.partitions().length === 3 &&
        b.channel.partitions().length > 0,
      { description: "both instances to own partitions" },
    );
    expect(a.channel.partitions().filter((p) => b.channel.partitions().includes(p))).toEqual([]);
    const ids = await produce("pair", 60);
    for (const portal of [a, b]) {
      await waitFor(
        () => portal.channel.holdings().filter((h) => h.itemId.startsWith("pair-")).length === 60,
        {
          description: "every item in each instance's view",
        },
      );
    }
    const appliedA = a.channel.metrics.get("applied");
    const appliedB = b.channel.metrics.get("applied");
    expect(appliedA).toBeGreaterThan(0);
    expect(appliedB).toBeGreaterThan(0);
    expect(appliedA + appliedB).toBe(60);
    const docs = await holdingsOf("shared")
      .find({}, { projection: { state: 0 } })
      .toArray();
    expect(docs).toHaveLength(60);
    expect(docs.every((d) => d.applies === 1 && d.version === 1)).toBe(true);
    for (const id of [ids[0]!, ids[29]!, ids[59]!]) {
      expect((await page(a, `/items/${id}`)).status).toBe(200);
      expect((await page(b, `/items/${id}`)).status).toBe(200);
    }
    // Two idle portals would otherwise compete with the next test for the machine.
    await Promise.all([a.stop(), b.stop()]);
  });

  it("killed in the middle of a batch and restarted, loses nothing and applies nothing twice", async () => {
    const count = 3000;
    const ids = await produce("kill", count);
    const env = {
      ...process.env,
      ...testChannelEnv({
        brokers: testStack().brokers,
        mongoUrl: testStack().mongoUrl,
        topicPrefix: ns.topicPrefix,
        dbName: ns.dbName("killed"),
        inventoryTokensFile: writeInventoryTokenFile({ reconciler: "t" }),
      }),
      CHANNEL_GROUP: ns.groupId("killed"),
      PORTAL_HTTP_PORT: "0",
      LOG_LEVEL: "info",
    };
    let runs = 0;
    const run = (): ChildProcess => {
      const log = openSync(artifactPath(`portal-killed-${runs++}.log`), "w");
      return spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "--conditions=herald-source",
          join(ROOT, "services/portal/src/main.ts"),
        ],
        {
          cwd: ROOT,
          env,
          stdio: ["ignore", log, log],
        },
      );
    };
    const holdings = holdingsOf("killed");
    const first = run();
    try {
      await waitFor(
        async () => (await holdings.countDocuments({ _id: { $regex: /^kill-/ } })) >= 300,
        {
          description: "the first run to apply some items",
          timeoutMs: 60_000,
        },
      );
    } finally {
      first.kill("SIGKILL");
    }
    await new Promise((resolve) => first.once("exit", resolve));
    const atKill = await holdings.countDocuments({ _id: { $regex: /^kill-/ } });
    expect(atKill).toBeLessThan(count);
    const second = run();
    ns.beforeCleanup(() => {
      second.kill("SIGTERM");
    });
    // The stream also carries the earlier test's items; this test counts its own.
    const applied = () => holdings.countDocuments({ _id: { $regex: /^kill-/ } });
    await waitFor(async () => (await applied()) === count, {
      description: `all ${count} items applied after the restart`,
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    const docs = await holdings
      .find({ _id: { $regex: /^kill-/ } }, { projection: { state: 0 } })
      .toArray();
    expect(docs.map((d) => d._id).sort()).toEqual(ids);
    const twice = docs.filter((d) => d.applies !== 1);
    expect(twice).toEqual([]);
    const undelivered = () => {
      const delivered = new Set(
        receipts
          .values()
          .filter(
            (r) =>
              r.channel === "portal" && r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
          )
          .map((r) => r.itemId),
      );
      return ids.filter((id) => !delivered.has(id));
    };
    await waitFor(() => undelivered().length === 0, {
      description: "a DELIVERED receipt for every item",
    }).catch(() => undefined);
    expect(undelivered()).toEqual([]);
  }, 240_000);
});
