import {
  AnnouncementState,
  ContentServiceClient,
  type ListAnnouncementsRequest,
  type ListAnnouncementsResponse,
} from "@herald/contracts";
import { testStack, useTestNamespace } from "@herald/test-harness";
import * as grpc from "@grpc/grpc-js";
import mongoose from "mongoose";
import type { ContentService } from "../src/service";
import { api, startContent, tokenOf, TopicReader, type User } from "./support";

const ns = useTestNamespace("content-announcements");
const topic = new TopicReader(ns);
const connection = mongoose.createConnection(testStack().mongoUrl, {
  dbName: ns.dbName("content"),
});
let content: ContentService;
let client: ContentServiceClient;

beforeAll(async () => {
  await connection.asPromise();
  content = await startContent(ns);
  await topic.start();
  client = new ContentServiceClient(
    `127.0.0.1:${content.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
});
ns.beforeCleanup(async () => {
  client.close();
  await topic.stop();
  await content.stop();
  await connection.close();
});

function list(
  request: Partial<ListAnnouncementsRequest>,
  as: User | null = "channel-reader",
): Promise<{ response?: ListAnnouncementsResponse; error?: grpc.ServiceError }> {
  const metadata = new grpc.Metadata();
  if (as) metadata.set("authorization", `Bearer ${tokenOf(as)}`);
  return new Promise((resolve) => {
    client.listAnnouncements(
      { pageSize: 0, pageToken: "", ...request },
      metadata,
      (error, response) => resolve(error ? { error } : { response }),
    );
  });
}

/** Every page of a listing, in order. */
async function listAll(request: Partial<ListAnnouncementsRequest>) {
  const all: ListAnnouncementsResponse["announcements"] = [];
  const readiness: ListAnnouncementsResponse["readiness"][] = [];
  let pageToken = "";
  let pages = 0;
  do {
    const { response, error } = await list({ ...request, pageToken });
    if (error) throw error;
    all.push(...response!.announcements);
    readiness.push(response!.readiness);
    pageToken = response!.nextPageToken;
    pages += 1;
  } while (pageToken);
  return { all, pages, readiness };
}

const news = (title: string) => ({ kind: "news", title, body: `<p>${title}</p>` });

async function publish(title: string): Promise<{ id: string; checksum: string }> {
  const result = await api(content, "POST", "/publish", "admin", news(title));
  expect(result.status).toBe(201);
  const item = result.body.item as { current: { checksum: string } };
  return { id: result.body.id as string, checksum: item.current.checksum };
}

describe("ListAnnouncements", () => {
  it("lists what waits to be announced, what was set aside and, since a time, what was announced", async () => {
    const before = new Date();
    const sent = await publish("已播报");
    await topic.waitFor(sent.id, 1);
    const later = await publish("已播报（稍后）");
    await topic.waitFor(later.id, 1);

    // With the relay stopped, what is accepted waits in the outbox.
    await content.relay.stop();
    const queued = await publish("排队中");
    const takenDown = await api(content, "POST", `/items/${sent.id}/takedown`, "admin", {
      mode: "removed",
      reason: "误发",
    });
    expect(takenDown.status).toBe(200);
    const aside = await publish("被搁置");
    // As the relay records an item it could not send: its own document, its markers gone.
    const setAsideAt = new Date();
    await connection.collection("outbox_aside").insertOne({
      _id: aside.id,
      revision: 1,
      version: 1,
      reason: "the broker refused the message as too large (MESSAGE_TOO_LARGE)",
      setAsideAt,
      attempts: 1,
      retryAt: new Date(Date.now() + 3_600_000),
    } as never);
    await connection.collection("outbox").deleteMany({ itemId: aside.id });

    const pending = await list({});
    expect(pending.error).toBeUndefined();
    const byId = new Map(pending.response!.announcements.map((a) => [a.itemId, a]));
    expect([...byId.keys()].sort()).toEqual([queued.id, sent.id, aside.id].sort());
    expect(byId.get(queued.id)).toMatchObject({
      version: 1,
      checksum: queued.checksum,
      state: AnnouncementState.ANNOUNCEMENT_STATE_QUEUED,
      reason: "",
    });
    // The takedown is the version channels must act on.
    expect(byId.get(sent.id)).toMatchObject({
      version: 2,
      state: AnnouncementState.ANNOUNCEMENT_STATE_QUEUED,
    });
    expect(byId.get(aside.id)).toMatchObject({
      version: 1,
      checksum: aside.checksum,
      state: AnnouncementState.ANNOUNCEMENT_STATE_SET_ASIDE,
      reason: "the broker refused the message as too large (MESSAGE_TOO_LARGE)",
      stateSince: setAsideAt,
    });
    for (const a of byId.values()) {
      expect(a.acceptedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
      expect(a.stateSince!.getTime()).toBeGreaterThanOrEqual(a.acceptedAt!.getTime() - 1000);
    }
    expect(pending.response!.nextPageToken).toBe("");
    // The service's own readiness comes with the first page, as /readyz says it: a
    // set-aside item is the item's problem, listed above, never the service's.
    expect(pending.response!.readiness).toEqual({
      ready: true,
      detail: expect.stringMatching(/^relay (leading|standing by)/),
    });

    // Since a time, the announced ones too, each once, over small pages.
    const { all, pages, readiness } = await listAll({ updatedSince: before, pageSize: 2 });
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(readiness[0]?.ready).toBe(true);
    expect(readiness.slice(1)).toEqual(readiness.slice(1).map(() => undefined));
    expect(all.map((a) => a.itemId).sort()).toEqual(
      [queued.id, sent.id, aside.id, later.id].sort(),
    );
    expect(all.find((a) => a.itemId === later.id)).toMatchObject({
      version: 1,
      checksum: later.checksum,
      state: AnnouncementState.ANNOUNCEMENT_STATE_ANNOUNCED,
    });
    // After the newest change, nothing announced is listed; the pending ones still are.
    const none = await listAll({ updatedSince: new Date(Date.now() + 60_000) });
    expect(none.all.map((a) => a.itemId).sort()).toEqual([queued.id, sent.id, aside.id].sort());
  });

  it("is for callers that may read public states, and names a bad page token", async () => {
    const anonymous = await list({}, null);
    expect(anonymous.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const bad = await list({ pageToken: "not-a-token" });
    expect(bad.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.error?.details).toMatch(/page_token/);
  });
});
