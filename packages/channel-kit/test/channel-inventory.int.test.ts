import * as grpc from "@grpc/grpc-js";
import {
  Audience,
  type ChannelAnnouncement,
  ChannelInventoryClient,
  ConsumingState,
  type Holding,
  ItemKind,
  type ListHoldingsResponse,
  MessageHeaders,
  Topics,
} from "@herald/contracts";
import { connectMongo, createLogger, loadConfig, topicName } from "@herald/runtime";
import { testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import type { Connection } from "mongoose";
import {
  type ChannelPolicy,
  type ChannelRuntime,
  channelEnv,
  policyFromAnnouncement,
  startChannel,
} from "../src";
import { ConsumedOffsets } from "../src/consumed-offsets";
import {
  RecordingChannel,
  itemState,
  testChannelEnv,
  writeInventoryTokenFile,
} from "../src/testing";

const ns = useTestNamespace("channel-inventory");
const logger = createLogger({ service: "test", level: "silent" });
const TOKEN = "audit-test-token";
const LIFETIME_MS = 10 * 60_000;
const POLICY: ChannelPolicy = {
  name: "audited",
  kinds: [ItemKind.ITEM_KIND_NEWS, ItemKind.ITEM_KIND_NOTICE],
  audiences: [Audience.AUDIENCE_PUBLIC],
  keepsWithdrawn: true,
};
const ITEMS = ["a-keep", "b-lose", "c-alter", "d-keep", "e-keep"];

let runtime: ChannelRuntime;
let channel: RecordingChannel;
let announcements: TopicCollector<ChannelAnnouncement>;
let database: Connection;
/** Added to the inventory snapshots' clock: how the test lets a listing expire. */
let clockSkew = 0;

type ListError = grpc.ServiceError;

function listPage(address: string, pageToken = "", pageSize = 2): Promise<ListHoldingsResponse> {
  const client = new ChannelInventoryClient(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${TOKEN}`);
  return new Promise<ListHoldingsResponse>((resolve, reject) =>
    client.listHoldings({ outletId: "", pageSize, pageToken }, metadata, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  ).finally(() => client.close());
}

async function listAll(address: string): Promise<Holding[]> {
  const all: Holding[] = [];
  let pageToken = "";
  do {
    const page = await listPage(address, pageToken);
    all.push(...page.holdings);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}

const inventory = () => `127.0.0.1:${runtime.inventoryPort}`;
const holdings = () => database.db!.collection<{ _id: string }>("holdings");

beforeAll(async () => {
  const stack = testStack();
  const dbName = ns.dbName("audited");
  const config = loadConfig(channelEnv, {
    ...testChannelEnv({
      brokers: stack.brokers,
      mongoUrl: stack.mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName,
      inventoryTokensFile: writeInventoryTokenFile({ reconciler: TOKEN }),
    }),
    CHANNEL_INSTANCE_ID: "audited-1",
  });
  channel = new RecordingChannel(POLICY);
  runtime = await startChannel({
    adapter: channel,
    config,
    logger,
    inventorySnapshots: { lifetimeMs: LIFETIME_MS, now: () => Date.now() + clockSkew },
  });
  ns.beforeCleanup(() => runtime.stop());
  announcements = await new TopicCollector(ns, Topics.channels).start();
  ns.beforeCleanup(() => announcements.stop());
  // The test's own connection, to change the channel's database behind its back.
  database = await connectMongo({ url: stack.mongoUrl, dbName, logger });
  ns.beforeCleanup(() => database.close());
  const producer = await testProducer(ns);
  await producer.send(
    Topics.items,
    ITEMS.map((id) => ({ key: id, value: itemState(id, 1) })),
  );
  await waitFor(
    () => runtime.holdings().filter((h) => h.status === "held").length === ITEMS.length,
    { description: "every item held" },
  );
});

describe("a channel's announcement", () => {
  it("arrives on the channels topic, keyed by the channel, with its policy and a reachable inventory", async () => {
    const startedAt = Date.now();
    const announcement = await announcements.waitFor(
      (a) => a.name === "audited",
      "the announcement of audited",
    );
    const message = announcements.messages.find((m) => m.value === announcement)!;
    expect(message.key).toBe("audited");
    expect(message.headers[MessageHeaders.schema]).toBe(Topics.channels.schema.name);
    expect(policyFromAnnouncement(announcement)).toEqual({ ...POLICY, keepsExpired: false });
    expect(announcement).toMatchObject({
      inventoryAddress: `127.0.0.1:${runtime.inventoryPort}`,
      instance: "audited-1",
    });
    expect(announcement.announcedAt!.getTime()).toBeLessThanOrEqual(startedAt);
    // The reconciler dials what was announced.
    const listed = await listAll(announcement.inventoryAddress);
    expect(listed.map((h) => h.itemId)).toEqual(ITEMS);
  });
});

describe("the inventory", () => {
  it("lists what the database holds: a holding deleted or altered behind the runtime's back shows at the next listing", async () => {
    const before = await listAll(inventory());
    expect(before.find((h) => h.itemId === "c-alter")?.checksum).toBe("sha256:c-alter:1");
    // A listing under way pages on through what it read at its first page.
    const first = await listPage(inventory());
    expect(first.holdings.map((h) => h.itemId)).toEqual(["a-keep", "b-lose"]);

    await holdings().deleteOne({ _id: "b-lose" });
    await holdings().updateOne({ _id: "c-alter" }, { $set: { checksum: "sha256:tampered" } });

    const rest = await listPage(inventory(), first.nextPageToken);
    expect(rest.holdings.map((h) => `${h.itemId} ${h.checksum}`)).toEqual([
      "c-alter sha256:c-alter:1",
      "d-keep sha256:d-keep:1",
    ]);
    const after = await listAll(inventory());
    expect(after.map((h) => h.itemId)).toEqual(["a-keep", "c-alter", "d-keep", "e-keep"]);
    expect(after.find((h) => h.itemId === "c-alter")?.checksum).toBe("sha256:tampered");
    // The runtime's own cache never saw either change: only the inventory reports them.
    expect(runtime.holdings().find((h) => h.itemId === "b-lose")?.status).toBe("held");
  });

  it("refuses a page token whose listing expired: FAILED_PRECONDITION, restart from the first page", async () => {
    const first = await listPage(inventory());
    expect(first.nextPageToken).not.toBe("");
    clockSkew += LIFETIME_MS;
    const expired = await listPage(inventory(), first.nextPageToken).catch(
      (error: ListError) => error,
    );
    expect(expired).toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    expect((expired as ListError).details).toMatch(/restart from the first page/);
    // Starting again works.
    expect((await listAll(inventory())).length).toBe(4);
  });

  it("keeps a few listings at once and drops the oldest", async () => {
    const oldest = await listPage(inventory());
    for (let i = 0; i < 4; i += 1) await listPage(inventory());
    await expect(listPage(inventory(), oldest.nextPageToken)).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
  });

  it("refuses a page token it never issued: INVALID_ARGUMENT", async () => {
    const legacy = Buffer.from("b-lose").toString("base64url");
    for (const token of ["not a token!", legacy]) {
      await expect(listPage(inventory(), token)).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
      });
    }
  });
});

describe("how the answering instance consumes", () => {
  it("rides on the first page of a listing, as the runtime has it, and not on the pages after", async () => {
    const first = await waitFor(
      async () => {
        const page = await listPage(inventory());
        return page.consuming?.state === ConsumingState.CONSUMING_STATE_NORMAL && page;
      },
      { description: "a first page reporting the channel consuming normally" },
    );
    const status = runtime.consuming();
    expect(first.consuming).toMatchObject({
      state: ConsumingState.CONSUMING_STATE_NORMAL,
      retriesPending: status.retriesPending,
    });
    expect(first.consuming?.detail).toMatch(/^lag \d+, retries pending \d+$/);
    expect(first.nextPageToken).not.toBe("");
    const next = await listPage(inventory(), first.nextPageToken);
    expect(next.consuming).toBeUndefined();
  });
});

describe("how far a listing reflects the item stream", () => {
  const itemsTopic = () => topicName(Topics.items, ns.topicPrefix);
  /** The end of every partition of the item stream, as `consumed` reports a channel that has applied everything. */
  async function ends(): Promise<{ partition: number; offset: number }[]> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(itemsTopic());
      return offsets
        .map((o) => ({ partition: o.partition, offset: Number(o.high) }))
        .sort((a, b) => a.partition - b.partition);
    } finally {
      await admin.disconnect();
    }
  }

  it("reports the group's committed offsets, read before the scan, the same on every page", async () => {
    const caughtUp = await ends();
    expect(caughtUp.map((c) => c.partition)).toEqual([0, 1, 2]);
    await waitFor(
      async () =>
        JSON.stringify((await listPage(inventory())).consumed) === JSON.stringify(caughtUp),
      { description: "a listing reporting every partition consumed to its end" },
    );

    // An apply that hangs: its message is not committed, so no listing may count it as reflected.
    channel.hold("f-hang");
    const producer = await testProducer(ns);
    const [sent] = await producer.send(Topics.items, [
      { key: "f-hang", value: itemState("f-hang", 1) },
    ]);
    const at = Number(sent!.baseOffset);
    await waitFor(() => channel.applies("f-hang").length === 1, { description: "the apply begun" });
    const first = await listPage(inventory());
    const partition = first.consumed.find((c) => c.partition === sent!.partition);
    expect(partition?.offset).toBeLessThanOrEqual(at);
    expect(first.consumed).toHaveLength(3);
    expect(first.nextPageToken).not.toBe("");

    channel.release("f-hang");
    await waitFor(
      async () =>
        (await listPage(inventory())).consumed.find((c) => c.partition === sent!.partition)!
          .offset > at,
      { description: "the hung item's offset committed" },
    );
    // The listing begun before goes on reporting what it read with its first page.
    let token = first.nextPageToken;
    const listed: string[] = first.holdings.map((h) => h.itemId);
    while (token) {
      const page = await listPage(inventory(), token);
      expect(page.consumed).toEqual(first.consumed);
      listed.push(...page.holdings.map((h) => h.itemId));
      token = page.nextPageToken;
    }
    expect(listed).not.toContain("f-hang");
    expect((await listAll(inventory())).map((h) => h.itemId)).toContain("f-hang");
  });

  it("reports offset 0 for a partition its group never committed: every item on it may be in flight", async () => {
    const consumed = new ConsumedOffsets(testKafka(), ns.groupId("never-committed"), itemsTopic());
    try {
      expect(await consumed.read()).toEqual([
        { partition: 0, offset: 0 },
        { partition: 1, offset: 0 },
        { partition: 2, offset: 0 },
      ]);
    } finally {
      await consumed.stop();
    }
  });
});
