import { PermanentChannelError, RetryLaterError } from "@herald/channel-kit";
import { waitFor } from "@herald/test-harness";
import { weiboWeight } from "../src/render/weibo-post";
import { fromStream, heldAt, news, PORTAL, useWeiboWorld } from "./weibo-support";

const world = useWeiboWorld("weibo-publisher", [
  { uid: "1001", name: "press" },
  { uid: "1003", name: "slow" },
  { uid: "1004", name: "queue" },
  { uid: "1005", name: "faults" },
  { uid: "1007", name: "closing" },
  { uid: "1008", name: "late" },
  // The app's reviewed domains on the platform no longer hold the portal.
  { uid: "1006", name: "unsafe", safeDomains: ["elsewhere.example"] },
]);
const { clock } = world;
const fault = (name: string, errcode: number, count = 1) =>
  world.emulator().control.injectFault({
    platform: "weibo",
    account: world.uidOf(name),
    api: "statuses/share",
    errcode,
    count,
  });
const postsOfItem = (name: string, itemId: string) =>
  world.livePostsOf(name).filter((p) => p.text.includes(`/items/${itemId}`));

describe("Weibo publisher: posting", () => {
  it("posts a news item with its portal link and picture, within 140, and remembers it", async () => {
    const press = world.publisher("press");
    const state = news("wb-news-1", 1, "进口申报简化", {
      bodyHtml: `<p>正文</p><p><img src="${world.picturesUrl()}/cover.png"></p>`,
    });
    const result = await press.apply(state, fromStream);

    const [post, ...more] = world.postsOf("press");
    expect(more).toEqual([]);
    expect(post!.text).toContain(`${PORTAL}/items/wb-news-1`);
    expect(post!.text).toContain("进口申报简化");
    expect(weiboWeight(post!.text)).toBeLessThanOrEqual(140);
    expect(post!.pic).toBeDefined();
    expect(result.externalRef).toBe(`https://weibo.com/${world.uidOf("press")}/${post!.id}`);
    expect(press.lastPost()).toEqual({ at: new Date(clock.now()), ref: result.externalRef });
    expect(press.quota()["statuses/share"]).toEqual({ used: 1, limit: 30 * 24 });
    await expect(press.verify(heldAt(state.id, result.externalRef!))).resolves.toBe("present");
  });

  it("posts without the picture when the platform would not take it", async () => {
    const press = world.publisher("press");
    await press.apply(
      news("wb-svg", 1, "矢量图", {
        bodyHtml: `<p><img src="${world.picturesUrl()}/drawing.svg"></p>`,
      }),
      fromStream,
    );
    const [post] = postsOfItem("press", "wb-svg");
    expect(post).toBeDefined();
    expect(post!.pic).toBeUndefined();
  });

  it("posts an update again only when its text changes; the replaced post gets a delete task", async () => {
    const press = world.publisher("press");
    const first = await press.apply(news("wb-upd", 1, "关税调整"), fromStream);
    // A body change leaves the post's text (title, summary, link) as it was.
    const same = await press.apply(
      news("wb-upd", 2, "关税调整", { bodyHtml: "<p>正文改了</p>" }),
      fromStream,
    );
    expect(same.externalRef).toBe(first.externalRef);
    expect(postsOfItem("press", "wb-upd")).toHaveLength(1);

    const changed = await press.apply(news("wb-upd", 3, "关税调整（更正）"), fromStream);
    expect(changed.externalRef).not.toBe(first.externalRef);
    expect(postsOfItem("press", "wb-upd")).toHaveLength(2);
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
    const slow = world.publisher("slow", { postsPerHour: 3, maxQueueWaitMs: 1_000 });
    for (const n of [1, 2, 3]) await slow.apply(news(`wb-rate-${n}`, 1, `第 ${n} 条`), fromStream);
    const fourth = news("wb-rate-4", 1, "第 4 条");
    const refusal = slow.apply(fourth, fromStream);
    // The runtime retries it when the window has room: a wait the platform names.
    await expect(refusal).rejects.toBeInstanceOf(RetryLaterError);
    await expect(refusal).rejects.toMatchObject({ code: "weibo.posting_window_full" });
    await expect(refusal).rejects.toThrow(/每小时最多发 3 帖.*下一个空位/);

    // A restarted publisher reads the window back from the database.
    const restarted = world.publisher("slow", { postsPerHour: 3, maxQueueWaitMs: 1_000 });
    await expect(restarted.apply(fourth, fromStream)).rejects.toThrow(/下一个空位/);
    expect(world.postsOf("slow")).toHaveLength(3);
    // So are the day's calls and the last post, which freshness is measured by.
    expect(restarted.quota()["statuses/share"]).toEqual({ used: 3, limit: 3 * 24 });
    expect(restarted.lastPost()).toEqual(slow.lastPost());
    expect(restarted.lastPost()?.ref).toContain(postsOfItem("slow", "wb-rate-3")[0]!.id);

    clock.advance(3_600_000 + 1_000);
    await restarted.apply(fourth, { ...fromStream, source: "retry", attempt: 2 });
    await restarted.apply(fourth, { ...fromStream, source: "retry", attempt: 3 });
    expect(world.postsOf("slow")).toHaveLength(4);
    for (const n of [1, 2, 3, 4]) expect(postsOfItem("slow", `wb-rate-${n}`)).toHaveLength(1);
  });

  it("queues a post until a slot opens when the wait is allowed", async () => {
    const queue = world.publisher("queue", { postsPerHour: 1, maxQueueWaitMs: 2 * 3_600_000 });
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
    expect(world.postsOf("queue")).toHaveLength(1);

    clock.advance(3_600_000);
    await second;
    expect(world.postsOf("queue")).toHaveLength(2);
    expect(queue.postingQueue()).toMatchObject({ applies: 0, waitingForSlot: false });
  });

  it("gives up a wait, and a turn in the queue, that would outlast the consumer's session", async () => {
    const late = world.publisher("late", { postsPerHour: 1, maxQueueWaitMs: 300 });
    await late.apply(news("wb-late-1", 1, "先发"), fromStream);
    // The slot opens 100 ms ahead on the platform's clock, which the test holds still.
    clock.advance(3_600_000 - 100);
    const waiting = late.apply(news("wb-late-2", 1, "等空位"), fromStream);
    const behind = late.apply(news("wb-late-3", 1, "排在后面"), fromStream);
    await expect(waiting).rejects.toMatchObject({ code: "weibo.posting_window_full" });
    await expect(behind).rejects.toMatchObject({ code: "weibo.posting_queue_long" });
    expect(world.postsOf("late")).toHaveLength(1);

    clock.advance(100);
    await late.apply(news("wb-late-3", 1, "排在后面"), { ...fromStream, source: "retry" });
    expect(postsOfItem("late", "wb-late-3")).toHaveLength(1);
  });

  it("ends a wait for the window when the publisher closes, for a retry after the restart", async () => {
    const closing = world.publisher("closing", { postsPerHour: 1, maxQueueWaitMs: 2 * 3_600_000 });
    await closing.apply(news("wb-close-1", 1, "关闭前"), fromStream);
    const waiting = closing.apply(news("wb-close-2", 1, "关闭时排队"), fromStream);
    await waitFor(() => closing.postingQueue().waitingForSlot, {
      description: "a wait for a slot",
    });
    await closing.close();
    await expect(waiting).rejects.toMatchObject({ code: "weibo.closing" });
    expect(world.postsOf("closing")).toHaveLength(1);
  });

  it("backs off when the platform says the account posts too fast, and nothing is lost", async () => {
    const faults = world.publisher("faults");
    fault("faults", 10023, 2);
    await faults.apply(news("wb-busy-1", 1, "限流后发出"), fromStream);
    expect(world.livePostsOf("faults")).toHaveLength(1);
    expect(world.callsOf("faults", "statuses/share").map((c) => c.errcode)).toEqual([
      10023, 10023, 0,
    ]);
    // The pause the platform's answer put on the account passes.
    clock.advance(60_000);

    // Past the backoffs the apply fails for the runtime to retry later; then it posts once.
    fault("faults", 20016, 4);
    const later = news("wb-busy-2", 1, "多次限流");
    await expect(faults.apply(later, fromStream)).rejects.toMatchObject({
      name: "RetryLaterError",
      code: "weibo.20016",
    });
    expect(postsOfItem("faults", "wb-busy-2")).toEqual([]);
    // Posting pauses until the next hour; a retry before then spends no call.
    const calls = world.callsOf("faults").length;
    await expect(
      faults.apply(later, { ...fromStream, source: "retry", attempt: 2 }),
    ).rejects.toMatchObject({ code: "weibo.posting_window_full" });
    expect(world.callsOf("faults")).toHaveLength(calls);
    clock.advance(3_600_000);
    await faults.apply(later, { ...fromStream, source: "retry", attempt: 3 });
    expect(postsOfItem("faults", "wb-busy-2")).toHaveLength(1);
  });

  it("re-reads the token once when the platform says it expired", async () => {
    const faults = world.publisher("faults");
    fault("faults", 21327, 1);
    await faults.apply(news("wb-token-1", 1, "凭证刷新"), fromStream);
    expect(postsOfItem("faults", "wb-token-1")).toHaveLength(1);

    // Still refused after the re-read: the runtime retries later, nothing is posted twice.
    fault("faults", 21327, 2);
    const refused = faults.apply(news("wb-token-2", 1, "凭证仍无效"), fromStream);
    await expect(refused).rejects.toMatchObject({ code: "weibo.21327" });
    await expect(refused).rejects.toThrow(/重新授权/);
    expect(postsOfItem("faults", "wb-token-2")).toEqual([]);
  });

  it("turns a platform refusal into a permanent error with the operator's sentence", async () => {
    const unsafe = world.publisher("unsafe");
    const refused = unsafe.apply(news("wb-unsafe", 1, "安全域名已撤销"), fromStream);
    await expect(refused).rejects.toBeInstanceOf(PermanentChannelError);
    await expect(refused).rejects.toMatchObject({ code: "weibo.10017" });
    await expect(refused).rejects.toThrow(/安全域名.*\(10017 /);
    expect(world.postsOf("unsafe")).toEqual([]);

    const faults = world.publisher("faults");
    fault("faults", 20019);
    const duplicate = faults.apply(news("wb-dup", 1, "重复内容"), fromStream);
    await expect(duplicate).rejects.toMatchObject({ code: "weibo.20019" });
    await expect(duplicate).rejects.toThrow(/重复/);
    expect(postsOfItem("faults", "wb-dup")).toEqual([]);
  });

  it("refuses what the renderer refuses before any call", async () => {
    const narrow = world.publisher("press", { safeDomains: ["other.example"] });
    const before = world.callsOf("press").length;
    await expect(
      narrow.apply(news("wb-narrow", 1, "不在安全域名"), fromStream),
    ).rejects.toMatchObject({ name: "PermanentChannelError", code: "weibo.url_not_safe_domain" });
    expect(world.callsOf("press")).toHaveLength(before);
  });
});
