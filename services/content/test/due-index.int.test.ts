import { createCalendar } from "@herald/calendar";
import { ItemStatus } from "@herald/contracts";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import mongoose, { type Connection, type mongo } from "mongoose";
import { ItemService } from "../src/domain/item-service";
import { Scheduler } from "../src/scheduler";
import type { ContentService } from "../src/service";
import { ItemStore } from "../src/store/item-store";
import { dueEntryId } from "../src/store/schedule-store";
import { api, startContent, testLogger, TopicReader, revisionOf } from "./support";

const ns = useTestNamespace("content-due-index");
const topic = new TopicReader(ns);
const running = new Set<ContentService>();
const connections: Connection[] = [];

/** An instance whose own scheduler stays out of the way after its first pass. */
async function start(env: Record<string, string> = {}): Promise<ContentService> {
  const service = await startContent(ns, {
    CONTENT_RELAY_LEASE_MS: "3000",
    CONTENT_SCHEDULER_INTERVAL_MS: "600000",
    ...env,
  });
  running.add(service);
  return service;
}

/** What the scheduler sent the database, command by command. */
interface Sent {
  name: string;
  collection: string;
  subject: unknown;
}

/**
 * A scheduler, item service and store as the service wires them, on a database
 * connection of their own whose commands the test sees.
 */
async function observedScheduler(): Promise<{
  scheduler: Scheduler;
  store: ItemStore;
  sent: Sent[];
}> {
  const connection = mongoose.createConnection(process.env.MONGO_URL!, {
    dbName: ns.dbName("content"),
    monitorCommands: true,
  });
  await connection.asPromise();
  connections.push(connection);
  const sent: Sent[] = [];
  connection.getClient().on("commandStarted", (event: mongo.CommandStartedEvent) => {
    const body = event.command as Record<string, unknown>;
    sent.push({
      name: event.commandName,
      collection: String(body[event.commandName]),
      // What a command reads or writes: a filter, or the ids of the documents it inserts.
      subject:
        body.filter ??
        body.deletes ??
        body.updates ??
        (body.documents as Array<{ _id: unknown }> | undefined)?.map((d) => d._id) ??
        null,
    });
  });
  const store = new ItemStore(connection);
  // Mongoose builds each model's collection and indexes in the background; let that
  // finish, so only what the scheduler itself sends is counted.
  await Promise.all(Object.values(connection.models).map((model) => model.init()));
  await store.loadSchedule();
  const items = new ItemService({
    store,
    calendar: createCalendar(),
    deadlineRules: {
      interpretationWorkingDays: 3,
      decisionWorkingDays: 7,
      proactiveWorkingDays: 20,
      revokedPenaltyTakedownWorkingDays: 3,
      urgentHours: 5,
    },
    fourEyes: () => true,
    reviewIntervalDays: 365,
    onEvents: () => undefined,
  });
  const scheduler = new Scheduler({
    store,
    items,
    logger: testLogger,
    intervalMs: 600_000,
    reloadMs: 600_000,
  });
  return { scheduler, store, sent };
}

beforeAll(() => topic.start());
ns.beforeCleanup(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  await Promise.all(connections.map((c) => c.close()));
  await topic.stop();
});

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

