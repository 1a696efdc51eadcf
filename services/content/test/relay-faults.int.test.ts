import {
  AnnouncementState,
  ContentServiceClient,
  type ListAnnouncementsResponse,
  MAX_MESSAGE_BYTES,
  Topics,
} from "@herald/contracts";
import * as grpc from "@grpc/grpc-js";
import { testKafka, useTestNamespace, waitFor } from "@herald/test-harness";
import { setCompactedTopicLimit } from "@herald/test-harness/topics";
import { ConfigResourceTypes, KafkaJSProtocolError } from "kafkajs";
import type { RelayFaults } from "../src/outbox/relay";
import type { ContentService } from "../src/service";
import { api, figure, startContent, tokenOf, TopicReader } from "./support";

const ns = useTestNamespace("content-relay-faults");
const topic = new TopicReader(ns);
const topicName = `${ns.topicPrefix}${Topics.items.name}`;
const faults: RelayFaults = {};
let content: ContentService;

beforeAll(async () => {
  // Set-aside items wait for an operator here; the automatic retry has its own test.
  content = await startContent(ns, { CONTENT_RELAY_RETRY_MS: "600000" }, faults);
  await topic.start();
});
ns.beforeCleanup(async () => {
  await content.stop();
  await topic.stop();
});

const news = (title: string, body = `<p>${title}</p>`) => ({ kind: "news", title, body });

async function publish(title: string, body?: string): Promise<string> {
  const result = await api(content, "POST", "/publish", "admin", news(title, body));
  expect(result.status).toBe(201);
  return result.body.id as string;
}

async function newVersion(id: string, title: string): Promise<void> {
  expect((await api(content, "PATCH", `/items/${id}`, "admin", { title })).status).toBe(200);
  expect(
    (await api(content, "POST", `/items/${id}/publish`, "admin", { direct: true })).status,
  ).toBe(200);
}

/** Every item's versions on the topic are in ascending order: no older version after a newer one. */
function expectOrdered(ids: readonly string[]): void {
  for (const id of ids) {
    const versions = topic.of(id).map((s) => s.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  }
}

/** The error kafkajs raises for a broker's answer with this error code. */
function brokerError(type: string, code: number, message: string): KafkaJSProtocolError {
  return new KafkaJSProtocolError(
    Object.assign(new Error(message), { type, code, retriable: false }),
  );
}

const setTopicLimit = (bytes: number) => setCompactedTopicLimit(topicName, bytes);

/** What ListAnnouncements says now, over gRPC, as an auditor would ask. */
async function announcements(): Promise<ListAnnouncementsResponse["announcements"]> {
  const client = new ContentServiceClient(
    `127.0.0.1:${content.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${tokenOf("channel-reader")}`);
  try {
    return await new Promise((resolve, reject) =>
      client.listAnnouncements({ pageSize: 0, pageToken: "" }, metadata, (error, response) =>
        error ? reject(error) : resolve(response.announcements),
      ),
    );
  } finally {
    client.close();
  }
}

async function topicLimit(): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topicName, configNames: ["max.message.bytes"] },
      ],
    });
    return Number(resources[0]?.configEntries[0]?.configValue);
  } finally {
    await admin.disconnect();
  }
}

const PRODUCER_STATES = [
  ["OUT_OF_ORDER_SEQUENCE_NUMBER", 45, "The broker received an out of order sequence number"],
  ["UNKNOWN_PRODUCER_ID", 59, "The broker could not locate the producer metadata"],
  ["INVALID_PRODUCER_EPOCH", 47, "Producer attempted an operation with an old epoch"],
  ["INVALID_TXN_STATE", 48, "The producer attempted a transactional operation in an invalid state"],
] as const;

