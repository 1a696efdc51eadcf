import {
  PermanentChannelError,
  RetryLaterError,
  type ApplyContext,
  type ApplyResult,
} from "@herald/channel-kit";
import type { ItemState } from "@herald/contracts";
import type { WeiboPost } from "../render/weibo-post";
import { WeiboRetryableError } from "./calls";
import { WeiboApiError, type WeiboPicture, type WeiboStatus } from "./client";
import { postUrl, showPost, type WeiboContext } from "./context";
import { fetchPicture } from "./picture";
import { beijingTime } from "./rate";
import type { PostDocument } from "./store";
import { retirePosts } from "./tasks";

/** Duplicate answers: the same text was posted already. */
const DUPLICATE_CODES = new Set([20017, 20019]);
/** A post found on the timeline counts as the intent's when it is at most this much older. */
const CLOCK_SKEW_MS = 60_000;

export interface PostingOptions {
  maxQueueWaitMs: number;
  pollIntervalMs: number;
  recoveryTimelineCount: number;
}

/**
 * Makes an item's post: waits for a slot in the account's hourly window, writes
 * the intent, calls `statuses/share`, records the post. An intent found on the
 * next apply (a crash, or an answer lost on the way) is first looked for on the
 * account's timeline, so the post is never made twice.
 */
export class Posting {
  /** Applies waiting their turn, counting the one in progress. */
  queued = 0;
  /** Whether the apply in progress waits for the window to open. */
  waitingForSlot = false;
  /** Set when the publisher closes: a wait for the window ends at once, for a retry after the restart. */
  closing = false;

  constructor(private readonly options: PostingOptions) {}

  async post(
    ctx: WeiboContext,
    state: ItemState,
    rendered: WeiboPost,
    apply: { startedAt: number; source: ApplyContext["source"] },
  ): Promise<ApplyResult> {
    const { store } = ctx;
    let doc = await store.post(state.id);
    const hadIntent = doc?.state === "posting";
    if (doc?.state === "posting") doc = await this.recover(ctx, doc);
    if (doc) doc = await retirePosts(ctx, doc);
    if (
      doc?.state === "posted" &&
      apply.source === "redelivery" &&
      doc.postId &&
      !(await showPost(ctx, doc.postId))
    ) {
      // The runtime redelivers a version whose post it found gone (deleted by hand): post again.
      ctx.logger.warn({ item: state.id, url: doc.url }, "weibo post gone; posting again");
      doc = { ...doc, state: "removed", removedAt: new Date(ctx.now()) };
    }
    if (doc?.state === "posted" && doc.text === rendered.text) {
      // Posts cannot be edited: an update that leaves the text alone keeps the post.
      if (doc.version !== state.version) {
        await store.savePost({ ...doc, version: state.version, checksum: state.checksum });
      }
      return { externalRef: doc.url! };
    }
    const picture = rendered.picture ? await pictureFor(ctx, rendered.picture) : undefined;
    await this.waitForSlot(ctx, apply.startedAt);
    const retire = [...(doc?.retire ?? [])];
    if (doc?.state === "posted" && doc.postId && doc.url) {
      retire.push({ postId: doc.postId, url: doc.url, version: doc.version });
    }
    const intent: PostDocument = {
      _id: store.postKey(state.id),
      itemId: state.id,
      state: "posting",
      version: state.version,
      checksum: state.checksum,
      text: rendered.text,
      link: rendered.url,
      intentAt: new Date(ctx.now()),
      retire,
    };
    await store.savePost(intent);
    const slot = await ctx.rate.takeSlot();
    let status: WeiboStatus | undefined;
    try {
      status = await share(ctx, intent, picture, hadIntent && doc?.state === "posting");
    } catch (error) {
      if (
        error instanceof PermanentChannelError ||
        error instanceof WeiboRetryableError ||
        error instanceof RetryLaterError
      ) {
        // The platform answered with an error: nothing was posted, so the slot and the
        // earlier record stand. (A lost answer leaves the intent, for the next apply to look up.)
        await ctx.rate.releaseSlot(slot);
        if (doc) await store.savePost(doc);
        else await store.deletePost(state.id);
      }
      throw error;
    }
    if (!status) {
      const adopted = await this.recover(ctx, intent);
      if (adopted.state !== "posted") {
        throw new WeiboRetryableError(
          "weibo.duplicate_unresolved",
          "微博称此帖与已发内容重复，但在账号最近的帖子中找不到它；系统稍后再查",
        );
      }
      return { externalRef: (await retirePosts(ctx, adopted)).url! };
    }
    const done = await retirePosts(ctx, await posted(ctx, intent, status));
    ctx.logger.info({ item: state.id, version: state.version, url: done.url }, "weibo post made");
    return { externalRef: done.url! };
  }

