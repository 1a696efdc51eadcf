import { ItemStatus } from "@herald/contracts";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import mongoose from "mongoose";
import type { ContentService } from "../src/service";
import { api, startContent, TopicReader } from "./support";

const ns = useTestNamespace("content-outbox");
const topic = new TopicReader(ns);
const connection = mongoose.createConnection(testStack().mongoUrl, {
  dbName: ns.dbName("content"),
});
const db = () => connection.db!;
const running: ContentService[] = [];

async function start(env: Record<string, string> = {}): Promise<ContentService> {
  const service = await startContent(ns, { CONTENT_RELAY_LEASE_MS: "1000", ...env });
  running.push(service);
  return service;
}

async function stop(service: ContentService): Promise<void> {
  running.splice(running.indexOf(service), 1);
  await service.stop();
}

beforeAll(async () => {
  await connection.asPromise();
  await topic.start();
});
ns.beforeCleanup(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await topic.stop();
  await connection.close();
});

const news = (title: string) => ({ kind: "news", title, body: `<p>${title}</p>` });

/** Versions of an item in topic order. */
const versionsOf = (id: string) => topic.of(id).map((s) => s.version);

describe("the outbox", () => {
  it("loses nothing when the service dies between the write and the produce", async () => {
    const first = await start();
    // The relay is down: what the API accepts stays in the outbox.
    await first.relay.stop();
    const published = await api(first, "POST", "/publish", "admin", news("崩溃前写入"));
    expect(published.status).toBe(201);
    const id = published.body.id as string;
    // A second item whose writer died after the journal insert, before the head.
    const orphan = await api(first, "POST", "/publish", "admin", news("只写了日志"));
    const orphanId = orphan.body.id as string;
    await db()
      .collection("items")
      .deleteOne({ _id: orphanId } as never);
    await stop(first);
    expect(versionsOf(id)).toEqual([]);

    const second = await start();
    await topic.waitFor(id, 1);
    await topic.waitFor(orphanId, 1);
    expect(versionsOf(id)).toEqual([1]);
    expect(versionsOf(orphanId)).toEqual([1]);
    // The head was rolled forward from the journal.
    const head = await db()
      .collection("items")
      .findOne({ _id: orphanId } as never);
    expect(head?.revision).toBe(1);
    const item = await api(second, "GET", `/items/${orphanId}`, "alice");
    expect(item.body.status).toBe("published");
    await waitFor(async () => (await db().collection("outbox").countDocuments({})) === 0);
    await stop(second);
  });

  it("sends an event again if the service died after the produce, and the copy is identical", async () => {
    const first = await start();
    const published = await api(first, "POST", "/publish", "admin", news("已发送未确认"));
    const id = published.body.id as string;
    await topic.waitFor(id, 1);
    await stop(first);
    // As if the relay died after sending, before deleting the outbox marker.
    await db()
      .collection("outbox")
      .insertOne({ _id: `${id}#1`, itemId: id, revision: 1, at: new Date() } as never);

    const second = await start();
    await waitFor(() => topic.of(id).length === 2, { description: "the resend" });
    const [a, b] = topic.of(id);
    expect(b).toEqual(a);
    await stop(second);
  });

  it("with two instances relaying, never puts an older version after a newer one", async () => {
    const a = await start();
    const b = await start();
    const ids: string[] = [];
    // Both instances take writes; versions 1..3 of each item alternate between them.
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const [first, second] = i % 2 ? [a, b] : [b, a];
        const created = await api(first, "POST", "/publish", "admin", news(`双实例 ${i} v1`));
        expect(created.status).toBe(201);
        const id = created.body.id as string;
        ids.push(id);
        for (const [service, version] of [
          [second, 2],
          [first, 3],
        ] as const) {
          const edited = await api(service, "PATCH", `/items/${id}`, "admin", {
            title: `双实例 ${i} v${version}`,
          });
          expect(edited.status).toBe(200);
          const out = await api(service, "POST", `/items/${id}/publish`, "admin", { direct: true });
          expect(out.status).toBe(200);
        }
      }),
    );
    // The leader stops half-way through: the other takes the lease over and relays the rest.
    const leader = a.relay.status().leader ? a : b;
    const other = leader === a ? b : a;
    await stop(leader);
    const late = await api(other, "POST", "/publish", "admin", news("接管后发布"));
    ids.push(late.body.id as string);

    for (const id of ids) await topic.waitFor(id, id === late.body.id ? 1 : 3);
    expect(other.relay.status().leader).toBe(true);
    for (const id of ids.slice(0, 20)) {
      const versions = versionsOf(id);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(versions.at(-1)).toBe(3);
      expect(topic.of(id).at(-1)!.title).toMatch(/ v3$/);
      expect(topic.of(id).at(-1)!.status).toBe(ItemStatus.ITEM_STATUS_PUBLISHED);
    }
    await stop(other);
  });
});
