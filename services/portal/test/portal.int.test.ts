import type { ContentService } from "@herald/content";
import {
  DeliveryOutcome,
  type DeliveryReceipt,
  type ItemState,
  Topics,
  channelRedeliveryTopic,
} from "@herald/contracts";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import mongoose from "mongoose";
import type { PortalService } from "../src";
import {
  listAllHoldings,
  newsItem,
  page,
  publish,
  startContent,
  startPortal,
  takedown,
} from "./support";

const ns = useTestNamespace("portal");
let content: ContentService;
let portal: PortalService;
let items: TopicCollector<ItemState>;
let receipts: TopicCollector<DeliveryReceipt>;

const POLICY = {
  id: "policy-2016",
  kind: "policy-document",
  title: "2016年海关政务公开工作要点",
  summary: "部署重点领域信息公开、行政执法公示、政务服务公开。",
  body: "<p>抓好行政许可、行政处罚信息“双公示”，对其及时性、准确性、规范性进行考核评估。</p><p>推进12360海关热线正规化、一体化建设。</p>",
  category: "政策文件",
  issuingOffice: "海关总署办公厅",
  documentNumber: "署办发〔2016〕30号",
};
const INTERPRETATION = {
  id: "policy-2016-interpretation",
  kind: "policy-interpretation",
  title: "《2016年海关政务公开工作要点》解读",
  summary: "解读工作要点。",
  body: "<p>行政执法公示有哪些具体要求？</p>",
  category: "政策解读",
  issuingOffice: "海关总署办公厅",
  related: [{ relation: "interprets", itemId: "policy-2016" }],
};

function delivered(id: string, version: number) {
  return receipts.waitFor(
    (r) =>
      r.itemId === id &&
      r.version === version &&
      r.channel === "portal" &&
      (r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED ||
        r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_REMOVED),
    `a portal receipt for ${id} v${version}`,
  );
}

beforeAll(async () => {
  items = await new TopicCollector(ns, Topics.items).start();
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => items.stop());
  ns.beforeCleanup(() => receipts.stop());
  content = await startContent(ns);
  portal = await startPortal(ns, content);
  await publish(content, POLICY);
  await publish(content, INTERPRETATION);
  await delivered(POLICY.id, 1);
  await delivered(INTERPRETATION.id, 1);
});