describe("the outbox relay under faults", () => {
  it.each(PRODUCER_STATES)(
    "recreates its producer after %s and loses nothing",
    async (type, code, message) => {
      const kept = await publish(`${type} 之前`);
      await topic.waitFor(kept, 1);
      const recreations = content.relay.status().producerRecreations;
      // Every send fails this way until the producer is new: as kafkajs behaves in that state.
      let failedAt = 0;
      let stuck = true;
      faults.beforeSend = () => {
        if (!stuck) return;
        stuck = false;
        failedAt = Date.now();
        throw brokerError(type, code, message);
      };
      const ids = [kept, await publish(`${type} 甲`), await publish(`${type} 乙`)];
      await newVersion(kept, `${type} v2`);
      await topic.waitFor(kept, 2);
      for (const id of ids.slice(1)) await topic.waitFor(id, 1);
      figure(`recovery after ${type}`, Date.now() - failedAt);
      delete faults.beforeSend;
      expect(failedAt).toBeGreaterThan(0);
      expect(content.relay.status().producerRecreations).toBeGreaterThan(recreations);
      expectOrdered(ids);
      expect(content.ready().ok).toBe(true);
    },
  );

  it("takes its producer back after another producer fenced it, while it holds the lease", async () => {
    const before = await publish("被隔离之前");
    await topic.waitFor(before, 1);
    // A producer with the relay's transactional id: registering it fences the relay's.
    const intruder = testKafka().producer({
      transactionalId: `${ns.topicPrefix}herald-content-outbox-relay`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await intruder.connect();
    const transaction = await intruder.transaction();
    await transaction.abort();
    const fencedAt = Date.now();
    const recreations = content.relay.status().producerRecreations;
    const ids = [await publish("隔离后 甲"), await publish("隔离后 乙")];
    await newVersion(before, "隔离后 v2");
    for (const id of ids) await topic.waitFor(id, 1);
    await topic.waitFor(before, 2);
    figure("recovery after being fenced", Date.now() - fencedAt);
    await intruder.disconnect();
    expect(content.relay.status().producerRecreations).toBeGreaterThan(recreations);
    expect(content.relay.status().leader).toBe(true);
    expectOrdered([before, ...ids]);
  });

  it("refuses the outsider's item at the API and keeps every other item flowing", async () => {
    const refused = await api(
      content,
      "POST",
      "/publish",
      "admin",
      news("外部超大条目", `<p>${"关".repeat(1_900_000)}</p>`),
    );
    expect(refused.status).toBe(413);
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publish(`外部之后 ${i}`));
    const takedown = await api(content, "POST", `/items/${ids[0]}/takedown`, "admin", {
      mode: "removed",
      reason: "测试撤下",
    });
    expect(takedown.status).toBe(200);
    for (const id of ids) await topic.waitFor(id, 1, 5_000);
    await topic.waitFor(ids[0]!, 2, 5_000);
    const elapsed = Date.now() - started;
    figure("outsider's sequence (413, five items, a takedown, all on the topic)", elapsed);
    expect(elapsed).toBeLessThan(5_000);
    expect(content.ready()).toMatchObject({ ok: true });
    expect(content.relay.status().lastError).toBeUndefined();
  });

  it("sets aside an item the topic refuses behind the API's back, lets the others flow, keeps it aside over a restart, and sends it when asked", async () => {
    await setTopicLimit(50_000);
    // All in one pass: the relay must find the culprit in a batch, not fail the batch.
    await content.relay.stop();
    const big = await publish("限制降低后的大条目", `<p>${"关".repeat(30_000)}</p>`);
    const small = [await publish("同批 甲"), await publish("同批 乙"), await publish("同批 丙")];
    content.relay.start();
    for (const id of small) await topic.waitFor(id, 1);
    const relayOf = async (id: string) =>
      (await api(content, "GET", `/items/${id}`, "admin")).body.relay as {
        state: string;
        reason?: string;
      } | null;
    const view = await waitFor(
      async () => ((await relayOf(big))?.state === "set-aside" ? relayOf(big) : undefined),
      { description: "the large item set aside" },
    );
    expect(view!.reason).toMatch(/MESSAGE_TOO_LARGE/);
    expect(content.relay.status().setAsideTotal).toBe(1);
    // Counted as it is set aside, not at the relay's next pass.
    expect(content.relay.status().setAside).toBe(1);
    expect(topic.of(big)).toEqual([]);
    // Other items keep flowing past it.
    const later = await publish("搁置之后");
    await topic.waitFor(later, 1);
    // The service is fine; the item is the problem: ready, and saying so.
    const ready = content.ready();
    expect(ready.ok).toBe(true);
    expect(ready.detail).toMatch(/1 item\(s\) set aside/);
    expect(content.metrics()).toMatch(/^herald_content_outbox_set_aside 1$/m);
    const listed = (await announcements()).find((a) => a.itemId === big);
    expect(listed).toMatchObject({
      version: 1,
      state: AnnouncementState.ANNOUNCEMENT_STATE_SET_ASIDE,
      reason: expect.stringMatching(/MESSAGE_TOO_LARGE/),
    });

    // A restart keeps it aside; starting, the service raises the topic's limit again.
    await content.stop();
    content = await startContent(ns, { CONTENT_RELAY_RETRY_MS: "600000" }, faults);
    expect((await relayOf(big))?.state).toBe("set-aside");
    expect(await topicLimit()).toBe(MAX_MESSAGE_BYTES);

    const forbidden = await api(content, "POST", `/items/${big}/announce`, "alice");
    expect(forbidden.status).toBe(403);
    const asked = await api(content, "POST", `/items/${big}/announce`, "admin");
    expect(asked.status).toBe(202);
    await topic.waitFor(big, 1);
    await waitFor(async () => (await relayOf(big))?.state === "announced", {
      description: "the item announced",
    });
    await waitFor(() => /^herald_content_outbox_set_aside 0$/m.test(content.metrics()));
    expect((await announcements()).map((a) => a.itemId)).not.toContain(big);
    expectOrdered([big, ...small, later]);
  });

  it("retries a set-aside item on its own, backing off, and sends it once the cause is fixed", async () => {
    await content.stop();
    content = await startContent(ns, { CONTENT_RELAY_RETRY_MS: "500" }, faults);
    await setTopicLimit(50_000);
    try {
      const big = await publish("自动重试的大条目", `<p>${"关".repeat(30_000)}</p>`);
      // Tried again on its own: the attempts grow, each after a longer wait.
      const aside = await waitFor(
        async () => {
          const doc = await content.setAside.find(big);
          return doc && doc.attempts >= 3 ? doc : undefined;
        },
        { description: "three automatic attempts" },
      );
      expect(aside.retryAt.getTime() - Date.now()).toBeGreaterThan(500);
      await setTopicLimit(MAX_MESSAGE_BYTES);
      await topic.waitFor(big, 1, 20_000);
      await waitFor(async () => (await content.setAside.find(big)) === undefined, {
        description: "the set-aside record cleared",
      });
    } finally {
      await setTopicLimit(MAX_MESSAGE_BYTES);
    }
  });
});
