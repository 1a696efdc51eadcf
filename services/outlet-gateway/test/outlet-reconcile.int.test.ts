/**
 * Outlets audited and repaired like channels, on the real stack: content, the
 * reconciler and a gateway with SDK outlets. The reconciler reads an outlet's
 * receipts, audits it through the gateway (which asks the outlet itself), has
 * the gateway redeliver what the outlet lost, reports an outlet that is not
 * connected as unreachable without calling its items missing, and owes a
 * revoked outlet nothing.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Holding } from "@herald/contracts";
import { createLogger, writeSecretFile } from "@herald/runtime";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import {
  type ContentService,
  type ReconcilerService,
  startHeraldServices,
} from "@herald/test-harness/services";
import type { OutletGatewayService } from "../src";
import { admin, startTestGateway } from "../src/testing";
import { MemoryOutlet } from "./memory-outlet";

const ns = useTestNamespace("outlet-reconcile");
const logger = createLogger({ service: "outlet-reconcile-test", level: "silent" });
const ADMIN = "outlet-reconcile-admin-token";
const CHANNEL = "outlet-reconcile-channel-token";

let content: ContentService;
let reconciler: ReconcilerService;
let gateway: OutletGatewayService;
const outlets: MemoryOutlet[] = [];

async function publish(id: string, title: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${content.httpPort}/api/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({
      id,
      kind: "notice",
      disclosure: "proactive",
      title,
      summary: "通知",
      body: "<p>通知正文。</p>",
      category: "notice",
    }),
  });
  expect(response.status).toBe(201);
}

async function register(name: string): Promise<string> {
  const added = await admin<{ credential: string }>(gateway, "POST", "/admin/outlets", { name });
  expect(added.status).toBe(201);
  return added.body.credential;
}

function connect(name: string, credential: string, held?: Map<string, Holding>): MemoryOutlet {
  const outlet = new MemoryOutlet({
    gateway: gateway.address,
    outlet: name,
    credential,
    policy: {},
    ...(held ? { held } : {}),
  }).start();
  outlets.push(outlet);
  return outlet;
}

function stateOn(channel: string, itemId: string): string | undefined {
  return reconciler.queries.itemStatus(itemId)?.channels.find((c) => c.channel === channel)?.state;
}

function summaryOf(channel: string) {
  return reconciler.queries.channels().find((c) => c.channel === channel);
}

/** Publishes items and waits until the reconciler has the outlet's receipt for each. */
async function deliverAll(channel: string, outlet: MemoryOutlet, ids: readonly string[]) {
  for (const id of ids) await publish(id, `通知 ${id}`);
  await waitFor(() => ids.every((id) => outlet.held.has(id)), {
    timeoutMs: 30_000,
    description: `${channel} holding ${ids.length} items`,
  });
  await waitFor(
    async () => {
      await reconciler.tick();
      return ids.every((id) => stateOn(channel, id) === "delivered");
    },
    { timeoutMs: 30_000, intervalMs: 200, description: `${channel}'s receipts read` },
  );
}

beforeAll(async () => {
  const services = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, channel: CHANNEL },
    reconciler: true,
  });
  ({ content, reconciler } = services);
  const contentToken = join(mkdtempSync(join(tmpdir(), "outlet-reconcile-")), "content-token");
  writeSecretFile(contentToken, CHANNEL);
  const stack = testStack();
  gateway = await startTestGateway({
    brokers: stack.brokers,
    mongoUrl: stack.mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("gateway"),
    groupPrefix: ns.groupId("outlet-"),
    env: {
      // The reconciler audits with the fixture's inventory token; redeliveries read content.
      OUTLET_INVENTORY_TOKENS_FILE: services.tokenFiles.inventory,
      OUTLET_CONTENT_GRPC: `127.0.0.1:${content.grpcPort}`,
      OUTLET_CONTENT_TOKEN_FILE: contentToken,
    },
  });
  ns.beforeCleanup(async () => {
    for (const o of outlets) await o.handle.close();
    await gateway.stop();
  });
}, 120_000);

