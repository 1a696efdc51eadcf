import type { ChannelAdapter } from "@herald/channel-kit";
import type { ContentService } from "@herald/content";
import { type HealthServer, startHealthServer } from "@herald/runtime";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import type { PortalService } from "../src";
import { newsItem, page, publish, startContent, startPortal, testLogger } from "./support";

const ns = useTestNamespace("portal-readiness");
let content: ContentService;
let portal: PortalService;
let health: HealthServer;
/** Item ids whose apply waits until the test lets it finish: a database or platform that hangs. */
const held = new Map<string, (() => void) | undefined>();

/** The portal's own adapter, with applies of held items waiting. */
function holding(adapter: ChannelAdapter): ChannelAdapter {
  return {
    ...adapter,
    policy: adapter.policy,
    async apply(state, ctx) {
      if (held.has(state.id)) await new Promise<void>((resolve) => held.set(state.id, resolve));
      return adapter.apply(state, ctx);
    },
  };
}

interface ReadyBody {
  status: string;
  checks: { portal: { ok: boolean; detail: string; consuming: { state: string } } };
}

async function readyz(): Promise<{ status: number; body: ReadyBody }> {
  const response = await fetch(`http://127.0.0.1:${health.port}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

beforeAll(async () => {
  content = await startContent(ns);
  portal = await startPortal(ns, content, {
    env: { CHANNEL_STALL_MS: "1000" },
    wrapAdapter: holding,
  });
  // The health endpoint as `herald up` and an orchestrator read it (runService wires the same).
  health = await startHealthServer({
    port: 0,
    logger: testLogger,
    checks: { portal: () => portal.ready() },
  });
  ns.beforeCleanup(() => health.close());
  await publish(content, newsItem("news-before", "停滞之前"));
  await waitFor(async () => (await page(portal, "/items/news-before")).status === 200, {
    description: "the first item served",
  });
});

describe("the portal's readiness", () => {
  it("is ready once the site is loaded, consuming normally", async () => {
    const ready = await waitFor(
      async () => {
        const r = await readyz();
        return r.body.checks.portal.consuming.state === "normal" ? r : undefined;
      },
      { description: "consuming normally" },
    );
    expect(ready.status).toBe(200);
    expect(ready.body.checks.portal.detail).toMatch(/^site loaded \(\d+ items\); consuming normal/);
  });

  it("stays ready and serves its pages while a hanging apply stalls consuming, which goes to stalled and back", async () => {
    held.set("news-stuck", undefined);
    await publish(content, newsItem("news-stuck", "卡住的条目"));
    const stalled = await waitFor(
      async () => {
        const r = await readyz();
        return r.body.checks.portal.consuming.state === "stalled" ? r : undefined;
      },
      { description: "the consuming state to go to stalled" },
    );
    expect(stalled.status).toBe(200);
    expect(stalled.body.status).toBe("ok");
    expect(stalled.body.checks.portal.detail).toMatch(/consuming stalled: no progress for \d+ s/);
    // Readers are served from memory meanwhile.
    expect((await page(portal, "/items/news-before")).status).toBe(200);
    expect((await page(portal, "/")).status).toBe(200);
    expect(portal.channel.metricsText()).toMatch(
      /herald_channel_consuming\{channel="portal",state="stalled"\} 1/,
    );

    const release = held.get("news-stuck");
    held.delete("news-stuck");
    release?.();
    await waitFor(async () => (await page(portal, "/items/news-stuck")).status === 200, {
      description: "the held item served once its apply finished",
    });
    await waitFor(async () => (await readyz()).body.checks.portal.consuming.state === "normal", {
      description: "consuming normally again",
    });
    expect((await readyz()).status).toBe(200);
  });
});
