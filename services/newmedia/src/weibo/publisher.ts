import { PermanentChannelError } from "@herald/channel-kit";
import type { ApplyContext, ApplyResult, Holding } from "@herald/channel-kit";
import type { ItemState } from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import type { Connection } from "mongoose";
import { outletId, readSecret, type WeiboAccount } from "../accounts";
import { renderWeiboPost, type WeiboPost } from "../render/weibo-post";
import { callWeibo, WeiboRetryableError } from "./calls";
import { WeiboApiError, WeiboClient, type WeiboPicture, type WeiboStatus } from "./client";
import { postUrl, showPost, type WeiboContext } from "./context";
import { fetchPicture } from "./picture";
import { AccountRate, beijingTime } from "./rate";
import { WeiboStore, type PostDocument } from "./store";
import { completeTask, listTasks, retirePosts, takedown, type OperatorTask } from "./tasks";

export interface WeiboPublisherOptions {
  account: WeiboAccount;
  /** The portal's public base URL: every post links to the item's page there. */
  portalBaseUrl: string;
  /** The newmedia database. */
  db: Connection;
  logger: Logger;
  now?: () => number;
  /** How long an apply may wait for a posting slot before it throws a retryable error; default 60 s. */
  maxQueueWaitMs?: number;
  /** How often a waiting apply looks at the clock again; default 1 s. */
  pollIntervalMs?: number;
  /** Waits between attempts when the platform is busy or rate limited; default 2 s, 10 s, 30 s. */
  backoffMs?: readonly number[];
  /** The account's calls a day the quota is measured against; default 150 an hour, as the platform's basic grant. */
  dailyCallLimit?: number;
  /** How many of the account's latest posts are read to find one a crash left unrecorded; default 50. */
  recoveryTimelineCount?: number;
}

export interface WeiboPublisher {
  apply(state: ItemState, ctx: ApplyContext): Promise<ApplyResult>;
  remove(state: ItemState, ctx: ApplyContext): Promise<void>;
  verify(holding: Holding): Promise<"present" | "absent">;
  /** Open tasks and those done recently. */
  tasks(): Promise<OperatorTask[]>;
  /** An operator says the item's post is gone: checked on the platform first. */
  completeTask(itemId: string, by: string): Promise<OperatorTask>;
  /** Calls today per API, as this publisher counted them, against the account's limits. */
  quota(): Record<string, { used: number; limit: number }>;
  /** The last confirmed post (persisted). */
  lastPost(): { at: Date; ref: string } | undefined;
  /** Posts waiting their turn: how many applies are queued, whether one waits for the window, and when the window next opens. */
  postingQueue(): { applies: number; waitingForSlot: boolean; nextSlotAt?: Date };
  close(): Promise<void>;
}

/** Duplicate answers: the same text was posted already. */
const DUPLICATE_CODES = new Set([20017, 20019]);
/** A post found on the timeline counts as the intent's when it is at most this much older. */
const CLOCK_SKEW_MS = 60_000;

/**
 * One Weibo account's publisher: posts an item's text with its portal link (and
 * picture) within the account's hourly limit, posts again only when an update
 * changes the text, and takes posts down by API where the app may, else through
 * an operator task. Everything it must remember is in the newmedia database.
 */
