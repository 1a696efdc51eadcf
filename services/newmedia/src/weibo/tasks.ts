import { AwaitingOperatorError, PermanentChannelError } from "@herald/channel-kit";
import { NewmediaRequestError } from "../service";
import { WeiboApiError } from "./client";
import { POST_GONE, showPost, type WeiboContext } from "./context";
import { WeiboRetryableError } from "./calls";
import type { PostDocument, RetiredPost, TaskDocument } from "./store";

/** A post an operator must delete by hand: the platform's API may not delete it. */
export interface OperatorTask {
  /** "<account>/<itemId>/<postId>". */
  id: string;
  outletId: string;
  itemId: string;
  postId: string;
  postUrl: string;
  action: "delete_post";
  /** What to do and why, for the operator. */
  reason: string;
  openedAt: Date;
  doneAt?: Date;
  doneBy?: string;
}

/** Done tasks stay listed this long, so operators see what was just completed. */
const RECENTLY_DONE_MS = 7 * 24 * 3_600_000;

/** The task id `AwaitingOperatorError` carries; the receipt's code is `operator_task.weibo_delete`. */
export const DELETE_TASK = "weibo_delete";

function toTask(doc: TaskDocument): OperatorTask {
  return {
    id: doc._id,
    outletId: doc.outletId,
    itemId: doc.itemId,
    postId: doc.postId,
    postUrl: doc.postUrl,
    action: doc.action,
    reason: doc.reason,
    openedAt: doc.openedAt,
    ...(doc.doneAt ? { doneAt: doc.doneAt } : {}),
    ...(doc.doneBy ? { doneBy: doc.doneBy } : {}),
  };
}

async function openTask(
  ctx: WeiboContext,
  itemId: string,
  post: { postId: string; url: string },
  reason: string,
): Promise<TaskDocument> {
  const task = await ctx.store.openTask({
    _id: ctx.store.taskKey(itemId, post.postId),
    outletId: ctx.outletId,
    itemId,
    postId: post.postId,
    postUrl: post.url,
    action: "delete_post",
    reason,
    openedAt: new Date(ctx.now()),
  });
  ctx.logger.info({ task: task._id, url: post.url }, "weibo delete task open");
  return task;
}

/** Deletes a post through `statuses/destroy/biz` and confirms with `statuses/show`. */
async function destroy(ctx: WeiboContext, postId: string, url: string): Promise<void> {
  await ctx.call("statuses/destroy/biz", async () => {
    try {
      await ctx.client.destroyBiz(postId);
    } catch (error) {
      // Already gone (deleted by hand, or an earlier attempt whose answer was lost).
      if (error instanceof WeiboApiError && error.errorCode === POST_GONE) return;
      throw error;
    }
  });
  if (await showPost(ctx, postId)) {
    throw new WeiboRetryableError(
      "weibo.delete_unconfirmed",
      `已调用微博删除接口，但此帖仍可见：${url}；稍后再确认`,
    );
  }
}

/**
 * Gets rid of an item's earlier posts after a new post replaced them: deleted
 * where the app may delete, else a task for an operator. A failure here never
 * fails the apply (the new post is out): a refused delete becomes a task, and a
 * transient one stays in the list for the next apply or takedown.
 */
export async function retirePosts(ctx: WeiboContext, doc: PostDocument): Promise<PostDocument> {
  if (doc.retire.length === 0) return doc;
  const left: RetiredPost[] = [];
  for (const old of doc.retire) {
    const reason = `该条目已更新，新帖已发出，请在微博手动删除旧帖（第 ${old.version} 版）：${old.url}`;
    if (!ctx.account.commercialDelete) {
      await openTask(ctx, doc.itemId, old, reason);
      continue;
    }
    try {
      await destroy(ctx, old.postId, old.url);
    } catch (error) {
      if (error instanceof PermanentChannelError) {
        ctx.logger.warn({ err: error, url: old.url }, "weibo delete refused; task opened");
        await openTask(ctx, doc.itemId, old, reason);
      } else {
        ctx.logger.warn({ err: error, url: old.url }, "weibo delete of an old post failed");
        left.push(old);
      }
    }
  }
  const next = { ...doc, retire: left };
  await ctx.store.savePost(next);
  return next;
}

