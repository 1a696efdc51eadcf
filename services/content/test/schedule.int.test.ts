import { ItemStatus } from "@herald/contracts";
import { useTestNamespace } from "@herald/test-harness";
import type { ContentService } from "../src/service";
import { api, startContent, TopicReader } from "./support";

const ns = useTestNamespace("content-schedule");
const topic = new TopicReader(ns);
const running = new Set<ContentService>();

async function start(): Promise<ContentService> {
  const service = await startContent(ns, { CONTENT_RELAY_LEASE_MS: "3000" });
  running.add(service);
  return service;
}
async function stop(service: ContentService): Promise<void> {
  running.delete(service);
  await service.stop();
}

beforeAll(() => topic.start());
ns.beforeCleanup(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  await topic.stop();
});

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

async function approvedDraft(service: ContentService, title: string, extra = {}): Promise<string> {
  const created = await api(service, "POST", "/items", "alice", {
    kind: "notice",
    title,
    body: `<p>${title}</p>`,
    ...extra,
  });
  expect(created.status).toBe(201);
  const id = created.body.item!.id as string;
  await api(service, "POST", `/items/${id}/submit`, "alice", {});
  expect((await api(service, "POST", `/items/${id}/approve`, "carol", {})).status).toBe(200);
  return id;
}

describe("scheduled publication and expiry", () => {
  it("publishes a scheduled item after a restart, once", async () => {
    const first = await start();
    const id = await approvedDraft(first, "定时发布：端午节假期通关安排");
    const scheduled = await api(first, "POST", `/items/${id}/schedule`, "alice", {
      publishAt: inSeconds(2),
    });
    expect(scheduled.body.item!.status).toBe("scheduled");
    const past = await api(first, "POST", `/items/${id}/schedule`, "alice", {
      publishAt: "2020-01-01T00:00:00Z",
    });
    expect(past.body.violations?.[0]?.field).toBe("publishAt");
    await stop(first);
    expect(topic.of(id)).toEqual([]);

    // Nothing runs while no instance is up; the next one finds the item due.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const second = await start();
    const state = await topic.waitFor(id, 1);
    expect(state.status).toBe(ItemStatus.ITEM_STATUS_PUBLISHED);
    const item = await api(second, "GET", `/items/${id}/audit`, "alice");
    const last = (item.body.audit as Array<{ action: string; actor: string; note: string }>).at(
      -1,
    )!;
    expect(last).toMatchObject({ action: "publish-scheduled", actor: "scheduler" });
    expect(last.note).toContain("carol");
    await stop(second);
  });

  it("runs each due item once with several instances, and expires items on time", async () => {
    const a = await start();
    const b = await start();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = await approvedDraft(i % 2 ? a : b, `同时到期 ${i}`, {
        dates: { expiresAt: inSeconds(4) },
      });
      await api(a, "POST", `/items/${id}/schedule`, "alice", { publishAt: inSeconds(1) });
      ids.push(id);
    }
    for (const id of ids) {
      const expired = await topic.waitFor(id, 2, 30_000);
      expect(expired.status).toBe(ItemStatus.ITEM_STATUS_EXPIRED);
    }
    // Each item was published once and expired once, whichever instance ran it.
    for (const id of ids) {
      const audit = await api(a, "GET", `/items/${id}/audit`, "alice");
      const actions = (audit.body.audit as Array<{ action: string }>).map((x) => x.action);
      expect(actions.filter((x) => x === "publish-scheduled")).toHaveLength(1);
      expect(actions.filter((x) => x === "expire")).toHaveLength(1);
    }
    // Versions only go up on the topic (a relay sends an item's newest version, so
    // a publication and an expiry that fall in one pass may arrive as the expiry alone).
    for (const id of ids) {
      const versions = topic.of(id).map((s) => s.version);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(versions.at(-1)).toBe(2);
    }
  });
});