export function createWeiboPublisher(options: WeiboPublisherOptions): WeiboPublisher {
  const { account, logger } = options;
  const now = options.now ?? Date.now;
  const maxQueueWaitMs = options.maxQueueWaitMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const backoffMs = options.backoffMs ?? [2_000, 10_000, 30_000];
  const dailyCallLimit = options.dailyCallLimit ?? 150 * 24;
  const store = new WeiboStore(options.db, account.account);
  let token: string | undefined;
  const accessToken = () => (token ??= readSecret(account.accessTokenFile));
  let rate: AccountRate | undefined;
  const client = new WeiboClient({
    baseUrl: account.baseUrl,
    accessToken,
    onCall: (api) => rate?.countCall(api),
  });
  const ready = AccountRate.load(store, account.postsPerHour, now).then((loaded) => {
    rate = loaded;
    return loaded;
  });
  // An unhandled rejection would crash the process before the first apply awaits it.
  ready.catch(() => undefined);

  async function context(): Promise<WeiboContext> {
    const accountRate = await ready;
    return {
      account,
      outletId: outletId("weibo", account.account),
      store,
      rate: accountRate,
      client,
      now,
      logger,
      call: (what, fn) =>
        callWeibo(
          what,
          {
            refreshToken: () => (token = readSecret(account.accessTokenFile)),
            backoffMs,
            now,
            logger,
            // Only posting is limited per hour; reads are not, so only a post pauses the window.
            ...(what === "statuses/share"
              ? { onRateLimited: (until: number) => accountRate.pauseUntil(until) }
              : {}),
          },
          fn,
        ),
    };
  }

  // One platform change at a time per account: the posting window is a queue.
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  // Applies in the queue: the one waiting for a slot, and those behind it.
  let queued = 0;
  let waitingForSlot = false;

  async function waitForSlot(ctx: WeiboContext, startedAt: number): Promise<void> {
    try {
      for (;;) {
        const slot = ctx.rate.nextSlot();
        const at = now();
        if (slot <= at) return;
        if (slot - at > maxQueueWaitMs || Date.now() - startedAt > maxQueueWaitMs) {
          throw new WeiboRetryableError(
            "weibo.posting_window_full",
            `微博账号 ${account.displayName} 每小时最多发 ${account.postsPerHour} 帖，当前已满；下一个空位在 ${beijingTime(slot)}（北京时间），届时重试`,
          );
        }
        waitingForSlot = true;
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollIntervalMs, slot - at)));
      }
    } finally {
      waitingForSlot = false;
    }
  }

  /** A `posting` intent left by a crash: finds the post on the account's timeline if it went out. */
  async function recover(ctx: WeiboContext, doc: PostDocument): Promise<PostDocument> {
    const count = options.recoveryTimelineCount ?? 50;
    const timeline = await ctx.call("statuses/user_timeline", () => client.userTimeline(count));
    const since = doc.intentAt.getTime() - CLOCK_SKEW_MS;
    const found =
      timeline.find((s) => s.text === doc.text) ??
      // The platform may shorten the link in the text; the link and the time still tell.
      timeline.find((s) => s.text.includes(doc.link) && s.createdAt.getTime() >= since);
    if (!found) {
      logger.info({ item: doc.itemId }, "weibo post intent found no post; posting again");
      return doc;
    }
    logger.warn({ item: doc.itemId, post: found.idstr }, "weibo post made before a crash adopted");
    return posted(ctx, doc, found);
  }

  async function posted(
    ctx: WeiboContext,
    intent: PostDocument,
    status: WeiboStatus,
  ): Promise<PostDocument> {
    const postedAt = Number.isNaN(status.createdAt.getTime()) ? new Date(now()) : status.createdAt;
    const doc: PostDocument = {
      ...intent,
      state: "posted",
      postId: status.idstr,
      url: postUrl(account, status),
      postedAt,
    };
    await store.savePost(doc);
    await ctx.rate.recordPost(postedAt, doc.url!);
    return doc;
  }

  async function share(
    ctx: WeiboContext,
    intent: PostDocument,
    picture: WeiboPicture | undefined,
    hadIntent: boolean,
  ): Promise<WeiboStatus | undefined> {
    return ctx.call("statuses/share", async () => {
      try {
        return await client.share(intent.text, picture);
      } catch (error) {
        // A duplicate after an unrecorded attempt is that attempt's post.
        if (hadIntent && error instanceof WeiboApiError && DUPLICATE_CODES.has(error.errorCode)) {
          return undefined;
        }
        throw error;
      }
    });
  }

  async function post(state: ItemState, rendered: WeiboPost, startedAt: number) {
    const ctx = await context();
    let doc = await store.post(state.id);
    const hadIntent = doc?.state === "posting";
    if (doc?.state === "posting") doc = await recover(ctx, doc);
    if (doc) doc = await retirePosts(ctx, doc);
    if (doc?.state === "posted" && doc.text === rendered.text) {
      // Posts cannot be edited: an update that leaves the text alone keeps the post.
      if (doc.version !== state.version) {
        await store.savePost({ ...doc, version: state.version, checksum: state.checksum });
      }
      return { externalRef: doc.url! };
    }
    const picture = rendered.picture ? await pictureFor(rendered.picture) : undefined;
    await waitForSlot(ctx, startedAt);
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
      intentAt: new Date(now()),
      retire,
    };
    await store.savePost(intent);
    const slot = await ctx.rate.takeSlot();
    let status: WeiboStatus | undefined;
    try {
      status = await share(ctx, intent, picture, hadIntent && doc?.state === "posting");
    } catch (error) {
      if (error instanceof PermanentChannelError) {
        // Refused: nothing was posted, so the slot and the earlier record stand.
        await ctx.rate.releaseSlot(slot);
        if (doc) await store.savePost(doc);
        else await store.deletePost(state.id);
      }
      throw error;
    }
    if (!status) {
      const adopted = await recover(ctx, intent);
      if (adopted.state !== "posted") {
        throw new WeiboRetryableError(
          "weibo.duplicate_unresolved",
          `微博称此帖重复，但在账号最近的帖子中找不到它；稍后再查`,
        );
      }
      return { externalRef: (await retirePosts(ctx, adopted)).url! };
    }
    const done = await retirePosts(ctx, await posted(ctx, intent, status));
    logger.info({ item: state.id, version: state.version, url: done.url }, "weibo post made");
    return { externalRef: done.url! };
  }

  async function pictureFor(url: string): Promise<WeiboPicture | undefined> {
    const fetched = await fetchPicture(url);
    if (fetched.ok) return fetched.picture;
    logger.warn({ url, reason: fetched.reason }, "weibo post goes out without its picture");
    return undefined;
  }

  return {
    async apply(state) {
      const startedAt = Date.now();
      const rendered = renderWeiboPost(state, {
        portalBaseUrl: options.portalBaseUrl,
        safeDomains: account.safeDomains,
      });
      if (!rendered.ok) throw new PermanentChannelError(rendered.rule, rendered.message);
      queued += 1;
      try {
        return await serial(() => post(state, rendered.post, startedAt));
      } finally {
        queued -= 1;
      }
    },

    remove(state) {
      return serial(async () => {
        const ctx = await context();
        let doc = await store.post(state.id);
        if (!doc || doc.state === "removed") return;
        if (doc.state === "posting") doc = await recover(ctx, doc);
        await takedown(ctx, doc);
      });
    },

    async verify(holding) {
      const ctx = await context();
      const doc = await store.post(holding.itemId);
      const postId = doc?.postId ?? holding.externalRef.split("/").filter(Boolean).at(-1);
      if (!postId) return "absent";
      return (await showPost(ctx, postId)) ? "present" : "absent";
    },

    async tasks() {
      return listTasks(await context());
    },

    async completeTask(itemId, by) {
      const ctx = await context();
      return serial(() => completeTask(ctx, itemId, by));
    },

    quota() {
      const calls = rate?.callsToday() ?? {};
      const used = Object.values(calls).reduce((sum, n) => sum + n, 0);
      return {
        ...Object.fromEntries(
          Object.entries(calls).map(([api, n]) => [api, { used: n, limit: dailyCallLimit }]),
        ),
        "statuses/share": {
          used: calls["statuses/share"] ?? 0,
          limit: account.postsPerHour * 24,
        },
        all: { used, limit: dailyCallLimit },
      };
    },

    lastPost() {
      return rate?.lastPost();
    },

    postingQueue() {
      const next = rate?.nextSlot();
      return {
        applies: queued,
        waitingForSlot,
        ...(next !== undefined && next > now() ? { nextSlotAt: new Date(next) } : {}),
      };
    },

    async close() {
      await queue;
      await rate?.flush();
    },
  };
}