describe("outlets under the reconciler", () => {
  it("finds an item an outlet dropped behind the gateway's back through the outlet's own inventory, and the redelivery repairs it", async () => {
    const outlet = connect("registry", await register("registry"));
    const ids = [1, 2, 3].map((n) => `drop-${n}-${ns.id}`);
    await deliverAll("outlet-registry", outlet, ids);
    expect(summaryOf("outlet-registry")).toMatchObject({ announced: true, outletId: "registry" });
    // Caught up, although the content service's transaction markers follow every item.
    await waitFor(
      async () => {
        const listing = await admin<{
          outlets: { name: string; lag: number | null; backfilling: boolean }[];
        }>(gateway, "GET", "/admin/outlets");
        const registry = listing.body.outlets.find((o) => o.name === "registry");
        return registry?.lag === 0 && !registry.backfilling ? true : undefined;
      },
      { timeoutMs: 15_000, description: "the outlet shown caught up: lag 0, not backfilling" },
    );

    // The outlet loses an item; the gateway's records still say it has it.
    const lost = ids[1]!;
    outlet.held.delete(lost);
    const applies = () => outlet.applied.filter((a) => a.id === lost).length;
    expect(applies()).toBe(1);
    const finding = await waitFor(
      async () => {
        await reconciler.actions.runAudit(["outlet-registry"]);
        return reconciler.queries
          .findings({ channel: "outlet-registry" })
          .find((f) => f.itemId === lost);
      },
      { timeoutMs: 30_000, intervalMs: 500, description: "the loss found by an audit" },
    );
    expect(finding).toMatchObject({ kind: "missing", repairable: true });
    expect(finding.reason).toContain("not in its holdings at the last audit");

    // The repair goes through the gateway to the outlet, although a result for that version is recorded.
    await waitFor(
      async () => {
        await reconciler.tick();
        return outlet.held.has(lost);
      },
      { timeoutMs: 30_000, intervalMs: 200, description: "the redelivery applied" },
    );
    expect(applies()).toBeGreaterThanOrEqual(2);
    await waitFor(
      async () => {
        await reconciler.actions.runAudit(["outlet-registry"]);
        return stateOn("outlet-registry", lost) === "delivered" ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: "the outlet audited whole again" },
    );
    expect(reconciler.queries.findings({ channel: "outlet-registry" })).toEqual([]);
    const timeline = await reconciler.queries.timeline(lost);
    expect(timeline.some((e) => e.type === "redelivery" && e.channel === "outlet-registry")).toBe(
      true,
    );
  });

  it("reports an outlet that is not connected as unreachable, and none of its items missing until an audit succeeds", async () => {
    const credential = await register("port");
    const first = connect("port", credential);
    const ids = [1, 2].map((n) => `away-${n}-${ns.id}`);
    await deliverAll("outlet-port", first, ids);

    // It loses an item and goes away before anyone looks.
    const lost = ids[0]!;
    first.held.delete(lost);
    await first.handle.close();
    await waitFor(() => gateway.gateway.instances("port") === 0, {
      description: "the gateway seeing the stream end",
    });
    const runs = await reconciler.actions.runAudit(["outlet-port"]);
    expect(runs.runs[0]?.error).toMatch(/^UNAVAILABLE: .*unreachable/);
    const summary = summaryOf("outlet-port");
    expect(summary?.unreachable?.error).toMatch(/unreachable/);
    expect(summary?.states.missing).toBe(0);
    await reconciler.tick();
    expect(reconciler.queries.findings({ channel: "outlet-port" })).toEqual([]);
    expect(stateOn("outlet-port", lost)).not.toBe("missing");

    // Back (with what it kept): the next audit reaches it, finds the loss, and repair follows.
    const second = connect("port", credential, first.held);
    await second.handle.connected();
    await waitFor(
      async () => {
        await reconciler.actions.runAudit(["outlet-port"]);
        await reconciler.tick();
        return summaryOf("outlet-port")?.unreachable === undefined && second.held.has(lost);
      },
      { timeoutMs: 30_000, intervalMs: 500, description: "the outlet reachable and repaired" },
    );
  });

  it("owes a revoked outlet nothing from its revoke on, and says so in the channel summary", async () => {
    const outlet = connect("partner", await register("partner"));
    await deliverAll("outlet-partner", outlet, [`before-${ns.id}`]);

    const revoked = await admin(gateway, "POST", "/admin/outlets/partner/revoke");
    expect(revoked.status).toBe(200);
    const retired = await waitFor(() => summaryOf("outlet-partner")?.retiredAt, {
      timeoutMs: 30_000,
      description: "the outlet's channel retired",
    });
    expect(retired).toBeInstanceOf(Date);
    expect(reconciler.queries.channels().map((c) => c.channel)).toContain("outlet-registry");

    const after = `after-${ns.id}`;
    await publish(after, "撤销后的通知");
    await waitFor(() => reconciler.queries.itemStatus(after), {
      description: "the new item read",
    });
    await reconciler.tick();
    expect(stateOn("outlet-partner", after)).toBeUndefined();
    expect(stateOn("outlet-registry", after)).toBeDefined();
    expect(reconciler.queries.findings({ channel: "outlet-partner" })).toEqual([]);
  });
});
