import { AwaitingOperatorError } from "@herald/channel-kit";
import { takenDown } from "@herald/channel-kit/testing";
import { TakedownKind } from "@herald/contracts";
import { renderWeiboPost } from "../src/render/weibo-post";
import { WeiboClient } from "../src/weibo/client";
import { WeiboStore } from "../src/weibo/store";
import { fromStream, heldAt, news, PORTAL, PORTAL_HOST, useWeiboWorld } from "./weibo-support";

const world = useWeiboWorld("weibo-takedown", [
  { uid: "2001", name: "press" },
  { uid: "2002", name: "biz", commercial: true },
  { uid: "2003", name: "crash" },
]);
const { clock } = world;
const withdrawn = (id: string, version: number) =>
  takenDown(id, version, TakedownKind.TAKEDOWN_KIND_WITHDRAWN);
const postOfItem = (name: string, itemId: string) =>
  world.postsOf(name).find((p) => p.text.includes(`/items/${itemId}`));

/** Leaves what a crash before the post's record leaves: the intent of `state`'s post. */
async function intentOf(account: string, state: ReturnType<typeof news>) {
  const rendered = renderWeiboPost(state, { portalBaseUrl: PORTAL, safeDomains: [PORTAL_HOST] });
  if (!rendered.ok) throw new Error(rendered.message);
  const store = new WeiboStore(world.connection, account);
  await store.savePost({
    _id: store.postKey(state.id),
    itemId: state.id,
    state: "posting",
    version: state.version,
    checksum: state.checksum,
    text: rendered.post.text,
    link: rendered.post.url,
    intentAt: new Date(clock.now()),
    retire: [],
  });
  return rendered.post.text;
}

