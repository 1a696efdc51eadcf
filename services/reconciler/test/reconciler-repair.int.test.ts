/**
 * Repair and its cap on the real stack: a channel that keeps failing is asked
 * again with backoff, then becomes an operator's problem; a rejected version is a
 * problem at once; operators acknowledge, force a redelivery and resolve, and
 * every action is kept with who and when.
 */
import { RecordingChannel } from "@herald/channel-kit/testing";
import { createLogger } from "@herald/runtime";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import { type ContentService, startHeraldServices } from "@herald/test-harness/services";
import type { Problem } from "../src/model";
import type { ReconcilerService } from "../src/service";
import { TEST_OPERATOR_TOKEN } from "../src/testing";

const ns = useTestNamespace("reconciler-repair");
const logger = createLogger({ service: "reconciler-test", level: "silent" });
const ADMIN = "repair-admin-token";
const CHANNEL_TOKEN = "repair-channel-token";
const INVENTORY = "repair-inventory-token";
const CAP = 2;
let content: ContentService;
let recorder: RecordingChannel;
let reconciler: ReconcilerService;

async function publish(id: string, title: string): Promise<string> {
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
  return ((await response.json()) as { id: string }).id;
}

async function operate(path: string, body: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${reconciler.httpPort}/api/v1/problems/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function problemOf(id: string): Promise<Problem> {
  return waitFor(
    async () => {
      await reconciler.tick();
      return reconciler.queries.problem(`recorder/${id}`);
    },
    { timeoutMs: 30_000, intervalMs: 200, description: `a problem for ${id}` },
  );
}

beforeAll(async () => {
  recorder = new RecordingChannel({ name: "recorder" });
  ({ content, reconciler } = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, channel: CHANNEL_TOKEN, inventory: INVENTORY },
    // The runtime's own retries give up quickly, so the reconciler's repair is what is tested.
    channels: [{ adapter: recorder, env: { CHANNEL_RETRY_DEFERRED: "0" } }],
    reconciler: { env: { RECONCILER_REPAIR_CAP: String(CAP) } },
  }));
}, 120_000);

describe("repair", () => {
  it("redelivers a failing item up to the cap, then opens a problem with the channel's error", async () => {
    const id = `failing-${ns.id}`;
    recorder.failing.set(id, 1_000);
    await publish(id, "一直失败的通知");
    const problem = await problemOf(id);
    expect(problem.state).toBe("open");
    expect(problem.finding).toMatchObject({
      kind: "failed",
      code: "recorder.busy",
      repairAttempts: CAP,
    });
    expect(problem.finding.reason).toContain("platform busy");
    // The channel was asked again: the first apply, its inline retries, and CAP redeliveries.
    await waitFor(() => recorder.applies(id).length >= 3 * (CAP + 1), {
      description: "every redelivery applied",
    });
    const timeline = await reconciler.queries.timeline(id);
    expect(timeline.filter((e) => e.type === "redelivery")).toHaveLength(CAP);
    expect(timeline.some((e) => e.type === "problem")).toBe(true);

    // An operator acknowledges it, fixes the channel and forces a redelivery: the problem clears itself.
    const acknowledged = await operate(`recorder/${id}/acknowledge`, { note: "平台维护中" });
    expect(acknowledged.status).toBe(200);
    expect(((await acknowledged.json()) as Problem).state).toBe("acknowledged");
    recorder.failing.delete(id);
    const forced = await operate(`recorder/${id}/redeliver`, { note: "平台已恢复" });
    expect(forced.status).toBe(200);
    const cleared = await waitFor(
      async () => {
        await reconciler.tick();
        const p = reconciler.queries.problem(`recorder/${id}`);
        return p?.state === "resolved" ? p : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: "the problem clearing" },
    );
    expect(cleared.actions.map((a) => [a.action, a.by])).toEqual([
      ["opened", "reconciler"],
      ["acknowledged", "test-operator"],
      ["redelivery_forced", "test-operator"],
      ["cleared", "reconciler"],
    ]);
    expect(cleared.actions.every((a) => a.at instanceof Date)).toBe(true);
    const status = reconciler.queries
      .itemStatus(id)
      ?.channels.find((c) => c.channel === "recorder");
    expect(status?.state).toBe("delivered");
  });

  it("opens a problem at once for a rejected version, and an operator resolves it with a note", async () => {
    const id = `refused-${ns.id}`;
    recorder.refusing.add(id);
    await publish(id, "被拒绝的通知");
    const problem = await problemOf(id);
    expect(problem.finding).toMatchObject({
      kind: "failed",
      code: "recorder.refused",
      repairable: false,
    });
    expect(problem.finding.repairAttempts).toBe(0);

    const noNote = await operate(`recorder/${id}/resolve`, {});
    expect(noNote.status).toBe(400);
    expect(JSON.stringify(await noNote.json())).toContain("note");
    const resolved = await operate(`recorder/${id}/resolve`, { note: "内容已更正，将重新发布" });
    expect(resolved.status).toBe(200);
    const body = (await resolved.json()) as Problem;
    expect(body.state).toBe("resolved");
    expect(body.actions.at(-1)).toMatchObject({
      action: "resolved",
      by: "test-operator",
      note: "内容已更正，将重新发布",
    });
    const unknown = await operate("recorder/no-such-item/acknowledge", {});
    expect(unknown.status).toBe(404);
  });
});