  /** A `posting` intent: finds its post on the account's timeline if it went out. */
  async recover(ctx: WeiboContext, doc: PostDocument): Promise<PostDocument> {
    const timeline = await ctx.call("statuses/user_timeline", () =>
      ctx.client.userTimeline(this.options.recoveryTimelineCount),
    );
    const since = doc.intentAt.getTime() - CLOCK_SKEW_MS;
    // The platform may show the link shortened (t.cn): then the words before it and the
    // time tell, as an item's text only changes with a new version.
    const lead = doc.text.replace(doc.link, "").trim();
    const found =
      timeline.find((s) => s.text === doc.text) ??
      timeline.find((s) => s.text.startsWith(lead) && s.createdAt.getTime() >= since);
    if (!found) {
      ctx.logger.info({ item: doc.itemId }, "weibo post intent found no post; posting again");
      return doc;
    }
    ctx.logger.warn({ item: doc.itemId, post: found.idstr }, "weibo post of an intent adopted");
    return posted(ctx, doc, found);
  }

  private async waitForSlot(ctx: WeiboContext, startedAt: number): Promise<void> {
    const { account } = ctx;
    if (Date.now() - startedAt > this.options.maxQueueWaitMs) {
      // Its turn came too late: the apply must end within the consumer's session.
      throw new WeiboRetryableError(
        "weibo.posting_queue_long",
        `微博账号 ${account.displayName} 的待发帖子排队过久，此帖稍后重试`,
      );
    }
    try {
      for (;;) {
        const slot = ctx.rate.nextSlot();
        const at = ctx.now();
        if (slot <= at) return;
        if (this.closing) {
          throw new WeiboRetryableError("weibo.closing", "微博发布服务正在停止，此帖在重启后发出");
        }
        const waited = Date.now() - startedAt;
        if (slot - at > this.options.maxQueueWaitMs || waited > this.options.maxQueueWaitMs) {
          // The post waits for its slot in the runtime's retries, not in this apply.
          throw new RetryLaterError(
            "weibo.posting_window_full",
            `微博账号 ${account.displayName} 每小时最多发 ${account.postsPerHour} 帖，当前已满；下一个空位在 ${beijingTime(slot)}（北京时间），届时重试`,
            slot - at,
          );
        }
        this.waitingForSlot = true;
        const pause = Math.min(this.options.pollIntervalMs, slot - at);
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } finally {
      this.waitingForSlot = false;
    }
  }
}

async function posted(
  ctx: WeiboContext,
  intent: PostDocument,
  status: WeiboStatus,
): Promise<PostDocument> {
  const postedAt = Number.isNaN(status.createdAt.getTime())
    ? new Date(ctx.now())
    : status.createdAt;
  const doc: PostDocument = {
    ...intent,
    state: "posted",
    postId: status.idstr,
    url: postUrl(ctx.account, status),
    postedAt,
  };
  await ctx.store.savePost(doc);
  await ctx.rate.recordPost(postedAt, doc.url!);
  return doc;
}

function share(
  ctx: WeiboContext,
  intent: PostDocument,
  picture: WeiboPicture | undefined,
  afterUnrecordedAttempt: boolean,
): Promise<WeiboStatus | undefined> {
  return ctx.call("statuses/share", async () => {
    try {
      return await ctx.client.share(intent.text, picture);
    } catch (error) {
      // A duplicate after an unrecorded attempt is that attempt's post.
      if (
        afterUnrecordedAttempt &&
        error instanceof WeiboApiError &&
        DUPLICATE_CODES.has(error.errorCode)
      ) {
        return undefined;
      }
      throw error;
    }
  });
}

async function pictureFor(ctx: WeiboContext, url: string): Promise<WeiboPicture | undefined> {
  const fetched = await fetchPicture(url);
  if (fetched.ok) return fetched.picture;
  ctx.logger.warn({ url, reason: fetched.reason }, "weibo post goes out without its picture");
  return undefined;
}
