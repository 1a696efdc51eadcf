/**
 * Every finding the reconciler reports, caused behind the portal's back on the
 * real stack (content service, portal, Kafka, FerretDB), and its repair by
 * redelivery where redelivery can repair it.
 */
import * as grpc from "@grpc/grpc-js";
import { RecordingChannel } from "@herald/channel-kit/testing";
import {
  DeliveryOutcome,
  DeliveryState,
  type GetItemStatusResponse,
  ReconcilerClient,
  Topics,
} from "@herald/contracts";
import { createLogger } from "@herald/runtime";
import { testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector } from "@herald/test-harness/topics";
import {
  type ContentService,
  type HeraldServices,
  startHeraldServices,
} from "@herald/test-harness/services";
import { MongoClient } from "mongodb";
import type { ReconcilerService } from "../src/service";
import { TEST_OPERATOR_TOKEN } from "../src/testing";

const ns = useTestNamespace("reconciler-findings");
const logger = createLogger({ service: "reconciler-test", level: "silent" });
const ADMIN = "findings-admin-token";
const PORTAL = "findings-portal-token";
let content: ContentService;
let reconciler: ReconcilerService;
let mongo: MongoClient;

let services: HeraldServices;

function startReconciler(): Promise<ReconcilerService> {
  return services.startReconciler();
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${reconciler.httpPort}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${TEST_OPERATOR_TOKEN}`,
      "content-type": "application/json",
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

async function publish(fields: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${content.httpPort}/api/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({
      kind: "news",
      disclosure: "proactive",
      title: "海关总署关于进一步做好政务公开工作的通知",
      summary: "政务公开",
      body: "<p>各直属海关要结合实际制定实施方案。</p>",
      category: "news",
      ...fields,
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function takedown(id: string, mode: "removed" | "withdrawn"): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${content.httpPort}/api/items/${id}/takedown`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ mode, reason: "test", publicExplanation: "该信息已撤回。" }),
  });
  expect(response.status).toBe(200);
}

function state(id: string, channel = "portal") {
  return reconciler.queries.itemStatus(id)?.channels.find((c) => c.channel === channel);
}

/** Waits until the item's state on the portal is `expected`, ticking the reconciler. */
async function until(id: string, expected: string, description: string) {
  return waitFor(
    async () => {
      await reconciler.tick();
      const s = state(id);
      return s?.state === expected ? s : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, description },
  );
}

/** Deletes every receipt on the topic so far, as retention does after 7 days. */
async function dropReceipts(): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const topic = `${ns.topicPrefix}herald.receipts.v1`;
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.deleteTopicRecords({
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

function holdings() {
  return mongo
    .db(ns.dbName("portal"))
    .collection<{ _id: string; version: number; checksum: string; status: string }>("holdings");
}

beforeAll(async () => {
  mongo = new MongoClient(testStack().mongoUrl);
  await mongo.connect();
  ns.beforeCleanup(() => mongo.close());
  services = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, portal: PORTAL },
    portal: true,
    reconciler: true,
  });
  ({ content, reconciler } = services);
}, 120_000);