describe("Weibo publisher: takedown and crashes", () => {
  it("takes a post down through an operator task when the app may not delete", async () => {
    const press = world.publisher("press");
    const { externalRef } = await press.apply(news("wb-down", 1, "将被撤回"), fromStream);
    const post = postOfItem("press", "wb-down")!;

    for (let attempt = 1; attempt <= 2; attempt++) {
      const waiting = press.remove(withdrawn("wb-down", 2), { ...fromStream, attempt });
      await expect(waiting).rejects.toBeInstanceOf(AwaitingOperatorError);
      await expect(waiting).rejects.toMatchObject({ code: "operator_task.weibo_delete" });
    }
    expect(await press.tasks()).toEqual([
      {
        id: `press/wb-down/${post.id}`,
        outletId: "weibo:press",
        itemId: "wb-down",
        postId: post.id,
        postUrl: externalRef,
        action: "delete_post",
        reason: `该条目已撤回，请在微博手动删除此帖：${externalRef}`,
        openedAt: expect.any(Date),
      },
    ]);

    // The operator says done too early: the post is still there, the task stays open.
    await expect(press.completeTask("wb-down", "editor-li")).rejects.toThrow(/仍能看到此帖/);
    await expect(press.remove(withdrawn("wb-down", 2), fromStream)).rejects.toBeInstanceOf(
      AwaitingOperatorError,
    );

    world.emulator().control.deleteWeiboPost(world.uidOf("press"), post.id);
    const done = await press.completeTask("wb-down", "editor-li");
    expect(done).toMatchObject({ doneBy: "editor-li", doneAt: new Date(clock.now()) });
    await press.remove(withdrawn("wb-down", 2), { ...fromStream, source: "redelivery" });
    await expect(press.verify(heldAt("wb-down", externalRef!))).resolves.toBe("absent");
    expect((await press.tasks())[0]).toMatchObject({ doneBy: "editor-li" });
  });

  it("waits for every post of an updated item before its takedown completes", async () => {
    const press = world.publisher("press");
    const v1 = await press.apply(news("wb-two", 1, "第一版"), fromStream);
    const v2 = await press.apply(news("wb-two", 2, "第二版"), fromStream);
    const ref1 = v1.externalRef ?? "";
    const ref2 = v2.externalRef ?? "";
    expect([ref1, ref2]).toEqual([
      expect.stringMatching(/^https:\/\/weibo\.com\//),
      expect.stringMatching(/^https:\/\/weibo\.com\//),
    ]);
    const waiting = press.remove(withdrawn("wb-two", 3), fromStream);
    await expect(waiting).rejects.toBeInstanceOf(AwaitingOperatorError);
    await expect(waiting).rejects.toThrow(/2 条帖子/);

    const idOf = (ref: string) => ref.split("/").at(-1)!;
    world.emulator().control.deleteWeiboPost(world.uidOf("press"), idOf(ref2));
    // One of the two is still shown: its task stays open, and the operator is told which.
    await expect(press.completeTask("wb-two", "editor-wang")).rejects.toThrow(ref1);
    await expect(press.remove(withdrawn("wb-two", 3), fromStream)).rejects.toThrow(/1 条帖子/);

    world.emulator().control.deleteWeiboPost(world.uidOf("press"), idOf(ref1));
    await press.completeTask("wb-two", "editor-wang");
    await press.remove(withdrawn("wb-two", 3), { ...fromStream, source: "redelivery" });
    const tasks = (await press.tasks()).filter((t) => t.itemId === "wb-two");
    expect(tasks.map((t) => [t.postUrl, t.doneBy])).toEqual([
      [ref1, "editor-wang"],
      [ref2, "editor-wang"],
    ]);
  });

  it("says absent when a post was deleted by hand, and posts it again on the redelivery", async () => {
    const press = world.publisher("press");
    const { externalRef } = await press.apply(news("wb-gone", 1, "被手动删除"), fromStream);
    await expect(press.verify(heldAt("wb-gone", externalRef!))).resolves.toBe("present");
    world
      .emulator()
      .control.deleteWeiboPost(world.uidOf("press"), postOfItem("press", "wb-gone")!.id);
    await expect(press.verify(heldAt("wb-gone", externalRef!))).resolves.toBe("absent");

    // The runtime then redelivers the held version: it is posted again, once.
    const again = await press.apply(news("wb-gone", 1, "被手动删除"), {
      ...fromStream,
      source: "redelivery",
    });
    expect(again.externalRef).not.toBe(externalRef);
    expect(
      world.livePostsOf("press").filter((p) => p.text.includes("/items/wb-gone")),
    ).toHaveLength(1);
    await expect(press.verify(heldAt("wb-gone", again.externalRef!))).resolves.toBe("present");
  });

  it("deletes and confirms through statuses/destroy/biz where the app may", async () => {
    const biz = world.publisher("biz");
    await biz.apply(news("wb-biz", 1, "商业删除"), fromStream);
    await biz.remove(withdrawn("wb-biz", 2), fromStream);
    expect(world.postsOf("biz").map((p) => p.deleted)).toEqual([true]);
    expect(world.callsOf("biz").map((c) => `${c.api} ${c.errcode}`)).toEqual([
      "statuses/share 0",
      "statuses/destroy/biz 0",
      "statuses/show 20101",
    ]);
    expect(await biz.tasks()).toEqual([]);
    // A second takedown of the same item calls nothing.
    await biz.remove(withdrawn("wb-biz", 2), { ...fromStream, source: "redelivery" });
    expect(world.callsOf("biz")).toHaveLength(3);
  });

  it("deletes the replaced post of an update where the app may", async () => {
    const biz = world.publisher("biz");
    await biz.apply(news("wb-biz-upd", 1, "旧标题"), fromStream);
    await biz.apply(news("wb-biz-upd", 2, "新标题"), fromStream);
    const ofItem = world.postsOf("biz").filter((p) => p.text.includes("/items/wb-biz-upd"));
    // Both were posted at the same moment of the test's clock: told apart by their text.
    const byTitle = Object.fromEntries(
      ofItem.map((p) => [p.text.includes("新标题") ? "new" : "old", p.deleted]),
    );
    expect(byTitle).toEqual({ new: false, old: true });
    expect(await biz.tasks()).toEqual([]);
  });

  it("after a crash between the post and its record, finds the post instead of posting again", async () => {
    const state = news("wb-crash", 1, "崩溃之前");
    const text = await intentOf("crash", state);
    // The crashed process's post went out.
    const made = await new WeiboClient({
      baseUrl: world.emulator().url,
      accessToken: () => `token-${world.uidOf("crash")}`,
    }).share(text);

    const crash = world.publisher("crash");
    const result = await crash.apply(state, { ...fromStream, source: "retry", attempt: 2 });
    expect(world.postsOf("crash")).toHaveLength(1);
    expect(result.externalRef).toBe(`https://weibo.com/${world.uidOf("crash")}/${made.idstr}`);
    expect(crash.lastPost()?.ref).toBe(result.externalRef);
  });

  it("after a crash before the post went out, posts it once", async () => {
    const state = news("wb-crash-2", 1, "未发出");
    const text = await intentOf("crash", state);
    const crash = world.publisher("crash");
    await crash.apply(state, { ...fromStream, source: "retry", attempt: 2 });
    await crash.apply(state, { ...fromStream, source: "redelivery", attempt: 3 });
    expect(world.postsOf("crash").filter((p) => p.text === text)).toHaveLength(1);
  });

  it("takes down an item whose post a crash left unrecorded", async () => {
    const state = news("wb-crash-3", 1, "撤回未记录的帖");
    const text = await intentOf("crash", state);
    await new WeiboClient({
      baseUrl: world.emulator().url,
      accessToken: () => `token-${world.uidOf("crash")}`,
    }).share(text);
    const crash = world.publisher("crash");
    await expect(crash.remove(withdrawn("wb-crash-3", 2), fromStream)).rejects.toBeInstanceOf(
      AwaitingOperatorError,
    );
    const [task] = (await crash.tasks()).filter((t) => t.itemId === "wb-crash-3");
    expect(task?.postId).toBe(world.postsOf("crash").find((p) => p.text === text)!.id);
  });
});
