import {
  BadRequest,
  ContentServiceClient,
  Disclosure,
  type ItemDraft,
  ItemKind,
  MAX_ITEM_STATE_BYTES,
  RpcStatus,
} from "@herald/contracts";
import { testStack, useTestNamespace } from "@herald/test-harness";
import mongoose from "mongoose";
import * as grpc from "@grpc/grpc-js";
import { Partitioners } from "kafkajs";
import { MAX_DRAFT_STATE_BYTES } from "../src/domain/item-size";
import type { ContentService } from "../src/service";
import { api, startContent, tokenOf, TopicReader, revisionOf } from "./support";

const ns = useTestNamespace("content-size");
const topic = new TopicReader(ns);
let content: ContentService;
let client: ContentServiceClient;
const connection = mongoose.createConnection(testStack().mongoUrl, {
  dbName: ns.dbName("content"),
});

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
  await connection.close();
  client.close();
  await topic.stop();
  await content.stop();
});

/** A body of `chars` CJK characters: 3 bytes each in UTF-8, so within the character limit but not the byte one. */
const cjkBody = (chars: number) => `<p>${"关".repeat(chars)}</p>`;
const news = (title: string, body: string) => ({ kind: "news", title, body });

function grpcPublish(item: ItemDraft, update?: string) {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${tokenOf("channel-reader")}`);
  return new Promise<grpc.ServiceError | undefined>((resolve) => {
    const done = (error: grpc.ServiceError | null) => resolve(error ?? undefined);
    if (update) client.update({ id: update, item, expectedVersion: 0 }, metadata, done);
    else client.publish({ item }, metadata, done);
  });
}

function fieldViolations(error: grpc.ServiceError | undefined) {
  const details = error?.metadata.get("grpc-status-details-bin")[0];
  if (!Buffer.isBuffer(details)) return [];
  const badRequest = RpcStatus.decode(details).details.find((d) =>
    d.typeUrl.endsWith("google.rpc.BadRequest"),
  );
  return badRequest ? BadRequest.decode(badRequest.value).fieldViolations : [];
}

const draft = (title: string, bodyHtml: string): ItemDraft => ({
  id: "",
  kind: ItemKind.ITEM_KIND_NEWS,
  title,
  summary: "",
  bodyHtml,
  attachments: [],
  category: "",
  tags: [],
  disclosure: Disclosure.DISCLOSURE_PROACTIVE,
  issuingOffice: "",
  documentNumber: "",
  indexNumber: "",
  overrides: [],
  related: [],
  priority: 0,
});

/** Item ids kafkajs's default partitioner puts on one partition of the test topic (3 partitions). */
function idsOnOnePartition(count: number): string[] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) {
    const id = `near-limit-${ns.id}-${i}`;
    if (
      partitioner({ topic: "items", partitionMetadata, message: { key: id, value: null } }) === 0
    ) {
      ids.push(id);
    }
  }
  return ids;
}

describe("the size of an item", () => {
  it("refuses at the HTTP API, before storing anything, an item no channel could receive", async () => {
    const refused = await api(
      content,
      "POST",
      "/publish",
      "admin",
      news("超大正文", cjkBody(1_900_000)),
    );
    expect(refused.status).toBe(413);
    expect(refused.body.error).toBe("too_large");
    const [violation] = refused.body.violations as Array<Record<string, unknown>>;
    expect(violation).toMatchObject({
      field: "body",
      rule: "size.max-message",
      limit: MAX_DRAFT_STATE_BYTES,
    });
    expect(violation!.size).toBeGreaterThan(5_000_000);
    expect(violation!.message).toMatch(/bytes .* over the limit of \d+ bytes/);
    const listed = await api(content, "GET", "/items?q=超大正文", "admin");
    expect(listed.body.total).toBe(0);

    // A draft too large to be published one day is refused as well, when created or edited.
    const created = await api(
      content,
      "POST",
      "/items",
      "alice",
      news("大草稿", cjkBody(1_500_000)),
    );
    expect(created.status).toBe(413);
    const small = await api(content, "POST", "/items", "alice", news("小草稿", "<p>短</p>"));
    expect(small.status).toBe(201);
    const id = (small.body.item as { id: string }).id;
    const edited = await api(content, "PATCH", `/items/${id}`, "alice", {
      body: cjkBody(1_500_000),
    });
    expect(edited.status).toBe(413);
    expect(edited.body.violations![0]).toMatchObject({ field: "body", rule: "size.max-message" });
    const after = await api(content, "GET", `/items/${id}`, "alice");
    expect((after.body.draft as { fields: { body: string } }).fields.body).toBe("<p>短</p>");
  });

  it("answers a request larger than the JSON limit with 413 and the limit, not a 500", async () => {
    const huge = JSON.stringify(news("巨型请求", "x".repeat(9 * 1024 * 1024)));
    const refused = await api(content, "POST", "/publish", "admin", huge);
    expect(refused.status).toBe(413);
    expect(refused.body.violations![0]).toMatchObject({
      rule: "size.max-request",
      limit: 8 * 1024 * 1024,
    });
    expect(refused.body.message).toMatch(
      /^the request body \(\d+ bytes\) is over the API's limit of 8388608 bytes/,
    );
  });

  it("refuses over gRPC, Publish and Update alike, with a BadRequest naming the field and rule", async () => {
    const publish = await grpcPublish(draft("超大 gRPC", cjkBody(1_600_000)));
    expect(publish?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldViolations(publish).map((v) => `${v.field} ${v.reason}`)).toEqual([
      "item.body_html size.max-message",
    ]);
    expect(publish?.details).toMatch(/over the limit of \d+ bytes/);

    const ok = await api(content, "POST", "/publish", "admin", news("可更新", "<p>v1</p>"));
    expect(ok.status).toBe(201);
    const update = await grpcPublish(draft("可更新", cjkBody(1_600_000)), ok.body.id as string);
    expect(update?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldViolations(update)[0]?.reason).toBe("size.max-message");
  });

  it("accepts an item just under the limit and puts it on the topic", async () => {
    const body = cjkBody(1_350_000);
    const published = await api(content, "POST", "/publish", "admin", news("接近上限", body));
    expect(published.status).toBe(201);
    const id = published.body.id as string;
    // Another item in the same pass: the relay must not put both in one record batch.
    const small = await api(content, "POST", "/publish", "admin", news("同批小条目", "<p>小</p>"));
    const state = await topic.waitFor(id, 1, 30_000);
    expect(state.bodyHtml).toBe(body);
    await topic.waitFor(small.body.id as string, 1);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_ITEM_STATE_BYTES - 200_000);
  });

  it("sends two items near the limit that fall into one pass in separate transactions", async () => {
    await content.relay.stop();
    const before = content.relay.status();
    // Ids on one partition: sent together, both would go into one record batch over the limit.
    const ids = idsOnOnePartition(2);
    for (const [i, id] of ids.entries()) {
      const body = { ...news(`接近上限 ${i}`, cjkBody(1_350_000)), id };
      const published = await api(content, "POST", "/publish", "admin", body);
      expect(published.status).toBe(201);
    }
    content.relay.start();
    for (const id of ids) await topic.waitFor(id, 1, 30_000);
    const after = content.relay.status();
    // Split before sending: no refused batch, no new producer, nothing set aside.
    expect(after.setAsideTotal).toBe(before.setAsideTotal);
    expect(after.producerRecreations).toBe(before.producerRecreations);
  });

  it("refuses to publish or schedule a draft stored too large before the check existed", async () => {
    const created = await api(
      content,
      "POST",
      "/items",
      "alice",
      news("旧的超大草稿", "<p>短</p>"),
    );
    const id = (created.body.item as { id: string }).id;
    expect((await api(content, "POST", `/items/${id}/submit`, "alice", {})).status).toBe(200);
    expect(
      (
        await api(content, "POST", `/items/${id}/approve`, "carol", {
          revision: await revisionOf(content, id),
        })
      ).status,
    ).toBe(200);
    // As a draft stored by an earlier version of the service would be.
    await connection.collection("items").updateOne({ _id: id } as never, {
      $set: { "record.draft.fields.body": cjkBody(1_500_000) },
    });
    const publishAt = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await api(content, "POST", `/items/${id}/schedule`, "carol", { publishAt });
    expect(scheduled.status).toBe(413);
    expect(scheduled.body.violations![0]).toMatchObject({
      field: "body",
      rule: "size.max-message",
    });
    const published = await api(content, "POST", `/items/${id}/publish`, "carol", {});
    expect(published.status).toBe(413);
    const after = await api(content, "GET", `/items/${id}`, "alice");
    expect(after.body.status).toBe("approved");
  });
});