describe("the reconciler against the portal", () => {
  it("shows a published item delivered and a removed item removed, with delivery times", async () => {
    const kept = await publish();
    const removed = await publish({ title: "将被撤下的通知" });
    const delivered = await until(kept, "delivered", "the portal's receipt");
    expect(delivered.heldVersion).toBe(1);
    expect(delivered.deliveryMs).toBeGreaterThanOrEqual(0);
    expect(delivered.externalRef).toContain(`/items/${kept}`);
    await until(removed, "delivered", "the second item's receipt");
    await takedown(removed, "removed");
    await until(removed, "removed", "the removal receipt");

    const summary = await api(`/api/v1/items/${kept}/summary`);
    expect(summary.status).toBe(200);
    expect(await summary.json()).toEqual({
      id: kept,
      version: 1,
      channels: { portal: { state: "delivered", version: 1 } },
    });
  });

  it("finds an item deleted from the portal's database missing, and redelivers it", async () => {
    const id = await publish({ title: "会被删除的信息" });
    await until(id, "delivered", "delivery");
    const lostAt = Date.now();
    await holdings().deleteOne({ _id: id });

    const report = await reconciler.actions.runAudit(["portal"]);
    const finding = report.findings.find((f) => f.itemId === id);
    expect(finding).toMatchObject({ channel: "portal", expectedVersion: 1 });
    expect(["missing"]).toContain(finding?.kind);
    expect(finding?.repairAttempts).toBeGreaterThanOrEqual(1); // the audit's repair pass asked already

    // The redelivery puts it back: the database has it again and the next audit agrees.
    await waitFor(async () => (await holdings().findOne({ _id: id })) !== null, {
      description: "the holding written again",
    });
    await reconciler.actions.runAudit(["portal"]);
    expect(state(id)?.state).toBe("delivered");
    expect(reconciler.queries.findings().some((f) => f.itemId === id)).toBe(false);
    const timeline = await reconciler.queries.timeline(id);
    expect(timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(["published", "receipt", "finding", "redelivery", "audit"]),
    );
    logger.info({ ms: Date.now() - lostAt }, "loss to repair");
  });

  it("finds a checksum altered in the portal's database and redelivers the item", async () => {
    const id = await publish({ title: "校验和被篡改的信息" });
    await until(id, "delivered", "delivery");
    await holdings().updateOne({ _id: id }, { $set: { checksum: "0".repeat(64) } });

    const report = await reconciler.actions.runAudit(["portal"]);
    expect(report.findings.find((f) => f.itemId === id)?.kind).toBe("checksum_mismatch");
    await waitFor(
      async () => (await holdings().findOne({ _id: id }))?.checksum !== "0".repeat(64),
      { description: "the redelivery rewriting the checksum" },
    );
    await reconciler.actions.runAudit(["portal"]);
    expect(state(id)?.state).toBe("delivered");
  });

  it("finds an older version restored on the portal stale, and redelivers the current one", async () => {
    const id = await publish({ title: "将被修订的信息" });
    await until(id, "delivered", "delivery of v1");
    const v1 = await holdings().findOne({ _id: id });
    const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const base = `http://127.0.0.1:${content.httpPort}/api/items/${id}`;
    const edited = await fetch(base, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ title: "已修订的信息" }),
    });
    expect(edited.status).toBe(200);
    const published = await fetch(`${base}/publish`, {
      method: "POST",
      headers,
      body: JSON.stringify({ direct: true }),
    });
    expect(published.status).toBe(200);
    await waitFor(
      async () => {
        await reconciler.tick();
        const s = state(id);
        return s?.state === "delivered" && s.heldVersion === 2;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: "the reconciler seeing v2 delivered" },
    );
    await holdings().replaceOne({ _id: id }, v1!);

    // The receipt can come before the portal commits the offset past v2's message;
    // until it does, an audit counts v2 in flight (lag, not loss), and then stale.
    const finding = await waitFor(
      async () =>
        (await reconciler.actions.runAudit(["portal"])).findings.find((f) => f.itemId === id),
      { timeoutMs: 30_000, intervalMs: 200, description: "an audit finding v1 held, stale" },
    );
    expect(finding).toMatchObject({ kind: "stale", expectedVersion: 2 });
    expect(state(id)).toMatchObject({ state: "stale", heldVersion: 1, expectedVersion: 2 });
    await waitFor(async () => (await holdings().findOne({ _id: id }))?.version === 2, {
      description: "the redelivery of v2",
    });
    await reconciler.actions.runAudit(["portal"]);
    expect(state(id)).toMatchObject({ state: "delivered", heldVersion: 2 });
  });

  it("finds an item left on the portal after its takedown and removes it", async () => {
    const id = await publish({ title: "撤下后仍留存的信息" });
    await until(id, "delivered", "delivery");
    const before = await holdings().findOne({ _id: id });
    await takedown(id, "removed");
    await until(id, "removed", "the removal");
    // Someone restores the old page from a backup.
    await holdings().replaceOne({ _id: id }, before!);

    const report = await reconciler.actions.runAudit(["portal"]);
    expect(report.findings.find((f) => f.itemId === id)?.kind).toBe("not_removed");
    await waitFor(async () => (await holdings().findOne({ _id: id }))?.status === "removed", {
      description: "the redelivery removing it again",
    });
    await reconciler.actions.runAudit(["portal"]);
    expect(state(id)?.state).toBe("removed");
  });

  it("finds a holding that was never published and has the portal drop it", async () => {
    const stray = await holdings().findOne({ _id: { $exists: true } });
    const id = "never-published-item";
    await holdings().insertOne({ ...stray!, _id: id, version: 3 });

    const report = await reconciler.actions.runAudit(["portal"]);
    expect(report.findings.find((f) => f.itemId === id)?.kind).toBe("unexpected");
    await waitFor(async () => (await holdings().findOne({ _id: id }))?.status !== "held", {
      description: "the portal dropping the stray holding",
    });
    await reconciler.actions.runAudit(["portal"]);
    expect(reconciler.queries.itemStatus(id)).toBeUndefined();
  });

  it("reports an item the portal does not take as declined, without a problem", async () => {
    const id = await publish({ title: "内部通知", targeting: { audience: "internal" } });
    const declined = await until(id, "declined", "the decline");
    expect(declined.finding).toMatchObject({
      kind: "declined",
      code: "declined.audience",
      repairable: false,
    });
    expect(reconciler.queries.problems().some((p) => p.itemId === id)).toBe(false);
  });

  it("needs the operator role on the API and the dashboard", async () => {
    const bare = await fetch(`http://127.0.0.1:${reconciler.httpPort}/api/v1/channels`);
    expect(bare.status).toBe(401);
    const page = await fetch(`http://127.0.0.1:${reconciler.httpPort}/matrix`, {
      redirect: "manual",
    });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toMatch(/^\/login/);
    const signedIn = await api("/matrix");
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain("portal");
    const overview = await api("/");
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain("<svg");
  });

  it("answers the gRPC Reconciler service for operators only", async () => {
    const id = await publish({ title: "通过 gRPC 查询的信息" });
    await until(id, "delivered", "delivery");
    const client = new ReconcilerClient(
      `127.0.0.1:${reconciler.grpcPort}`,
      grpc.credentials.createInsecure(),
    );
    const call = (token: string | undefined) =>
      new Promise<GetItemStatusResponse>((resolve, reject) => {
        const metadata = new grpc.Metadata();
        if (token) metadata.set("authorization", `Bearer ${token}`);
        client.getItemStatus({ itemId: id }, metadata, (error, response) =>
          error ? reject(error) : resolve(response),
        );
      });
    try {
      await expect(call(undefined)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      await expect(call("not-a-token")).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
      const status = await call(TEST_OPERATOR_TOKEN);
      expect(status).toMatchObject({ itemId: id, version: 1 });
      expect(status.channels.find((c) => c.channel === "portal")?.state).toBe(
        DeliveryState.DELIVERY_STATE_DELIVERED,
      );
    } finally {
      client.close();
    }
  });

  it("counts on an audit alone when a receipt was dropped", async () => {
    await reconciler.stop();
    const id = await publish({ title: "回执丢失的信息" });
    await waitFor(async () => (await holdings().findOne({ _id: id })) !== null, {
      description: "the portal applying it",
    });
    // Drop every receipt the reconciler has not read, this one among them.
    await dropReceipts();
    reconciler = await startReconciler();
    // The start-up audit saw it on the portal.
    expect(state(id)?.state).toBe("delivered");
    const timeline = await reconciler.queries.timeline(id);
    expect(timeline.some((e) => e.type === "receipt")).toBe(false);
    expect(timeline.some((e) => e.type === "audit" && e.channel === "portal")).toBe(true);
  });

  it("owes an account added today only what was published since its start, in the categories it lists", async () => {
    const history = await publish({ title: "账号开通前发布的信息" });
    await until(history, "delivered", "the older item on the portal");
    // The account starts after the first item: as an account added today, it is not owed it.
    const publishedFrom = new Date();
    const account = new RecordingChannel({
      name: "newmedia",
      outletId: "weibo:since",
      categories: ["news"],
      publishedFrom,
    });
    const channel = "newmedia/weibo:since";
    const receipts = await new TopicCollector(ns, Topics.receipts).start();
    ns.beforeCleanup(() => receipts.stop());
    await services.startChannel({ adapter: account, db: "weibo-since", group: "weibo-since" });
    const fresh = await publish({ title: "账号开通后发布的信息" });
    const column = await publish({ title: "其他栏目的信息", category: "人事信息" });

    const receiptOf = (itemId: string) =>
      receipts.waitFor((r) => r.outletId === "weibo:since" && r.itemId === itemId, itemId);
    const declined = await receiptOf(history);
    expect(declined.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_DECLINED);
    expect(declined.error?.code).toBe("declined.published-before");
    expect((await receiptOf(fresh)).outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    expect((await receiptOf(column)).error?.code).toBe("declined.category");
    expect(account.applies(history)).toEqual([]);
    expect(account.applies(fresh)).toEqual([1]);

    // The account's receipts say what it declined. Once they are gone (retention), a
    // reconciler that starts judges the account by the policy it announced alone.
    await dropReceipts();
    const judge = await services.startReconciler({ db: "reconciler-since", group: "since" });
    await waitFor(() => judge.queries.channels().some((c) => c.channel === channel), {
      description: "the account's announcement reaching the new reconciler",
    });
    const report = await judge.actions.runAudit([channel]);
    expect(report.findings.filter((f) => f.channel === channel && f.kind !== "declined")).toEqual(
      [],
    );
    const on = (id: string) =>
      judge.queries.itemStatus(id)?.channels.find((c) => c.channel === channel);
    expect(on(history)).toMatchObject({
      state: "declined",
      finding: { kind: "declined", code: "declined.published-before" },
    });
    expect(on(fresh)).toMatchObject({ state: "delivered", heldVersion: 1 });
    expect(on(column)).toMatchObject({
      state: "declined",
      finding: { code: "declined.category" },
    });
    // The portal, with no start date, holds the older item as before.
    expect(state(history)?.state).toBe("delivered");
  });
});
