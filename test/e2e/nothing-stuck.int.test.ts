/**
 * Nothing accepted is ever stuck, end to end: content, a channel on channel-kit
 * and the reconciler watching the content service, on the real stack.
 *
 * - The outsider's sequence: an item too large for the topic is refused at the
 *   API and nothing is stored; five normal items and a takedown of one then reach
 *   the channel, the removal within 5 s of the request, while the content
 *   service's /readyz answers 200 with a healthy relay the whole time.
 * - An item made unsendable behind the API's back (the topic's limit lowered): it
 *   is set aside with its reason, the reconciler shows it not announced with the
 *   content service's reason (its API, `herald reconcile`), other items keep
 *   reaching the channel, and once the limit is back and a retry is asked for
 *   (`herald announce`) the channel holds it and the finding is gone.
 */
import { MAX_MESSAGE_BYTES, type ItemState, Topics } from "@herald/contracts";
import { RecordingChannel } from "@herald/channel-kit/testing";
import { createLogger, type HealthServer, startHealthServer } from "@herald/runtime";
import { heraldAsync, useTestNamespace, waitFor } from "@herald/test-harness";
import { setCompactedTopicLimit } from "@herald/test-harness/topics";
import { type HeraldServices, startHeraldServices } from "@herald/test-harness/services";

const ns = useTestNamespace("nothing-stuck");
const logger = createLogger({ service: "e2e", level: "silent" });
const ITEMS_TOPIC = `${ns.topicPrefix}${Topics.items.name}`;
/** A limit the test lowers the items topic to, far under what the API allows. */
const LOWERED_LIMIT = 50_000;

/** The recording channel, noting when each item was applied and removed. */
class TimedRecorder extends RecordingChannel {
  readonly appliedAt = new Map<string, number>();
  readonly removedAt = new Map<string, number>();

  override async apply(state: ItemState) {
    const result = await super.apply(state);
    this.appliedAt.set(`${state.id}@${state.version}`, Date.now());
    return result;
  }

  override async remove(state: ItemState) {
    await super.remove(state);
    this.removedAt.set(state.id, Date.now());
  }
}