/**
 * Takes the item's post off Weibo. With the commercial delete it is deleted and
 * confirmed; otherwise the same operator task is opened on every attempt and the
 * takedown waits on it (`AwaitingOperatorError`) until an operator marks it done.
 */
export async function takedown(ctx: WeiboContext, doc: PostDocument): Promise<void> {
  const current = doc.state === "posted" && doc.postId && doc.url;
  if (ctx.account.commercialDelete) {
    for (const old of doc.retire) await destroy(ctx, old.postId, old.url);
    if (current) await destroy(ctx, doc.postId!, doc.url!);
  } else {
    const open: TaskDocument[] = [];
    const posts = [...doc.retire, ...(current ? [{ postId: doc.postId!, url: doc.url! }] : [])];
    for (const post of posts) {
      const task = await openTask(
        ctx,
        doc.itemId,
        post,
        `该条目已撤回，请在微博手动删除此帖：${post.url}`,
      );
      if (!task.doneAt) open.push(task);
    }
    // Tasks opened when an update replaced a post count too: that post must go as well.
    for (const task of await ctx.store.tasks()) {
      if (task.itemId === doc.itemId && !task.doneAt && !open.some((t) => t._id === task._id)) {
        open.push(task);
      }
    }
    if (open.length > 0) {
      const urls = open.map((t) => t.postUrl).join("、");
      throw new AwaitingOperatorError(
        DELETE_TASK,
        `该条目已撤回，等待运营人员在微博手动删除 ${open.length} 条帖子：${urls}（删除后在任务中标记完成）`,
      );
    }
  }
  await ctx.store.savePost({
    ...doc,
    state: "removed",
    retire: [],
    removedAt: new Date(ctx.now()),
  });
}

/** The account's open tasks and those done in the last week, oldest first. */
export async function listTasks(ctx: WeiboContext): Promise<OperatorTask[]> {
  const since = ctx.now() - RECENTLY_DONE_MS;
  return (await ctx.store.tasks())
    .filter((task) => !task.doneAt || task.doneAt.getTime() >= since)
    .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime())
    .map(toTask);
}

/**
 * An operator says the item's posts are deleted. Each open task of the item is
 * checked on the platform: a post that is gone closes its task; a post still
 * shown keeps it open, and the operator is told which.
 */
export async function completeTask(
  ctx: WeiboContext,
  itemId: string,
  by: string,
): Promise<OperatorTask> {
  const tasks = (await ctx.store.tasks()).filter((task) => task.itemId === itemId);
  const open = tasks.filter((task) => !task.doneAt);
  if (open.length === 0) {
    const done = tasks.sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime())[0];
    if (done) return toTask(done);
    throw new NewmediaRequestError(
      404,
      "task.not_found",
      `账号 ${ctx.account.account} 没有条目 ${itemId} 的微博删除任务`,
    );
  }
  const stillShown: TaskDocument[] = [];
  let last: TaskDocument | undefined;
  for (const task of open) {
    if (await showPost(ctx, task.postId)) {
      stillShown.push(task);
      continue;
    }
    last = { ...task, doneAt: new Date(ctx.now()), doneBy: by };
    await ctx.store.saveTask(last);
    ctx.logger.info({ task: task._id, by }, "weibo delete task done");
  }
  if (stillShown.length > 0) {
    throw new NewmediaRequestError(
      409,
      "task.post_still_visible",
      `微博上仍能看到此帖，任务保持未完成：${stillShown.map((t) => t.postUrl).join("、")}（请先在微博删除，再标记完成）`,
    );
  }
  return toTask(last!);
}
