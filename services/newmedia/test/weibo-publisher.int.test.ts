import { AwaitingOperatorError, PermanentChannelError } from "@herald/channel-kit";
import { itemState, takenDown } from "@herald/channel-kit/testing";
import { TakedownKind } from "@herald/contracts";
import { startPlatforms, type Platforms } from "@herald/platforms";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import mongoose from "mongoose";
import { renderWeiboPost, weiboWeight } from "../src/render/weibo-post";
import { createWeiboPublisher, type WeiboPublisher, WeiboRetryableError } from "../src/weibo";
import { WeiboClient } from "../src/weibo/client";
import { WeiboStore } from "../src/weibo/store";
import {
  fromStream,
  heldAt,
  PNG,
  PORTAL,
  PORTAL_HOST,
  quietLogger,
  startPictureServer,
  TestClock,
  weiboAccount,
} from "./weibo-support";

const ns = useTestNamespace("weibo-publisher");
const connection = mongoose.createConnection(testStack().mongoUrl, {
  dbName: ns.dbName("newmedia"),
});
const clock = new TestClock();
let platforms: Platforms;
let pictures: Awaited<ReturnType<typeof startPictureServer>>;
const publishers: WeiboPublisher[] = [];

/** The emulator's accounts: uid → what its app may do. */
const SEEDS = [
  { uid: "1001", name: "press", commercial: false },
  { uid: "1002", name: "biz", commercial: true },
  { uid: "1003", name: "slow", commercial: false },
  { uid: "1004", name: "queue", commercial: false },
  { uid: "1005", name: "faults", commercial: false },
  { uid: "1006", name: "unsafe", commercial: false },
  { uid: "1007", name: "crash", commercial: false },
];

beforeAll(async () => {
  await connection.asPromise();
  pictures = await startPictureServer({ "/cover.png": PNG });
  platforms = await startPlatforms({
    now: clock.now,
    weibo: SEEDS.map((s) => ({
      uid: s.uid,
      accessToken: `token-${s.uid}`,
      name: s.name,
      // The "unsafe" app's reviewed domains no longer hold the portal.
      safeDomains: s.name === "unsafe" ? ["elsewhere.example"] : [PORTAL_HOST],
      commercial: s.commercial,
    })),
  });
});
ns.beforeCleanup(async () => {
  await Promise.all(publishers.map((p) => p.close()));
  await platforms.close();
  await pictures.close();
  await connection.close();
});

function publisher(
  name: string,
  options: { postsPerHour?: number; maxQueueWaitMs?: number; commercialDelete?: boolean } = {},
): WeiboPublisher {
  const seed = SEEDS.find((s) => s.name === name)!;
  const p = createWeiboPublisher({
    account: weiboAccount({
      account: name,
      uid: seed.uid,
      token: `token-${seed.uid}`,
      baseUrl: platforms.url,
      ...(options.postsPerHour ? { postsPerHour: options.postsPerHour } : {}),
      commercialDelete: options.commercialDelete ?? seed.commercial,
    }),
    portalBaseUrl: PORTAL,
    db: connection,
    logger: quietLogger,
    now: clock.now,
    pollIntervalMs: 10,
    backoffMs: [10, 20, 30],
    ...(options.maxQueueWaitMs !== undefined ? { maxQueueWaitMs: options.maxQueueWaitMs } : {}),
  });
  publishers.push(p);
  return p;
}

const uidOf = (name: string) => SEEDS.find((s) => s.name === name)!.uid;
const postsOf = (name: string) => platforms.control.weibo(uidOf(name)).posts;
const livePostsOf = (name: string) => postsOf(name).filter((p) => !p.deleted);
const sharesOf = (name: string) =>
  platforms.control.calls({ platform: "weibo", account: uidOf(name), api: "statuses/share" });

const news = (id: string, version: number, title: string, extra = {}) =>
  itemState(id, version, {
    title,
    summary: `${title}：海关总署发布通知，自即日起简化进出口申报手续。`,
    ...extra,
  });

