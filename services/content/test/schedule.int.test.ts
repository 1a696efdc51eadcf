import { ItemStatus } from "@herald/contracts";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import type { ContentService } from "../src/service";
import { api, startContent, TopicReader, revisionOf } from "./support";

const ns = useTestNamespace("content-schedule");
const topic = new TopicReader(ns);
const running = new Set<ContentService>();

async function start(): Promise<ContentService> {
  // Instances read each other's due entries every 200 ms, so that both race for every item.
  const service = await startContent(ns, {
    CONTENT_RELAY_LEASE_MS: "3000",
    CONTENT_SCHEDULER_RELOAD_MS: "200",
  });
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
/** Waits, with no instance up, until a time has passed. */
const until = (iso: string) =>
  waitFor(() => Date.now() > Date.parse(iso), { description: `${iso} to pass` });

type AuditEntry = { action: string; actor: string; note: string; at: string };
async function auditOf(service: ContentService, id: string): Promise<AuditEntry[]> {
  return (await api(service, "GET", `/items/${id}/audit`, "alice")).body.audit as AuditEntry[];
}

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
  expect(
    (
      await api(service, "POST", `/items/${id}/approve`, "carol", {
        revision: await revisionOf(service, id),
      })
    ).status,
  ).toBe(200);
  return id;
}

describe("scheduled publication and expiry", () => {
  it("publishes and expires a scheduled item across restarts, once each", async () => {
    const first = await start();
    const expiresAt = inSeconds(6);
    const id = await approvedDraft(first, "定时发布：端午节假期通关安排", {
      dates: { expiresAt },
    });
    const publishAt = inSeconds(2);
    const scheduled = await api(first, "POST", `/items/${id}/schedule`, "alice", { publishAt });
    expect(scheduled.body.item!.status).toBe("scheduled");
    const past = await api(first, "POST", `/items/${id}/schedule`, "alice", {
      publishAt: "2020-01-01T00:00:00Z",
    });
    expect(past.body.violations?.[0]?.field).toBe("publishAt");
    await stop(first);
    expect(topic.of(id)).toEqual([]);

    // Nothing runs while no instance is up; the next one finds the item due.
    await until(publishAt);
    const second = await start();
    const state = await topic.waitFor(id, 1);
    expect(state.status).toBe(ItemStatus.ITEM_STATUS_PUBLISHED);
    const last = (await auditOf(second, id)).at(-1)!;
    expect(last).toMatchObject({ action: "publish-scheduled", actor: "scheduler" });
    expect(last.note).toContain("carol");
    expect(Date.parse(last.at)).toBeGreaterThanOrEqual(Date.parse(publishAt));
    await stop(second);

    // The expiry, written with the publication, is still there for a third instance.
    await until(expiresAt);
    const third = await start();
    expect((await topic.waitFor(id, 2)).status).toBe(ItemStatus.ITEM_STATUS_EXPIRED);
    const actions = (await auditOf(third, id)).map((x) => x.action);
    expect(actions.filter((x) => x === "publish-scheduled")).toHaveLength(1);
    expect(actions.filter((x) => x === "expire")).toHaveLength(1);
    await stop(third);
  });

  it("runs each due item once with several instances, and expires items on time", async () => {
    const a = await start();
    const b = await start();
    const ids: string[] = [];
    const times = new Map<string, { publishAt: string; expiresAt: string }>();
    for (let i = 0; i < 8; i++) {
      const expiresAt = inSeconds(8);
      const id = await approvedDraft(i % 2 ? a : b, `同时到期 ${i}`, { dates: { expiresAt } });
      // Taken after the draft's requests, which a loaded machine can make slow: a
      // time already past is refused.
      const publishAt = inSeconds(1);
      expect((await api(a, "POST", `/items/${id}/schedule`, "alice", { publishAt })).status).toBe(
        200,
      );
      times.set(id, { publishAt, expiresAt });
      ids.push(id);
    }
    for (const id of ids) {
      const expired = await topic.waitFor(id, 2, 30_000);
      expect(expired.status).toBe(ItemStatus.ITEM_STATUS_EXPIRED);
    }
    // Each item was published once and expired once, whichever instance ran it, not early.
    for (const id of ids) {
      const audit = await auditOf(a, id);
      const published = audit.filter((x) => x.action === "publish-scheduled");
      const expired = audit.filter((x) => x.action === "expire");
      expect(published).toHaveLength(1);
      expect(expired).toHaveLength(1);
      expect(Date.parse(published[0]!.at)).toBeGreaterThanOrEqual(
        Date.parse(times.get(id)!.publishAt),
      );
      expect(Date.parse(expired[0]!.at)).toBeGreaterThanOrEqual(
        Date.parse(times.get(id)!.expiresAt),
      );
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
