/**
 * The behaviour every channel shares, as one table of cases run against each
 * channel (`describeChannelConformance`): delivery with the state's checksum,
 * duplicates and stale versions, takedown, a poison message, a redelivery of a
 * held version (no second apply) and of a lost one (applied again), and the
 * inventory. Items enter through a real content service; the channel runs on
 * the real stack.
 */
import * as grpc from "@grpc/grpc-js";
import { createContentClient, type CurrentStateSource } from "@herald/channel-kit";
import {
  ChannelInventoryClient,
  type DeadLetter,
  DeliveryOutcome,
  type DeliveryReceipt,
  type Holding,
  type ItemState,
  type ListHoldingsResponse,
  Topics,
  deadLetterTopic,
} from "@herald/contracts";
import { type Logger, schemaHeaders } from "@herald/runtime";
import { type TestNamespace, testKafka, useTestNamespace, waitFor } from "@herald/test-harness";
import { type ContentService, startHeraldServices } from "@herald/test-harness/services";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";

/** A channel under test, started by the suite. */
export interface ChannelUnderTest {
  inventoryPort: number;
  inventoryToken: string;
  /** For an outlet behind the gateway: whose holdings to list (ListHoldingsRequest.outlet_id). */
  inventoryOutletId?: string;
  /** The version the channel shows to its audience, or undefined when it shows none. */
  shows(itemId: string): Promise<number | undefined>;
  /** The item's holding in the channel's database: how many times it was applied, and when last. */
  holding(
    itemId: string,
  ): Promise<{ version: number; applies: number; appliedAt: Date } | undefined>;
  /** Deletes the item's holding from the channel's database behind the runtime's back. */
  loseHolding(itemId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Cases that a channel cannot pass by design, each with the reason, which the
 * suite then leaves out (a reason is required: nothing is left out silently).
 */
export interface NotApplicable {
  /** The channel does not write undecodable messages to its dead-letter topic. */
  deadLetter?: string;
  /** The channel does not consume herald.redeliver.v1. */
  redelivery?: string;
}

export interface ConformanceOptions {
  /** The channel's name on receipts. */
  channel: string;
  /** For one of a channel's several outlets (newmedia's accounts): its receipts carry this id. */
  outletId?: string;
  /** Whose dead-letter topic the channel writes (`<channel>-<outlet>` for one of several outlets). */
  deadLetterChannel?: string;
  logger: Logger;
  /** The kind of the suite's items, one the channel holds (default "news"). */
  itemKind?: string;
  notApplicable?: NotApplicable;
  /**
   * Starts the channel. `content` reads an item's current state, as channel-kit's
   * redelivery does; `access` is the same as an address and a token, for a
   * channel that runs its own client (the outlet gateway).
   */
  start(
    ns: TestNamespace,
    content: CurrentStateSource,
    access: { grpcAddress: string; token: string },
  ): Promise<ChannelUnderTest>;
}

const ADMIN = "conformance-admin";
const READER = "conformance-channel";

/** An item every channel takes: public, aimed at no channel in particular. */
function itemOf(id: string, title: string, kind = "news") {
  return {
    id,
    kind,
    title,
    summary: `${title}。`,
    body: `<p>${title}。海关政务公开。</p>`,
    category: "工作动态",
    issuingOffice: "海关总署办公厅",
  };
}

export function describeChannelConformance(options: ConformanceOptions): void {
  const name = options.outletId ?? options.channel;
  const ns = useTestNamespace(`conformance-${name}`);
  const dlqChannel = options.deadLetterChannel ?? options.channel;
  const notApplicable = options.notApplicable ?? {};
  const item = (id: string, title: string) => itemOf(id, title, options.itemKind);
  let content: ContentService;
  let channel: ChannelUnderTest;
  let items: TopicCollector<ItemState>;
  let receipts: TopicCollector<DeliveryReceipt>;
  let dlq: TopicCollector<DeadLetter>;

  const api = async (path: string, body: unknown) => {
    const response = await fetch(`http://127.0.0.1:${content.httpPort}/api${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status >= 300)
      throw new Error(`${path}: ${response.status} ${await response.text()}`);
  };
  const receipt = (id: string, outcome: DeliveryOutcome, after = new Date(0)) =>
    receipts.waitFor(
      (r) =>
        r.itemId === id &&
        r.channel === options.channel &&
        (options.outletId === undefined || r.outletId === options.outletId) &&
        r.outcome === outcome &&
        r.at! >= after,
      `a ${DeliveryOutcome[outcome]} receipt from ${name} for ${id}`,
    );
  const inventory = async (token: string | undefined): Promise<Holding[]> => {
    const client = new ChannelInventoryClient(
      `127.0.0.1:${channel.inventoryPort}`,
      grpc.credentials.createInsecure(),
    );
    const metadata = new grpc.Metadata();
    if (token) metadata.set("authorization", `Bearer ${token}`);
    const all: Holding[] = [];
    let pageToken = "";
    try {
      do {
        const page = await new Promise<ListHoldingsResponse>((resolve, reject) =>
          client.listHoldings(
            { outletId: channel.inventoryOutletId ?? "", pageSize: 3, pageToken },
            metadata,
            (e, r) => (e ? reject(e) : resolve(r)),
          ),
        );
        all.push(...page.holdings);
        pageToken = page.nextPageToken;
      } while (pageToken);
    } finally {
      client.close();
    }
    return all;
  };

  beforeAll(async () => {
    items = await new TopicCollector(ns, Topics.items).start();
    receipts = await new TopicCollector(ns, Topics.receipts).start();
    for (const collector of [items, receipts]) ns.beforeCleanup(() => collector.stop());
    if (!notApplicable.deadLetter) {
      dlq = await new TopicCollector(ns, deadLetterTopic(dlqChannel)).start();
      ns.beforeCleanup(() => dlq.stop());
    }
    ({ content } = await startHeraldServices(ns, {
      logger: options.logger,
      tokens: { admin: ADMIN },
      content: { users: { [options.channel]: { roles: ["channel"], token: READER } } },
    }));
    const grpcAddress = `127.0.0.1:${content.grpcPort}`;
    channel = await options.start(
      ns,
      createContentClient({ address: grpcAddress, token: READER }),
      { grpcAddress, token: READER },
    );
    ns.beforeCleanup(() => channel.stop());
  });

  describe(`channel conformance: ${name}`, () => {
    it("delivers a published item with its ItemState's checksum and lists it in its inventory", async () => {
      await api("/publish", item("c-delivered", "送达"));
      const state = await items.waitFor((s) => s.id === "c-delivered", "the item on the stream");
      const delivered = await receipt("c-delivered", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
      expect(delivered).toMatchObject({ version: state.version, checksum: state.checksum });
      expect(await channel.shows("c-delivered")).toBe(state.version);
      const held = (await inventory(channel.inventoryToken)).find(
        (h) => h.itemId === "c-delivered",
      );
      expect(held).toMatchObject({ version: state.version, checksum: state.checksum });
    });

    it("ignores a duplicate and a stale version: an old version never undoes a takedown", async () => {
      await api("/publish", item("c-versions", "版本一"));
      await receipt("c-versions", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
      await api("/items/c-versions/takedown", {
        mode: "withdrawn",
        reason: "调整",
        publicExplanation: "已撤回",
      });
      const v1 = await items.waitFor((s) => s.id === "c-versions" && s.version === 1, "v1");
      const v2 = await items.waitFor((s) => s.id === "c-versions" && s.version === 2, "v2");
      await receipts.waitFor(
        (r) => r.itemId === "c-versions" && r.version === 2 && r.channel === options.channel,
        "a receipt for the takedown",
      );
      const before = (await inventory(channel.inventoryToken)).find(
        (h) => h.itemId === "c-versions",
      );
      const producer = await testProducer(ns);
      await producer.send(Topics.items, [
        { key: v2.id, value: v2 },
        { key: v1.id, value: v1 },
      ]);
      await api("/publish", item("c-sentinel", "哨兵"));
      await receipt("c-sentinel", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
      expect(await channel.shows("c-versions")).toBeUndefined();
      const after = (await inventory(channel.inventoryToken)).find(
        (h) => h.itemId === "c-versions",
      );
      expect(after).toEqual(before);
      if (after) expect(after.version).toBe(2);
    });

    it("takes a removed item off the channel and out of its inventory", async () => {
      await api("/publish", item("c-removed", "将删除"));
      await receipt("c-removed", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
      await api("/items/c-removed/takedown", { mode: "removed", reason: "错误信息" });
      const removed = await receipt("c-removed", DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
      expect(removed.version).toBe(2);
      expect(await channel.shows("c-removed")).toBeUndefined();
      expect((await inventory(channel.inventoryToken)).map((h) => h.itemId)).not.toContain(
        "c-removed",
      );
    });

    const poisonCase = notApplicable.deadLetter
      ? "skips a poison message and goes on"
      : "dead-letters a poison message with its reason and goes on";
    it(poisonCase, async () => {
      const producer = testKafka().producer();
      await producer.connect();
      try {
        await producer.send({
          topic: `${ns.topicPrefix}${Topics.items.name}`,
          messages: [
            {
              key: "c-poison",
              value: Buffer.from("not protobuf"),
              headers: schemaHeaders(Topics.items.schema),
            },
          ],
        });
      } finally {
        await producer.disconnect();
      }
      await api("/publish", item("c-after-poison", "毒消息之后"));
      await receipt("c-after-poison", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
      if (notApplicable.deadLetter) return;
      const letter = await dlq.waitFor(
        (l) => Buffer.from(l.key).toString() === "c-poison",
        "the poison message in the DLQ",
      );
      expect(letter.reason).toMatch(/ItemState/);
      expect(letter.channel).toBe(dlqChannel);
    });

    // The redelivery cases are not declared at all for a channel that does not
    // consume herald.redeliver.v1: its test file gives the reason.
    if (!notApplicable.redelivery) {
      const requestRedelivery = async (itemId: string): Promise<Date> => {
        const requestedAt = new Date();
        const producer = await testProducer(ns);
        await producer.send(Topics.redeliver, [
          {
            key: `${options.channel}/${itemId}`,
            value: {
              channel: options.channel,
              outletId: channel.inventoryOutletId ?? "",
              itemId,
              version: 1,
              reason: "conformance",
              requestedBy: "test",
              requestedAt,
            },
          },
        ]);
        return requestedAt;
      };

      it("answers a redelivery of a version it holds with its receipt again, and does not apply it twice", async () => {
        await api("/publish", item("c-redeliver", "重新投递"));
        await receipt("c-redeliver", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
        const before = await channel.holding("c-redeliver");
        expect(before).toMatchObject({ version: 1, applies: 1 });
        const requestedAt = await requestRedelivery("c-redeliver");
        const again = await receipt(
          "c-redeliver",
          DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
          requestedAt,
        );
        expect(again.version).toBe(1);
        expect(await channel.holding("c-redeliver")).toEqual(before);
        expect(await channel.shows("c-redeliver")).toBe(1);
      });

      it("applies a redelivered version again when its holding was deleted behind the runtime's back", async () => {
        await api("/publish", item("c-lost", "丢失后重投"));
        await receipt("c-lost", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
        await channel.loseHolding("c-lost");
        const requestedAt = await requestRedelivery("c-lost");
        const again = await receipt(
          "c-lost",
          DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
          requestedAt,
        );
        expect(again.version).toBe(1);
        // Only an apply writes a holding: a receipt sent again would have left it deleted.
        const restored = await waitFor(() => channel.holding("c-lost"), {
          description: "the holding written again",
        });
        expect(restored).toMatchObject({ version: 1, applies: 1 });
        expect(restored.appliedAt.getTime()).toBeGreaterThanOrEqual(requestedAt.getTime() - 1000);
        expect(await channel.shows("c-lost")).toBe(1);
      });
    }

    it("answers its inventory only to a caller with a token", async () => {
      await expect(inventory(undefined)).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
      await expect(inventory("not-a-token")).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
      await waitFor(async () => (await inventory(channel.inventoryToken)).length > 0, {
        description: "holdings to list",
      });
    });
  });
}
