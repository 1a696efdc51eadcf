/**
 * One reconciler leads, others stand by: on the real stack, with the content
 * service and the portal sending receipts, reconcilers run as processes of
 * their own; the leader is killed with SIGKILL while items flow, a standby
 * takes over within 15 s, and what it then shows equals what a single
 * reconciler that read everything from scratch shows: every receipt on every
 * item's timeline exactly once, the same states, the same findings.
 */
import { TEST_INVENTORY_TOKEN } from "@herald/portal/testing";
import { createLogger } from "@herald/runtime";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { type ContentService, startHeraldServices } from "@herald/test-harness/services";
import { MongoClient } from "mongodb";
import type { Finding, TimelineEvent } from "../src/model";
import { TEST_OPERATOR_TOKEN, startTestReconciler, testReconcilerEnv } from "../src/testing";
import { type Health, ReconcilerProcess } from "./reconciler-process";

const ns = useTestNamespace("reconciler-failover");
const logger = createLogger({ service: "reconciler-test", level: "silent" });
const ADMIN = "failover-admin-token";
const PORTAL = "failover-portal-token";
const TAKEOVER_LIMIT_MS = 15_000;
let content: ContentService;
let mongo: MongoClient;

/** Both reconcilers share the database and the receipts group: one deployment. */
const env = () =>
  testReconcilerEnv({
    brokers: testStack().brokers,
    mongoUrl: testStack().mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("reconciler"),
    groupId: ns.groupId("reconciler"),
    inventoryToken: TEST_INVENTORY_TOKEN,
    env: {
      RECONCILER_CHANNELS: "portal",
      // A finding becomes a problem at once and is not repaired: it stays for the comparison.
      RECONCILER_REPAIR_CAP: "0",
      RECONCILER_LEASE_TTL_MS: "5000",
      RECONCILER_LEASE_RENEW_MS: "1000",
    },
  });

async function spawn(name: string): Promise<ReconcilerProcess> {
  const p = await ReconcilerProcess.spawn(name, env());
  ns.beforeCleanup(() => p.stop());
  return p;
}

async function healthOf(p: ReconcilerProcess): Promise<Health | undefined> {
  return p.health().catch(() => undefined);
}

