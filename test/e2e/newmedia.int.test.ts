import { createContentClient } from "@herald/channel-kit";
import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import { type NewmediaService, startTestNewmedia, writeTestSecret } from "@herald/newmedia/testing";
import { type Platforms, startPlatforms } from "@herald/platforms";
import { createLogger } from "@herald/runtime";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { type HeraldServices, startHeraldServices } from "@herald/test-harness/services";
import { TopicCollector } from "@herald/test-harness/topics";

// A news item published once reaches a WeChat and a Weibo account through their
// APIs (the emulator), is replaced on an update, and is taken down: on WeChat by
// the API, on Weibo by an operator, as the reconciler and the task list show.
const ns = useTestNamespace("e2e-newmedia");
const logger = createLogger({ service: "e2e", level: "silent" });
const PORTAL = "http://127.0.0.1:4100";
const WECHAT = "wechat:e2e";
const WEIBO = "weibo:e2e";
let platforms: Platforms;
let services: HeraldServices;
let newmedia: NewmediaService;
let receipts: TopicCollector<DeliveryReceipt>;

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${services.contentUrl}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${services.tokens.admin}`,
      "content-type": "application/json",
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

async function summary(itemId: string): Promise<{ channels: Record<string, { state: string }> }> {
  const response = await fetch(
    `http://127.0.0.1:${services.reconciler.httpPort}/api/v1/items/${itemId}/summary`,
    { headers: { authorization: `Bearer ${services.tokens.operator}` } },
  );
  return (await response.json()) as { channels: Record<string, { state: string }> };
}

const receipt = (outletId: string, itemId: string, version: number, outcome: DeliveryOutcome) =>
  receipts.waitFor(
    (r) =>
      r.outletId === outletId &&
      r.itemId === itemId &&
      r.version === version &&
      r.outcome === outcome,
    `a ${DeliveryOutcome[outcome]} receipt of ${itemId} v${version} from ${outletId}`,
  );

const article = (title: string) =>
  platforms.control.wechat("wxe2e").articles.find((a) => a.title === title);

beforeAll(async () => {
  platforms = await startPlatforms({
    port: 0,
    publishJobMs: 200,
    wechat: [{ appId: "wxe2e", secret: "e2e-secret", name: "海关发布" }],
    weibo: [
      { uid: "7200", accessToken: "e2e-token", name: "海关发布微博", safeDomains: ["127.0.0.1"] },
    ],
  });
  ns.beforeCleanup(() => platforms.close());
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  services = await startHeraldServices(ns, { logger, reconciler: true });
  newmedia = await startTestNewmedia({
    brokers: testStack().brokers,
    mongoUrl: testStack().mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("newmedia"),
    groupId: ns.groupId("newmedia"),
    logger,
    content: createContentClient({
      address: `127.0.0.1:${services.content.grpcPort}`,
      token: services.tokens.channel,
    }),
    accounts: {
      portalBaseUrl: PORTAL,
      wechat: [
        {
          account: "e2e",
          displayName: "海关发布",
          appId: "wxe2e",
          secretFile: writeTestSecret("e2e-secret"),
          baseUrl: platforms.url,
          author: "海关总署",
        },
      ],
      weibo: [
        {
          account: "e2e",
          displayName: "海关发布微博",
          uid: "7200",
          accessTokenFile: writeTestSecret("e2e-token"),
          baseUrl: platforms.url,
          safeDomains: ["127.0.0.1"],
        },
      ],
    },
  });
  ns.beforeCleanup(() => newmedia.stop());
});