describe("Weibo publisher", () => {
  it("posts a news item with its portal link and picture, within 140, and remembers it", async () => {
    const press = publisher("press");
    const state = news("wb-news-1", 1, "进口申报简化", {
      bodyHtml: `<p>正文</p><p><img src="${pictures.url}/cover.png"></p>`,
    });
    const result = await press.apply(state, fromStream);

    const [post, ...more] = postsOf("press");
    expect(more).toEqual([]);
    expect(post!.text).toContain(`${PORTAL}/items/wb-news-1`);
    expect(post!.text).toContain("进口申报简化");
    expect(weiboWeight(post!.text)).toBeLessThanOrEqual(140);
    expect(post!.pic).toBeDefined();
    expect(result.externalRef).toContain(post!.id);
    expect(press.lastPost()).toEqual({ at: expect.any(Date), ref: result.externalRef });
    expect(press.quota()["statuses/share"]).toEqual({ used: 1, limit: 30 * 24 });
    await expect(press.verify(heldAt(state.id, result.externalRef!))).resolves.toBe("present");
  });

  it("posts an update again only when its text changes; the replaced post gets a delete task", async () => {
    const press = publisher("press");
    const first = await press.apply(news("wb-upd", 1, "关税调整"), fromStream);
    // A body change leaves the post's text (title, summary, link) as it was.
    const same = await press.apply(
      news("wb-upd", 2, "关税调整", { bodyHtml: "<p>正文改了</p>" }),
      fromStream,
    );
    expect(same.externalRef).toBe(first.externalRef);
    const ofItem = () => postsOf("press").filter((p) => p.text.includes("/items/wb-upd"));
    expect(ofItem()).toHaveLength(1);

    const changed = await press.apply(news("wb-upd", 3, "关税调整（更正）"), fromStream);
    expect(changed.externalRef).not.toBe(first.externalRef);
    expect(ofItem()).toHaveLength(2);
    const tasks = (await press.tasks()).filter((t) => t.itemId === "wb-upd");
    expect(tasks).toEqual([
      expect.objectContaining({
        outletId: "weibo:press",
        postUrl: first.externalRef,
        action: "delete_post",
        reason: expect.stringContaining("旧帖"),
      }),
    ]);
    expect(tasks[0]!.doneAt).toBeUndefined();
  });

  it("keeps to the hourly posting window across a restart, and posts the rest when it moves", async () => {
    const slow = publisher("slow", { postsPerHour: 3, maxQueueWaitMs: 1_000 });
    for (const n of [1, 2, 3]) await slow.apply(news(`wb-rate-${n}`, 1, `第 ${n} 条`), fromStream);
    const fourth = news("wb-rate-4", 1, "第 4 条");
    const refusal = slow.apply(fourth, fromStream);
    await expect(refusal).rejects.toBeInstanceOf(WeiboRetryableError);
    await expect(refusal).rejects.toThrow(/每小时最多发 3 帖.*下一个空位/);

    // A restarted publisher reads the window back from the database.
    const restarted = publisher("slow", { postsPerHour: 3, maxQueueWaitMs: 1_000 });
    await expect(restarted.apply(fourth, fromStream)).rejects.toThrow(/下一个空位/);
    expect(postsOf("slow")).toHaveLength(3);

    clock.advance(3_600_000 + 1_000);
    await restarted.apply(fourth, fromStream);
    await restarted.apply(fourth, { ...fromStream, source: "retry", attempt: 2 });
    const texts = postsOf("slow").map((p) => p.text);
    expect(texts).toHaveLength(4);
    for (const n of [1, 2, 3, 4]) {
      expect(texts.filter((t) => t.includes(`/items/wb-rate-${n}`))).toHaveLength(1);
    }
  });

  it("queues a post until a slot opens when the wait is allowed", async () => {
    const queue = publisher("queue", { postsPerHour: 1, maxQueueWaitMs: 2 * 3_600_000 });
    await queue.apply(news("wb-queue-1", 1, "排队一"), fromStream);
    let settled = false;
    const second = queue.apply(news("wb-queue-2", 1, "排队二"), fromStream).finally(() => {
      settled = true;
    });
    // The apply waits for the window: it neither posts nor gives up.
    await waitFor(() => queue.postingQueue().waitingForSlot, { description: "a wait for a slot" });
    expect(queue.postingQueue()).toEqual({
      applies: 1,
      waitingForSlot: true,
      nextSlotAt: new Date(clock.now() + 3_600_000),
    });
    expect(settled).toBe(false);
    expect(postsOf("queue")).toHaveLength(1);

    clock.advance(3_600_000);
    await second;
    expect(postsOf("queue")).toHaveLength(2);
    expect(queue.postingQueue()).toEqual({
      applies: 0,
      waitingForSlot: false,
      nextSlotAt: expect.any(Date),
    });
  });

  it("backs off when the platform says the account posts too fast, and nothing is lost", async () => {
    const faults = publisher("faults");
    platforms.control.injectFault({
      platform: "weibo",
      account: uidOf("faults"),
      api: "statuses/share",
      errcode: 10023,
      count: 2,
    });
    await faults.apply(news("wb-busy-1", 1, "限流后发出"), fromStream);
    expect(livePostsOf("faults")).toHaveLength(1);
    expect(sharesOf("faults").map((c) => c.errcode)).toEqual([10023, 10023, 0]);
    // The account's pause after the platform's answer passes.
    clock.advance(60_000);

    // Past the backoffs the apply fails for the runtime to retry later; then it posts once.
    platforms.control.injectFault({
      platform: "weibo",
      account: uidOf("faults"),
      api: "statuses/share",
      errcode: 10023,
      count: 4,
    });
    const later = news("wb-busy-2", 1, "多次限流");
    await expect(faults.apply(later, fromStream)).rejects.toMatchObject({
      name: "WeiboRetryableError",
      code: "weibo.10023",
    });
    clock.advance(60_000);
    await faults.apply(later, { ...fromStream, source: "retry", attempt: 2 });
    expect(livePostsOf("faults").filter((p) => p.text.includes("/items/wb-busy-2"))).toHaveLength(
      1,
    );
  });

  it("turns a platform refusal into a permanent error with the operator's sentence", async () => {
    const unsafe = publisher("unsafe");
    const refused = unsafe.apply(news("wb-unsafe", 1, "安全域名已撤销"), fromStream);
    await expect(refused).rejects.toBeInstanceOf(PermanentChannelError);
    await expect(refused).rejects.toMatchObject({ code: "weibo.10017" });
    await expect(refused).rejects.toThrow(/安全域名.*\(10017 /);
    expect(postsOf("unsafe")).toEqual([]);

    const faults = publisher("faults");
    platforms.control.injectFault({
      platform: "weibo",
      account: uidOf("faults"),
      api: "statuses/share",
      errcode: 20019,
    });
    const duplicate = faults.apply(news("wb-dup", 1, "重复内容"), fromStream);
    await expect(duplicate).rejects.toMatchObject({ code: "weibo.20019" });
    await expect(duplicate).rejects.toThrow(/重复/);
  });

  it("refuses what the renderer refuses before any call", async () => {
    const seed = uidOf("press");
    const narrow = createWeiboPublisher({
      account: weiboAccount({
        account: "narrow",
        uid: seed,
        token: `token-${seed}`,
        baseUrl: platforms.url,
        safeDomains: ["other.example"],
      }),
      portalBaseUrl: PORTAL,
      db: connection,
      logger: quietLogger,
      now: clock.now,
    });
    publishers.push(narrow);
    const before = sharesOf("press").length;
    await expect(
      narrow.apply(news("wb-narrow", 1, "不在安全域名"), fromStream),
    ).rejects.toMatchObject({ name: "PermanentChannelError", code: "weibo.url_not_safe_domain" });
    expect(sharesOf("press")).toHaveLength(before);
  });

  it("takes a post down through an operator task when the app may not delete", async () => {
    const press = publisher("press");
    const { externalRef } = await press.apply(news("wb-down", 1, "将被撤回"), fromStream);
    const post = postsOf("press").find((p) => p.text.includes("/items/wb-down"))!;
    const retracted = takenDown("wb-down", 2, TakedownKind.TAKEDOWN_KIND_WITHDRAWN);

    for (let attempt = 1; attempt <= 2; attempt++) {
      const waiting = press.remove(retracted, { ...fromStream, attempt });
      await expect(waiting).rejects.toBeInstanceOf(AwaitingOperatorError);
      await expect(waiting).rejects.toMatchObject({ code: "operator_task.weibo_delete" });
    }
    const open = (await press.tasks()).filter((t) => t.itemId === "wb-down");
    expect(open).toEqual([
      expect.objectContaining({
        id: `press/wb-down/${post.id}`,
        postUrl: externalRef,
        reason: expect.stringContaining("该条目已撤回，请在微博手动删除此帖"),
      }),
    ]);

    // The operator says done too early: the post is still there.
    await expect(press.completeTask("wb-down", "editor-li")).rejects.toThrow(/仍能看到此帖/);
    platforms.control.deleteWeiboPost(uidOf("press"), post.id);
    const done = await press.completeTask("wb-down", "editor-li");
    expect(done).toMatchObject({ doneBy: "editor-li", doneAt: expect.any(Date) });

    await press.remove(retracted, { ...fromStream, source: "redelivery" });
    await expect(press.verify(heldAt("wb-down", externalRef!))).resolves.toBe("absent");
  });

  it("deletes and confirms through statuses/destroy/biz where the app may", async () => {
    const biz = publisher("biz");
    await biz.apply(news("wb-biz", 1, "商业删除"), fromStream);
    await biz.remove(takenDown("wb-biz", 2, TakedownKind.TAKEDOWN_KIND_WITHDRAWN), fromStream);
    expect(postsOf("biz").map((p) => p.deleted)).toEqual([true]);
    const apis = platforms.control
      .calls({ platform: "weibo", account: uidOf("biz") })
      .map((c) => `${c.api} ${c.errcode}`);
    expect(apis).toEqual(["statuses/share 0", "statuses/destroy/biz 0", "statuses/show 20101"]);
    expect(await biz.tasks()).toEqual([]);
  });

  it("after a crash between the post and its record, finds the post instead of posting again", async () => {
    const state = news("wb-crash", 1, "崩溃之前");
    const rendered = renderWeiboPost(state, { portalBaseUrl: PORTAL, safeDomains: [PORTAL_HOST] });
    if (!rendered.ok) throw new Error(rendered.message);
    // What the crashed process left: its intent written, the post made, no record of it.
    const store = new WeiboStore(connection, "crash");
    await store.savePost({
      _id: store.postKey(state.id),
      itemId: state.id,
      state: "posting",
      version: 1,
      checksum: state.checksum,
      text: rendered.post.text,
      link: rendered.post.url,
      intentAt: new Date(clock.now()),
      retire: [],
    });
    const made = await new WeiboClient({
      baseUrl: platforms.url,
      accessToken: () => `token-${uidOf("crash")}`,
    }).share(rendered.post.text);

    const crash = publisher("crash");
    const result = await crash.apply(state, { ...fromStream, source: "retry", attempt: 2 });
    expect(postsOf("crash")).toHaveLength(1);
    expect(result.externalRef).toContain(made.idstr);
    expect(crash.lastPost()?.ref).toBe(result.externalRef);
  });

  it("after a crash before the post went out, posts it once", async () => {
    const state = news("wb-crash-2", 1, "未发出");
    const rendered = renderWeiboPost(state, { portalBaseUrl: PORTAL, safeDomains: [PORTAL_HOST] });
    if (!rendered.ok) throw new Error(rendered.message);
    const store = new WeiboStore(connection, "crash");
    await store.savePost({
      _id: store.postKey(state.id),
      itemId: state.id,
      state: "posting",
      version: 1,
      checksum: state.checksum,
      text: rendered.post.text,
      link: rendered.post.url,
      intentAt: new Date(clock.now()),
      retire: [],
    });
    const crash = publisher("crash");
    await crash.apply(state, { ...fromStream, source: "retry", attempt: 2 });
    await crash.apply(state, { ...fromStream, source: "redelivery", attempt: 3 });
    expect(postsOf("crash").filter((p) => p.text === rendered.post.text)).toHaveLength(1);
  });
});