async function publish(title: string, fields: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${content.httpPort}/api/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({
      kind: "news",
      disclosure: "proactive",
      title,
      summary: "政务公开",
      body: "<p>各直属海关要结合实际制定实施方案。</p>",
      category: "news",
      ...fields,
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function json<T>(p: ReconcilerProcess, path: string): Promise<T> {
  const response = await p.api(path, TEST_OPERATOR_TOKEN);
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

interface Summary {
  channels: Record<string, { state: string; version: number }>;
}

/** What is compared with a single run: per item its state, and its receipts on the timeline. */
function receiptsOf(timeline: readonly Pick<TimelineEvent, "type" | "detail" | "at">[]): string[] {
  return timeline
    .filter((e) => e.type === "receipt")
    .map((e) => `${new Date(e.at).toISOString()} ${e.detail}`)
    .sort();
}

function findingKeys(findings: readonly Pick<Finding, "channel" | "itemId" | "kind">[]): string[] {
  return findings.map((f) => `${f.channel}/${f.itemId}:${f.kind}`).sort();
}

/** Kills `leader` and measures until `standby` serves as the leader. */
async function takeover(leader: ReconcilerProcess, standby: ReconcilerProcess): Promise<number> {
  const killedAt = Date.now();
  await leader.kill();
  await waitFor(
    async () => {
      const h = await healthOf(standby);
      return h?.status === 200 && h.detail.startsWith("leader");
    },
    { timeoutMs: 60_000, intervalMs: 50, description: `${standby.name} leading` },
  );
  const ms = Date.now() - killedAt;
  logger.info({ ms, from: leader.name, to: standby.name }, "takeover");
  process.stdout.write(`takeover ${leader.name} -> ${standby.name}: ${ms} ms\n`);
  return ms;
}

beforeAll(async () => {
  mongo = new MongoClient(testStack().mongoUrl);
  await mongo.connect();
  ns.beforeCleanup(() => mongo.close());
  ({ content } = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, portal: PORTAL },
    portal: true,
  }));
}, 120_000);

describe("leader and standby", () => {
  it("takes over from a killed leader within 15 s, and shows what a single run shows", async () => {
    const a = await spawn("rec-a");
    await waitFor(async () => (await healthOf(a))?.detail.startsWith("leader"), {
      timeoutMs: 90_000,
      intervalMs: 200,
      description: "rec-a leading",
    });
    const b = await spawn("rec-b");
    const standing = await waitFor(
      async () => {
        const h = await healthOf(b);
        return h?.detail.includes("standing by") ? h : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 200, description: "rec-b standing by" },
    );
    // A standby is ready, names the leader, and serves no reads of its own.
    expect(standing).toEqual({ status: 200, detail: "standing by; the leader is rec-a" });
    const refused = await b.api("/api/v1/findings", TEST_OPERATOR_TOKEN);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: { code: "unavailable", message: "standing by; the leader is rec-a" },
    });
    const page = await b.api("/", TEST_OPERATOR_TOKEN);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("the leader is rec-a");

    // Items and their receipts flow; one holding is lost behind the portal's back.
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await publish(`第一批信息 ${i}`));
    const declined = await publish("内部通知", { targeting: { audience: "internal" } });
    await waitFor(
      async () => {
        const states = await Promise.all(
          ids.map((id) => json<Summary>(a, `/api/v1/items/${id}/summary`).catch(() => undefined)),
        );
        return states.every((s) => s?.channels.portal?.state === "delivered");
      },
      { timeoutMs: 60_000, intervalMs: 250, description: "the first items delivered on rec-a" },
    );
    const lost = ids[0]!;
    await mongo
      .db(ns.dbName("portal"))
      .collection("holdings")
      .deleteOne({ _id: lost as never });
    const audit = await fetch(`http://127.0.0.1:${a.httpPort}/api/v1/audits`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TEST_OPERATOR_TOKEN}`,
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(audit.status).toBe(200);

    // Kill the leader while more items (and their receipts) are on the way.
    const flowing = (async () => {
      for (let i = 0; i < 8; i++) ids.push(await publish(`第二批信息 ${i}`));
    })();
    const times = [await takeover(a, b)];
    await flowing;
    const c = await spawn("rec-c");
    await waitFor(async () => (await healthOf(c))?.detail.includes("the leader is rec-b"), {
      timeoutMs: 90_000,
      intervalMs: 200,
      description: "rec-c standing by behind rec-b",
    });
    for (let i = 0; i < 4; i++) ids.push(await publish(`第三批信息 ${i}`));
    times.push(await takeover(b, c));
    for (const ms of times) expect(ms).toBeLessThan(TAKEOVER_LIMIT_MS);

    // Everything settles on the last leader.
    const settled = async () =>
      waitFor(
        async () => {
          const states = await Promise.all(
            ids.slice(1).map((id) => json<Summary>(c, `/api/v1/items/${id}/summary`)),
          );
          return states.every((s) => s.channels.portal?.state === "delivered");
        },
        { timeoutMs: 60_000, intervalMs: 250, description: "every item delivered on rec-c" },
      );
    await settled();

    // A single reconciler that reads everything from scratch: its own database and group.
    const single = await startTestReconciler({
      brokers: testStack().brokers,
      mongoUrl: testStack().mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName: ns.dbName("single"),
      groupId: ns.groupId("single"),
      inventoryToken: TEST_INVENTORY_TOKEN,
      logger,
      env: { RECONCILER_CHANNELS: "portal", RECONCILER_REPAIR_CAP: "0" },
    });
    ns.beforeCleanup(() => single.stop());
    await single.tick();

    for (const id of [...ids, declined]) {
      const failedOver = await json<Summary>(c, `/api/v1/items/${id}/summary`);
      const once = single.queries.itemStatus(id)?.channels.find((s) => s.channel === "portal");
      expect({ id, state: failedOver.channels.portal?.state }).toEqual({ id, state: once?.state });
      const timeline = await json<TimelineEvent[]>(c, `/api/v1/items/${id}/timeline`);
      expect({ id, receipts: receiptsOf(timeline) }).toEqual({
        id,
        receipts: receiptsOf(await single.queries.timeline(id)),
      });
    }
    expect(single.queries.itemStatus(lost)?.channels[0]?.state).toBe("missing");
    const findings = await json<Finding[]>(c, "/api/v1/findings?declined=true");
    expect(findingKeys(findings)).toEqual(
      findingKeys(single.queries.findings({ includeDeclined: true })),
    );
    expect(findingKeys(findings)).toEqual(
      [`portal/${lost}:missing`, `portal/${declined}:declined`].sort(),
    );
  }, 300_000);
});
