/**
 * Proof from acceptance: on the real stack, a version the content service
 * accepted while its relay does not run never reaches herald.items.v1; the
 * reconciler, watching ListAnnouncements, shows it not announced on every
 * channel once the announce grace period is over, with the content service's
 * reason, as a problem no redelivery can fix, and clears it once the relay sent it.
 */
import { createLogger } from "@herald/runtime";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import { type ContentService, startHeraldServices } from "@herald/test-harness/services";
import type { ReconcilerService } from "../src/service";
import { TEST_OPERATOR_TOKEN } from "../src/testing";

const ns = useTestNamespace("reconciler-announce");
const logger = createLogger({ service: "reconciler-test", level: "silent" });
const ADMIN = "announce-admin-token";
const READER = "announce-reconciler-token";
let content: ContentService;
let reconciler: ReconcilerService;

async function publish(title: string): Promise<string> {
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
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${reconciler.httpPort}${path}`, {
    headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

beforeAll(async () => {
  ({ content, reconciler } = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, reconciler: READER, inventory: "unused" },
    reconciler: {
      followContent: true,
      env: {
        RECONCILER_CHANNELS: "portal,wechat",
        RECONCILER_ANNOUNCE_GRACE_MS: "3000",
        RECONCILER_ANNOUNCE_POLL_MS: "200",
      },
    },
  }));
}, 120_000);

describe("versions accepted but not announced", () => {
  it("are not announced on every channel past the grace period, with the reason, until the relay sends them", async () => {
    const announced = await publish("按时发布的信息");
    await waitFor(() => reconciler.queries.itemStatus(announced), {
      description: "the first item read from the stream",
    });

    await content.relay.stop();
    const acceptedAt = Date.now();
    const held = await publish("中继停止时受理的信息");
    // Within the grace period it is only pending on the content service.
    await waitFor(() => reconciler.queries.content?.()?.pending === 1, {
      description: "the accepted version seen as pending",
    });
    expect(reconciler.queries.itemStatus(held)).toBeUndefined();

    const findings = await waitFor(
      async () => {
        await reconciler.tick();
        const open = reconciler.queries.findings().filter((f) => f.itemId === held);
        return open.length === 2 ? open : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, description: "not-announced findings" },
    );
    expect(Date.now() - acceptedAt).toBeGreaterThanOrEqual(3000);
    expect(findings.map((f) => f.channel).sort()).toEqual(["portal", "wechat"]);
    for (const f of findings) {
      expect(f).toMatchObject({ kind: "not_announced", expectedVersion: 1, repairable: false });
      expect(f.reason).toContain("is not on herald.items.v1");
      expect(f.reason).toContain("queued for the content service's relay");
    }
    expect(await api(`/api/v1/items/${held}/summary`)).toEqual({
      id: held,
      version: 1,
      channels: {
        portal: { state: "not_announced", version: 1 },
        wechat: { state: "not_announced", version: 1 },
      },
    });
    // Redelivery cannot announce it: an operator's problem at once, and no redelivery asked.
    const problem = reconciler.queries.problem(`portal/${held}`);
    expect(problem?.state).toBe("open");
    expect(problem?.finding.repairAttempts).toBe(0);
    expect(reconciler.queries.content?.()).toMatchObject({ ok: true, pending: 1, notAnnounced: 1 });
    // The item that did reach the stream is not affected.
    expect(reconciler.queries.findings().some((f) => f.itemId === announced)).toBe(false);
    const overview = await fetch(`http://127.0.0.1:${reconciler.httpPort}/`, {
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
    });
    expect(await overview.text()).toContain("未发布到消息流");

    content.relay.start();
    await waitFor(
      async () => {
        await reconciler.tick();
        return reconciler.queries.findings().every((f) => f.itemId !== held);
      },
      { timeoutMs: 20_000, intervalMs: 200, description: "the findings cleared once announced" },
    );
    expect(reconciler.queries.itemStatus(held)?.channels.map((c) => c.state)).toEqual([
      "pending",
      "pending",
    ]);
    expect(reconciler.queries.problem(`portal/${held}`)?.state).toBe("resolved");
    // The next poll no longer lists it.
    await waitFor(() => reconciler.queries.content?.()?.pending === 0, {
      description: "nothing pending on the content service",
    });
    expect(reconciler.queries.content?.()?.notAnnounced).toBe(0);
  }, 120_000);
});