async function publish(service: ContentService, title: string, extra = {}): Promise<string> {
  const response = await api(service, "POST", "/publish", "admin", {
    kind: "notice",
    disclosure: "proactive",
    title,
    body: `<p>${title}</p>`,
    ...extra,
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

describe("the scheduler's due index", () => {
  it("reads nothing while nothing is due, and only the due item when one is", async () => {
    const service = await start();
    for (let i = 0; i < 40; i++) await publish(service, `已发布通知 ${i}`);
    const expiresAt = inSeconds(6);
    const expiring = await publish(service, "到期通知：临时交通管制", { dates: { expiresAt } });
    const { scheduler, sent } = await observedScheduler();

    sent.length = 0;
    expect(await scheduler.runOnce()).toBe(0);
    expect(sent).toEqual([]);

    await waitFor(async () => (await scheduler.runOnce()) === 1, {
      description: "the scheduler to expire the item",
    });
    const state = await topic.waitFor(expiring, 2);
    expect(state.status).toBe(ItemStatus.ITEM_STATUS_EXPIRED);
    const audit = (await api(service, "GET", `/items/${expiring}/audit`, "admin")).body
      .audit as Array<{ action: string; at: string }>;
    const expired = audit.filter((x) => x.action === "expire");
    expect(expired).toHaveLength(1);
    expect(Date.parse(expired[0]!.at)).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    // The items and their journal were read and written by the due item's `_id` only.
    const touched = sent.filter((s) => ["items", "item_revisions"].includes(s.collection));
    expect(touched.length).toBeGreaterThan(0);
    for (const command of touched) expect(JSON.stringify(command.subject)).toContain(expiring);
    expect(
      touched.filter((s) => s.name === "find" && s.collection === "items").map((s) => s.subject),
    ).toEqual(expect.arrayContaining([{ _id: expiring }]));

    // Nothing is due any more: the next pass reads nothing again.
    sent.length = 0;
    expect(await scheduler.runOnce()).toBe(0);
    expect(sent).toEqual([]);
  });

  it("removes entries no stored revision stands for, and keeps a write's in flight", async () => {
    const service = await start();
    const id = await publish(service, "已发布通知：无到期时间");
    const { store: direct } = await observedScheduler();
    const past = new Date(Date.now() - 60_000);
    const entry = (revision: number, dueAt: Date, at: Date) => ({
      _id: dueEntryId(id, revision, dueAt),
      itemId: id,
      revision,
      dueAt,
      at,
    });
    const planted = {
      // A writer that died between its entry and its revision, three minutes ago.
      died: entry(2, past, new Date(Date.now() - 180_000)),
      // A writer whose revision is about to be stored.
      inFlight: entry(3, past, new Date()),
      // A writer that lost the claim of the current revision to one without a due time.
      lost: entry(1, past, past),
    };
    await direct.schedule.entries.collection.insertMany(Object.values(planted) as never[]);
    const { scheduler, store } = await observedScheduler();
    expect(
      store.schedule
        .due(new Date(), 10)
        .map((e) => e._id)
        .sort(),
    ).toEqual(
      Object.values(planted)
        .map((e) => e._id)
        .sort(),
    );

    expect(await scheduler.runOnce()).toBe(0);
    const left = await store.schedule.entries.find({ itemId: id }).lean();
    expect(left.map((e) => e._id)).toEqual([planted.inFlight._id]);
    expect(store.schedule.due(new Date(), 10).map((e) => e._id)).toEqual([planted.inFlight._id]);
    // The item itself is as it was: nothing ran.
    expect((await store.get(id)).revision).toBe(1);
  });

  it("indexes what was scheduled before the index existed, once", async () => {
    const service = await start();
    const id = await publish(service, "定时发布：旧数据库中的计划", {});
    const draft = await api(service, "PATCH", `/items/${id}`, "admin", {
      title: "定时发布：新版本",
    });
    expect(draft.status).toBe(200);
    await api(service, "POST", `/items/${id}/submit`, "admin", {});
    expect(
      (
        await api(service, "POST", `/items/${id}/approve`, "carol", {
          revision: await revisionOf(service, id),
        })
      ).status,
    ).toBe(200);
    // Taken just before the request, with room: on a loaded machine the edits above
    // can outlast a shorter lead, and a time already past is refused.
    const publishAt = inSeconds(5);
    const scheduled = await api(service, "POST", `/items/${id}/schedule`, "admin", { publishAt });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.item!.status).toBe("scheduled");
    // A database from before the index: every entry and the mark that heads were indexed gone.
    const { store: direct } = await observedScheduler();
    await direct.schedule.entries.collection.deleteMany({});

    const { scheduler, store } = await observedScheduler();
    expect(store.schedule.due(new Date(Date.parse(publishAt)), 10).map((e) => e.itemId)).toEqual([
      id,
    ]);
    await waitFor(async () => (await scheduler.runOnce()) === 1, {
      description: "the scheduler to publish the item",
      timeoutMs: 30_000,
    });
    expect((await topic.waitFor(id, 2)).status).toBe(ItemStatus.ITEM_STATUS_PUBLISHED);
    // The heads are scanned only once per database: a later load reads the index alone.
    const { sent, store: later } = await observedScheduler();
    expect(sent.filter((s) => s.collection === "items" && s.name !== "create")).toEqual([]);
    expect(later.schedule.size).toBe(0);
  });

  it("learns what other instances scheduled, reading the index again only then", async () => {
    const service = await start();
    const { store, sent } = await observedScheduler();
    sent.length = 0;
    expect(await store.schedule.refresh()).toBe(false);
    expect(sent.map((s) => [s.collection, s.subject])).toEqual([["schedule", { _id: "~changed" }]]);

    const expiresAt = inSeconds(60);
    const id = await publish(service, "到期通知：另一实例写入", { dates: { expiresAt } });
    expect(store.schedule.due(new Date(expiresAt), 100).map((e) => e.itemId)).not.toContain(id);
    expect(await store.schedule.refresh()).toBe(true);
    expect(store.schedule.due(new Date(expiresAt), 100).map((e) => e.itemId)).toContain(id);
    expect(await store.schedule.refresh()).toBe(false);
  });
});
