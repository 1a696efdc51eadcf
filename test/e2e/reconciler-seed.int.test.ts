/**
 * The reconciler end to end, as an operator sees it through the CLI: `herald
 * seed` publishes the demo items, `herald status --json` shows each delivered on
 * the portal and a removed one removed, and an item deleted from the portal's
 * database behind its back is found by the next scheduled audit and put back by
 * redelivery, without anybody doing anything.
 */
import type { TimelineEvent } from "@herald/reconciler";
import { TEST_OPERATOR_TOKEN } from "@herald/reconciler/testing";
import { createLogger } from "@herald/runtime";
import { heraldAsync, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import {
  type ContentService,
  type ReconcilerService,
  startHeraldServices,
} from "@herald/test-harness/services";
import { MongoClient } from "mongodb";

const ns = useTestNamespace("reconciler-seed");
const logger = createLogger({ service: "e2e", level: "silent" });
const ADMIN = "e2e-reconciler-admin";
const CHANNEL = "e2e-reconciler-portal";
const PENALTY = "penalty-2016-huanggang-0186";
let content: ContentService;
let reconciler: ReconcilerService;
let mongo: MongoClient;
let seeded: string[];

interface Summary {
  id: string;
  version: number;
  channels: Record<string, { state: string; version: number }>;
}

function cli(args: string[]) {
  return heraldAsync(args, {
    ...process.env,
    HERALD_CONTENT_URL: `http://127.0.0.1:${content.httpPort}`,
    HERALD_TOKEN: ADMIN,
    HERALD_RECONCILER_URL: `http://127.0.0.1:${reconciler.httpPort}`,
    HERALD_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
  });
}

async function status(id: string): Promise<Summary> {
  const result = await cli(["status", id, "--json"]);
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  return JSON.parse(result.stdout) as Summary;
}

async function timeline(id: string): Promise<TimelineEvent[]> {
  return reconciler.queries.timeline(id);
}

beforeAll(async () => {
  mongo = new MongoClient(testStack().mongoUrl);
  await mongo.connect();
  ns.beforeCleanup(() => mongo.close());
  ({ content, reconciler } = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, portal: CHANNEL },
    portal: true,
    // Scheduled audits, as `herald up` runs them, only more often.
    reconciler: { env: { RECONCILER_AUDIT_INTERVAL_MS: "2000", RECONCILER_GRACE_MS: "1000" } },
  }));
  const seed = await cli(["seed", "--json"]);
  expect({ status: seed.status, stderr: seed.stderr }).toEqual({ status: 0, stderr: "" });
  seeded = (JSON.parse(seed.stdout) as { id: string }[]).map((entry) => entry.id);
}, 120_000);

describe("the reconciler after herald seed", () => {
  it("shows every seeded item delivered on the portal, and a removed one removed", async () => {
    expect(seeded.length).toBeGreaterThanOrEqual(5);
    for (const id of seeded) {
      const summary = await waitFor(
        async () => {
          const s = await status(id);
          return s.channels.portal?.state === "delivered" ? s : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 300, description: `${id} delivered on the portal` },
      );
      expect(summary).toEqual({
        id,
        version: summary.version,
        channels: { portal: { state: "delivered", version: summary.version } },
      });
    }
    const takedown = await cli([
      "takedown",
      PENALTY,
      "--mode",
      "removed",
      "--reason",
      "处罚决定已撤销",
    ]);
    expect(takedown.status).toBe(0);
    const removed = await waitFor(
      async () => {
        const s = await status(PENALTY);
        return s.channels.portal?.state === "removed" ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300, description: "the removed penalty" },
    );
    expect(removed.version).toBeGreaterThan(1);
  });

  it("finds an item deleted from the portal's database at the next audit and puts it back", async () => {
    const id = seeded.find((s) => s !== PENALTY)!;
    const holdings = mongo.db(ns.dbName("portal")).collection<{ _id: string }>("holdings");
    const lostAt = Date.now();
    expect((await holdings.deleteOne({ _id: id })).deletedCount).toBe(1);

    await waitFor(async () => (await holdings.findOne({ _id: id })) !== null, {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: "the item back in the portal's database",
    });
    const repairedMs = Date.now() - lostAt;
    const events = await timeline(id);
    const after = events.filter((e) => e.at.getTime() >= lostAt - 1000);
    expect(after.some((e) => e.type === "finding" && e.detail.startsWith("missing"))).toBe(true);
    expect(after.some((e) => e.type === "redelivery")).toBe(true);
    // And a later audit confirms it, so status says delivered again.
    const back = await waitFor(
      async () => {
        const s = await status(id);
        return s.channels.portal?.state === "delivered" ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300, description: "delivered again" },
    );
    expect(back.channels.portal?.version).toBe(back.version);
    process.stdout.write(`loss to repair: ${repairedMs} ms (audit every 2 s)\n`);

    const reconcile = await cli(["reconcile", "--json"]);
    expect(reconcile.status).toBe(0);
    const report = JSON.parse(reconcile.stdout) as {
      runs: { channel: string; holdings: number }[];
    };
    expect(report.runs.find((r) => r.channel === "portal")?.holdings).toBe(seeded.length - 1);
  });
});