describe("a news item on WeChat and Weibo", () => {
  it("is published on both accounts with the portal's link, and the reconciler sees each account deliver it", async () => {
    await api("POST", "/publish", {
      id: "nm-1",
      kind: "news",
      title: "海关总署发布进出口数据",
      summary: "前十一个月货物贸易进出口总值同比增长。",
      body: "<p>前十一个月，我国货物贸易进出口总值同比增长。</p>",
      category: "海关动态",
      issuingOffice: "海关总署办公厅",
    });
    const [wechat, weibo] = await Promise.all([
      receipt(WECHAT, "nm-1", 1, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED),
      receipt(WEIBO, "nm-1", 1, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED),
    ]);
    const published = article("海关总署发布进出口数据");
    expect(published).toMatchObject({
      deleted: false,
      author: "海关总署",
      content_source_url: `${PORTAL}/items/nm-1`,
    });
    expect(wechat.externalRef).toBe(published?.url);
    const post = platforms.control.weibo("7200").posts.find((p) => !p.deleted);
    expect(post?.text).toContain(`${PORTAL}/items/nm-1`);
    expect(weibo.externalRef).toContain(post!.id);
    const seen = await waitFor(
      async () => {
        const s = await summary("nm-1");
        return s.channels[`newmedia/${WECHAT}`]?.state === "delivered" &&
          s.channels[`newmedia/${WEIBO}`]?.state === "delivered"
          ? s
          : undefined;
      },
      { description: "both accounts delivered on the reconciler" },
    );
    expect(Object.keys(seen.channels)).toEqual(
      expect.arrayContaining([`newmedia/${WECHAT}`, `newmedia/${WEIBO}`]),
    );
  });

  it("is replaced on WeChat by a new article on an update, and the old one is deleted", async () => {
    const old = article("海关总署发布进出口数据")!;
    await api("PATCH", "/items/nm-1", { title: "海关总署发布前十一个月进出口数据" });
    await api("POST", "/items/nm-1/publish", { direct: true });
    const updated = await receipt(WECHAT, "nm-1", 2, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    const replacement = article("海关总署发布前十一个月进出口数据");
    expect(replacement?.deleted).toBe(false);
    expect(updated.externalRef).toBe(replacement?.url);
    await waitFor(
      () =>
        platforms.control.wechat("wxe2e").articles.find((a) => a.article_id === old.article_id)
          ?.deleted,
      { description: "the old article deleted" },
    );
  });

  it("is taken down: deleted on WeChat by the API, and on Weibo by an operator, pending on the reconciler until done", async () => {
    const version = 3;
    await api("POST", "/items/nm-1/takedown", { mode: "removed", reason: "信息有误" });
    await receipt(WECHAT, "nm-1", version, DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
    expect(platforms.control.wechat("wxe2e").articles.filter((a) => !a.deleted)).toEqual([]);

    const awaiting = await receipt(WEIBO, "nm-1", version, DeliveryOutcome.DELIVERY_OUTCOME_FAILED);
    expect(awaiting.error?.code).toMatch(/^operator_task\./);
    // One task per post still up: the update posted v2 and left v1's post to delete too.
    const tasks = await newmedia.tasks("open");
    expect(tasks.length).toBeGreaterThanOrEqual(1);
    for (const task of tasks) {
      expect(task).toMatchObject({ outletId: WEIBO, itemId: "nm-1", action: "delete_post" });
      expect(task.reason).toMatch(/手动删除/);
    }
    await waitFor(
      async () => {
        const s = await summary("nm-1");
        return s.channels[`newmedia/${WEIBO}`]?.state === "pending" ? s : undefined;
      },
      { description: "the Weibo takedown pending on the reconciler" },
    );

    // Closing the task before the posts are gone is refused: the platform still shows them.
    await expect(newmedia.completeTask(WEIBO, "nm-1", "operator")).rejects.toThrow(/仍能看到/);
    for (const task of tasks) platforms.control.deleteWeiboPost("7200", task.postId);
    const closed = await newmedia.completeTask(WEIBO, "nm-1", "operator");
    expect(closed.doneBy).toBe("operator");
    await receipt(WEIBO, "nm-1", version, DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
    expect(await newmedia.tasks("open")).toEqual([]);
    await waitFor(
      async () => {
        const s = await summary("nm-1");
        return s.channels[`newmedia/${WEIBO}`]?.state === "removed" ? s : undefined;
      },
      { description: "the Weibo takedown confirmed on the reconciler" },
    );
  });

  it("refuses on WeChat, with its rule and nothing sent, a title the platform cannot take, while Weibo posts it", async () => {
    const title = "海关总署关于发布二〇二七年进出口税则商品及品目注释调整内容的公告解读";
    expect([...title].length).toBeGreaterThan(32);
    const draftsBefore = platforms.control.calls({ platform: "wechat", api: "draft/add" }).length;
    await api("POST", "/publish", {
      id: "nm-long",
      kind: "news",
      title,
      summary: "税则调整解读。",
      body: "<p>税则调整解读。</p>",
      category: "海关动态",
      issuingOffice: "海关总署办公厅",
    });
    const refused = await receipt(WECHAT, "nm-long", 1, DeliveryOutcome.DELIVERY_OUTCOME_REJECTED);
    expect(refused.error).toMatchObject({ code: "wechat.title_too_long", retryable: false });
    expect(refused.error?.message).toContain("32");
    await receipt(WEIBO, "nm-long", 1, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    expect(platforms.control.calls({ platform: "wechat", api: "draft/add" })).toHaveLength(
      draftsBefore,
    );
  });
});