const recorder = new TimedRecorder({ name: "recorder", keepsWithdrawn: true });
let services: HeraldServices;
let health: HealthServer;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function contentApi(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${services.contentUrl}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${services.tokens.admin}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function publish(title: string, body = `<p>${title}。</p>`, id?: string): Promise<Answer> {
  return contentApi("POST", "/publish", {
    ...(id ? { id } : {}),
    kind: "news",
    disclosure: "proactive",
    title,
    summary: "政务公开",
    body,
    category: "news",
  });
}

async function published(title: string, body?: string): Promise<string> {
  const answer = await publish(title, body);
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

/** What an operator reads from the reconciler's API. */
async function reconcilerApi<T>(path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${services.reconciler.httpPort}/api/v1${path}`, {
    headers: { authorization: `Bearer ${services.tokens.operator}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

interface FindingJson {
  itemId: string;
  channel: string;
  kind: string;
  reason: string;
  repairable: boolean;
  expectedVersion: number;
}

interface SummaryJson {
  id: string;
  version: number;
  channels: Record<string, { state: string; version: number }>;
}

interface ReadyzJson {
  status: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

async function readyz(): Promise<{ status: number; body: ReadyzJson }> {
  const response = await fetch(`http://127.0.0.1:${health.port}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadyzJson };
}

/**
 * Reads /readyz over and over until stopped, keeping every answer that was not
 * 200 with a relay leading and nothing set aside.
 */
function watchReadiness() {
  const unhealthy: string[] = [];
  let reads = 0;
  let stopped = false;
  const watching = waitFor(
    async () => {
      const { status, body } = await readyz();
      reads += 1;
      const detail = body.checks.content?.detail ?? "";
      if (status !== 200 || detail !== "relay leading") unhealthy.push(`${status} ${detail}`);
      return stopped;
    },
    { timeoutMs: 120_000, intervalMs: 50, description: "the readiness watch to be stopped" },
  );
  return {
    async stop() {
      stopped = true;
      await watching;
      return { reads, unhealthy };
    },
  };
}

const setTopicLimit = (bytes: number) => setCompactedTopicLimit(ITEMS_TOPIC, bytes);

function cli(args: string[]) {
  return heraldAsync(args, services.cliEnv());
}

function figure(what: string, ms: number): void {
  process.stdout.write(`${what}: ${ms} ms\n`);
}

beforeAll(async () => {
  services = await startHeraldServices(ns, {
    logger,
    // A set-aside item waits for an operator's retry here, not the relay's own.
    content: { env: { CONTENT_RELAY_RETRY_MS: "600000" } },
    channels: [{ adapter: recorder }],
    reconciler: {
      followContent: true,
      env: {
        RECONCILER_ANNOUNCE_GRACE_MS: "2000",
        RECONCILER_ANNOUNCE_POLL_MS: "200",
        RECONCILER_GRACE_MS: "2000",
      },
    },
  });
  // /readyz as the content process serves it (runService), on the service in this process.
  health = await startHealthServer({
    port: 0,
    logger,
    checks: { content: () => services.content.ready() },
  });
  ns.beforeCleanup(() => health.close());
}, 120_000);

describe("nothing accepted is ever stuck", () => {
  it("refuses the outsider's item at the API, then delivers five items and removes one within 5 s, the relay ready throughout", async () => {
    const readiness = watchReadiness();
    const tooLargeId = `outsider-${ns.id}`;
    // About 5.7 MB in UTF-8: under the API's JSON limit, over the largest message.
    const refused = await publish("外部超大条目", `<p>${"关".repeat(1_900_000)}</p>`, tooLargeId);
    expect(refused.status).toBe(413);
    expect(refused.body.violations).toEqual([
      expect.objectContaining({ field: "body", rule: "size.max-message" }),
    ]);
    expect((await contentApi("GET", `/items/${tooLargeId}`)).status).toBe(404);

    const started = Date.now();
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push(await published(`外部之后第${i}条`));
    const [takenDown] = ids as [string];
    await waitFor(() => recorder.appliedAt.has(`${takenDown}@1`), {
      timeoutMs: 10_000,
      description: "the item to take down delivered first",
    });
    const requestedAt = Date.now();
    const takedown = await contentApi("POST", `/items/${takenDown}/takedown`, {
      mode: "removed",
      reason: "外部测试撤下",
    });
    expect(takedown.status).toBe(200);
    const removedAt = await waitFor(() => recorder.removedAt.get(takenDown), {
      timeoutMs: 10_000,
      intervalMs: 10,
      description: "the taken-down item removed from the channel",
    });
    await waitFor(() => ids.every((id) => recorder.appliedAt.has(`${id}@1`)), {
      timeoutMs: 10_000,
      description: "the five items delivered on the channel",
    });
    const takedownToRemoved = removedAt - requestedAt;
    figure("takedown request → removed on the channel", takedownToRemoved);
    const lastDelivered = Math.max(...ids.map((id) => recorder.appliedAt.get(`${id}@1`)!));
    figure("first publish → the fifth delivered on the channel", lastDelivered - started);
    expect(lastDelivered - started).toBeLessThan(5_000);
    expect(takedownToRemoved).toBeLessThan(5_000);
    expect(recorder.shown.has(takenDown)).toBe(false);
    for (const id of ids.slice(1)) expect(recorder.shown.get(id)?.version).toBe(1);

    const { reads, unhealthy } = await readiness.stop();
    expect(reads).toBeGreaterThan(1);
    expect(unhealthy).toEqual([]);

    // The reconciler agrees: delivered, and the taken-down one removed.
    for (const id of ids) {
      const expected = id === takenDown ? "removed" : "delivered";
      await waitFor(
        async () =>
          (await reconcilerApi<SummaryJson>(`/items/${id}/summary`)).channels.recorder?.state ===
          expected,
        { timeoutMs: 15_000, intervalMs: 200, description: `${id} ${expected} on the reconciler` },
      );
    }
  }, 90_000);

  it("sets aside an item the topic refuses behind the API's back, shows it not announced with the reason, and delivers it after the cause is fixed and a retry is asked for", async () => {
    await setTopicLimit(LOWERED_LIMIT);
    try {
      // About 90 KB: over the lowered limit, far under the real one, so the API accepts it.
      const big = await published("限制降低后的大条目", `<p>${"关".repeat(30_000)}</p>`);
      const relayOf = async () =>
        (await contentApi("GET", `/items/${big}`)).body.relay as {
          state: string;
          reason?: string;
        } | null;
      const aside = await waitFor(
        async () => {
          const relay = await relayOf();
          return relay?.state === "set-aside" ? relay : undefined;
        },
        { timeoutMs: 15_000, description: "the large item set aside" },
      );
      expect(aside.reason).toMatch(/MESSAGE_TOO_LARGE/);
      // Set aside is the item's problem, not the service's: still ready, and saying so
      // (the relay counts what is set aside at the start of its next pass).
      const ready = await waitFor(
        async () => {
          const answer = await readyz();
          return /1 item\(s\) set aside/.test(answer.body.checks.content?.detail ?? "")
            ? answer
            : undefined;
        },
        { timeoutMs: 5_000, description: "/readyz naming the set-aside item" },
      );
      expect(ready.status).toBe(200);

      // Other items keep reaching the channel meanwhile.
      const later = await published("搁置期间发布的条目");
      await waitFor(() => recorder.shown.get(later)?.version === 1, {
        timeoutMs: 10_000,
        description: "an item published meanwhile delivered",
      });

      const finding = await waitFor(
        async () =>
          (await reconcilerApi<FindingJson[]>("/findings?channel=recorder")).find(
            (f) => f.itemId === big && f.kind === "not_announced",
          ),
        { timeoutMs: 20_000, intervalMs: 200, description: "a not_announced finding" },
      );
      expect(finding).toMatchObject({ expectedVersion: 1, repairable: false });
      expect(finding.reason).toContain("is not on herald.items.v1");
      expect(finding.reason).toContain("the content service set it aside");
      expect(finding.reason).toMatch(/MESSAGE_TOO_LARGE/);
      expect(await reconcilerApi<SummaryJson>(`/items/${big}/summary`)).toEqual({
        id: big,
        version: 1,
        channels: { recorder: { state: "not_announced", version: 1 } },
      });
      expect(recorder.shown.has(big)).toBe(false);

      const report = await cli(["reconcile", "--json"]);
      expect({ status: report.status, stderr: report.stderr }).toEqual({ status: 0, stderr: "" });
      const audited = JSON.parse(report.stdout) as { findings: FindingJson[] };
      expect(audited.findings.filter((f) => f.itemId === big)).toEqual([
        expect.objectContaining({
          channel: "recorder",
          kind: "not_announced",
          reason: expect.stringMatching(/set it aside: .*MESSAGE_TOO_LARGE/),
        }),
      ]);
      expect(audited.findings.some((f) => f.itemId === later)).toBe(false);

      // The cause fixed, an operator asks for the retry.
      await setTopicLimit(MAX_MESSAGE_BYTES);
      const askedAt = Date.now();
      const announced = await cli(["announce", big]);
      expect({ status: announced.status, stderr: announced.stderr }).toEqual({
        status: 0,
        stderr: "",
      });
      expect(announced.stdout).toContain(`${big}: version 1 asked for`);
      figure("herald announce ran for", Date.now() - askedAt);
      await waitFor(() => recorder.shown.get(big)?.version === 1, {
        timeoutMs: 15_000,
        description: "the retried item delivered on the channel",
      });
      figure(
        "retry asked → delivered on the channel",
        recorder.appliedAt.get(`${big}@1`)! - askedAt,
      );
      await waitFor(
        async () =>
          (await reconcilerApi<FindingJson[]>("/findings?channel=recorder")).every(
            (f) => f.itemId !== big,
          ),
        { timeoutMs: 20_000, intervalMs: 200, description: "the finding gone" },
      );
      await waitFor(
        async () =>
          (await reconcilerApi<SummaryJson>(`/items/${big}/summary`)).channels.recorder?.state ===
          "delivered",
        { timeoutMs: 15_000, intervalMs: 200, description: "delivered on the reconciler" },
      );
      expect((await relayOf())?.state).toBe("announced");
      expect(recorder.applies(big)).toEqual([1]);
    } finally {
      await setTopicLimit(MAX_MESSAGE_BYTES);
    }
  }, 120_000);
});