describe("the portal as a channel", () => {
  it("delivers each published item with the checksum of its ItemState and serves its page", async () => {
    const state = await items.waitFor((s) => s.id === POLICY.id, "the policy on the topic");
    const receipt = await delivered(POLICY.id, 1);
    expect(receipt.checksum).toBe(state.checksum);
    expect(receipt.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(receipt.externalRef).toBe(`http://127.0.0.1:4100/items/${POLICY.id}`);
    const item = await page(portal, `/items/${POLICY.id}`);
    expect(item.status).toBe(200);
    expect(item.html).toContain("2016年海关政务公开工作要点");
    expect(item.html).toContain("署办发〔2016〕30号");
  });

  it("finds a Chinese phrase and links a policy document and its interpretation both ways", async () => {
    const search = await page(portal, `/search?q=${encodeURIComponent("双公示")}`);
    expect(search.status).toBe(200);
    expect(search.html).toContain(`/items/${POLICY.id}`);
    const interpretation = await page(portal, `/items/${INTERPRETATION.id}`);
    expect(interpretation.html).toContain(`href="/items/${POLICY.id}"`);
    const policy = await page(portal, `/items/${POLICY.id}`);
    expect(policy.html).toContain(`href="/items/${INTERPRETATION.id}"`);
  });

  it("answers 410 for a removed item, redirects a replaced one, keeps a withdrawn one as a notice", async () => {
    await publish(content, newsItem("news-removed", "删除的动态"));
    await publish(content, newsItem("news-withdrawn", "撤回的动态"));
    await publish(content, newsItem("news-old", "旧的动态"));
    await publish(content, newsItem("news-new", "新的动态"));
    for (const id of ["news-removed", "news-withdrawn", "news-old", "news-new"])
      await delivered(id, 1);
    await takedown(content, "news-removed", { mode: "removed", reason: "含有错误信息" });
    await takedown(content, "news-withdrawn", {
      mode: "withdrawn",
      reason: "内容调整",
      publicExplanation: "本信息已撤回，请以新发布内容为准。",
    });
    await takedown(content, "news-old", {
      mode: "replaced",
      reason: "已更新",
      replacedBy: "news-new",
    });
    for (const id of ["news-removed", "news-withdrawn", "news-old"]) await delivered(id, 2);
    expect((await page(portal, "/items/news-removed")).status).toBe(410);
    const replaced = await page(portal, "/items/news-old");
    expect(replaced.status).toBe(301);
    expect(replaced.location).toMatch(/\/items\/news-new$/);
    const withdrawn = await page(portal, "/items/news-withdrawn");
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.html).toContain("本信息已撤回，请以新发布内容为准。");
    const search = await page(portal, `/search?q=${encodeURIComponent("撤回的动态")}`);
    expect(search.html).not.toContain("/items/news-withdrawn");
    const removedReceipt = await delivered("news-removed", 2);
    expect(removedReceipt.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
  });

  it("changes nothing for duplicates and out-of-order versions", async () => {
    await publish(content, newsItem("news-order", "顺序测试"));
    await delivered("news-order", 1);
    const before = (await listAllHoldings(portal)).find((h) => h.itemId === "news-order")!;
    const html = (await page(portal, "/items/news-order")).html;
    // An older copy of the stream arrives again, then the current version again.
    const v1 = items.values().find((s) => s.id === "news-order")!;
    const older: ItemState = { ...v1, version: 0 + 1, title: "不应出现的旧标题" };
    const producer = await testProducer(ns);
    await producer.send(Topics.items, [
      { key: older.id, value: older },
      { key: v1.id, value: v1 },
    ]);
    await publish(content, newsItem("news-sentinel", "哨兵"));
    await delivered("news-sentinel", 1);
    const after = (await listAllHoldings(portal)).find((h) => h.itemId === "news-order")!;
    expect(after).toEqual(before);
    expect((await page(portal, "/items/news-order")).html).toBe(html);
  });

  it("re-applies an item on a redelivery request, fetching its current state over gRPC", async () => {
    await publish(content, newsItem("news-lost", "丢失后恢复"));
    await delivered("news-lost", 1);
    const mongo = new mongoose.mongo.MongoClient(testStack().mongoUrl);
    await mongo.connect();
    try {
      const holdings = mongo.db(ns.dbName("portal")).collection<{ _id: string }>("holdings");
      await holdings.deleteOne({ _id: "news-lost" });
      const producer = await testProducer(ns);
      const requestedAt = new Date();
      await producer.send(Topics.redeliver, [
        {
          key: "portal/news-lost",
          value: {
            channel: "portal",
            outletId: "",
            itemId: "news-lost",
            version: 1,
            reason: "missing in audit",
            requestedBy: "test",
            requestedAt,
          },
        },
      ]);
      const again = await receipts.waitFor(
        (r) =>
          r.itemId === "news-lost" &&
          r.at! > requestedAt &&
          r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
        "a second delivery of news-lost",
      );
      expect(again.version).toBe(1);
      const restored = await waitFor(() => holdings.findOne({ _id: "news-lost" }), {
        description: "the holding written again",
      });
      expect(restored).toMatchObject({ version: 1, status: "held" });
    } finally {
      await mongo.close();
    }
    const queue = await new TopicCollector(ns, channelRedeliveryTopic("portal")).start();
    ns.beforeCleanup(() => queue.stop());
    await queue.waitFor((r) => r.itemId === "news-lost", "the request on the portal's own queue");
  });

  it("lists over gRPC exactly the items whose pages it serves", async () => {
    const holdings = await listAllHoldings(portal);
    expect(holdings.length).toBeGreaterThanOrEqual(7);
    expect(holdings.map((h) => h.itemId)).not.toContain("news-removed");
    for (const holding of holdings) {
      const item = await page(portal, `/items/${encodeURIComponent(holding.itemId)}`);
      expect({ id: holding.itemId, status: item.status }).toEqual({
        id: holding.itemId,
        status: 200,
      });
    }
    const sitemap = (await page(portal, "/sitemap.xml")).html;
    const inSitemap = [...sitemap.matchAll(/\/items\/([^<]+)<\/loc>/g)].map((m) =>
      decodeURIComponent(m[1]!),
    );
    const held = new Set(holdings.map((h) => h.itemId));
    for (const id of inSitemap) expect(held.has(id)).toBe(true);
  });

  it("dead-letters an item it can never show while later items still arrive", async () => {
    const producer = await testProducer(ns);
    const base = items.values().find((s) => s.id === "news-sentinel")!;
    await producer.send(Topics.items, [
      { key: "untitled", value: { ...base, id: "untitled", title: " ", version: 1 } },
    ]);
    await publish(content, newsItem("news-after-poison", "之后的动态"));
    await delivered("news-after-poison", 1);
    const rejected = await receipts.waitFor(
      (r) => r.itemId === "untitled" && r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_REJECTED,
      "a REJECTED receipt for the untitled item",
    );
    expect(rejected.error?.code).toBe("portal.title_missing");
  });

  it("rebuilds the same site from a replay of the whole topic into a fresh portal", async () => {
    const fresh = await startPortal(ns, content, { db: "portal_replay", group: "portal-replay" });
    const expected = await listAllHoldings(portal);
    const rebuilt = await waitFor(
      async () => {
        const list = await listAllHoldings(fresh);
        return list.length === expected.length ? list : undefined;
      },
      { description: "the replayed portal to hold as many items" },
    );
    const strip = (h: { itemId: string; version: number; checksum: string; status: number }) => ({
      itemId: h.itemId,
      version: h.version,
      checksum: h.checksum,
      status: h.status,
    });
    expect(rebuilt.map(strip)).toEqual(expected.map(strip));
    for (const path of [
      "/",
      "/catalogue",
      "/kinds/news",
      `/items/${POLICY.id}`,
      `/items/${INTERPRETATION.id}`,
      "/items/news-withdrawn",
      "/items/news-removed",
      "/items/news-old",
      "/sitemap.xml",
      "/feed.json",
    ]) {
      const [a, b] = await Promise.all([page(portal, path), page(fresh, path)]);
      expect({ path, status: b.status, html: b.html }).toEqual({
        path,
        status: a.status,
        html: a.html,
      });
    }
    // Search finds the same items; BM25's statistics still count superseded
    // versions until the index compacts, so near-equal scores may order differently.
    const results = async (portalService: PortalService) => {
      const { html } = await page(portalService, `/search?q=${encodeURIComponent("海关")}`);
      return [...html.matchAll(/<h2><a href="\/items\/([^"]+)"/g)].map((m) => m[1]).sort();
    };
    const found = await results(portal);
    expect(found.length).toBeGreaterThan(3);
    expect(await results(fresh)).toEqual(found);
  });
});
