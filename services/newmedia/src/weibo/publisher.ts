import { PermanentChannelError } from "@herald/channel-kit";
import type { ApplyContext, ApplyResult, Holding } from "@herald/channel-kit";
import type { ItemState } from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import type { Connection } from "mongoose";
import { outletId, readSecret, type WeiboAccount } from "../accounts";
import { renderWeiboPost } from "../render/weibo-post";
import { callWeibo } from "./calls";
import { WeiboClient } from "./client";
import { showPost, type WeiboContext } from "./context";
import { Posting } from "./posting";
import { AccountRate } from "./rate";
import { WeiboStore } from "./store";
import { completeTask, listTasks, takedown, type OperatorTask } from "./tasks";

export interface WeiboPublisherOptions {
  account: WeiboAccount;
  /** The portal's public base URL: every post links to the item's page there. */
  portalBaseUrl: string;
  /** The newmedia database. */
  db: Connection;
  logger: Logger;
  now?: () => number;
  /**
   * How long an apply may wait for a posting slot before it throws a retryable
   * error; default 15 s. An apply runs inside the channel's Kafka batch, which must
   * answer within the consumer's session timeout (30 s by default), so a longer
   * wait belongs to the runtime's retries.
   */
  maxQueueWaitMs?: number;
  /** How often a waiting apply looks at the clock again; default 1 s. */
  pollIntervalMs?: number;
  /** Waits between attempts when the platform is busy or rate limited; default 1 s, 2 s, 4 s (inside the session timeout too). */
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

/**
 * One Weibo account's publisher: posts an item's text with its portal link (and
 * picture) within the account's hourly limit, posts again only when an update
 * changes the text, and takes posts down by API where the app may, else through
 * an operator task. Everything it must remember is in the newmedia database.
 */
export function createWeiboPublisher(options: WeiboPublisherOptions): WeiboPublisher {
  const { account, logger } = options;
  const now = options.now ?? Date.now;
  const backoffMs = options.backoffMs ?? [1_000, 2_000, 4_000];
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
  let loading: Promise<AccountRate> | undefined;
  /** The account's rate state, read once; a failed read (the database not yet up) is tried again. */
  function loadRate(): Promise<AccountRate> {
    loading ??= AccountRate.load(store, account.postsPerHour, now).then(
      (loaded) => (rate = loaded),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  }
  // Read it now so quota() and lastPost() have it before the first apply.
  loadRate().catch((error: unknown) =>
    logger.warn({ err: error }, "weibo account state not read yet; read again on first use"),
  );

  async function context(): Promise<WeiboContext> {
    const accountRate = await loadRate();
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

  const posting = new Posting({
    maxQueueWaitMs: options.maxQueueWaitMs ?? 15_000,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    recoveryTimelineCount: options.recoveryTimelineCount ?? 50,
  });

  return {
    async apply(state, ctx) {
      const startedAt = Date.now();
      const rendered = renderWeiboPost(state, {
        portalBaseUrl: options.portalBaseUrl,
        safeDomains: account.safeDomains,
      });
      if (!rendered.ok) throw new PermanentChannelError(rendered.rule, rendered.message);
      posting.queued += 1;
      try {
        return await serial(async () =>
          posting.post(await context(), state, rendered.post, { startedAt, source: ctx.source }),
        );
      } finally {
        posting.queued -= 1;
      }
    },

    remove(state) {
      return serial(async () => {
        const ctx = await context();
        let doc = await store.post(state.id);
        if (!doc || doc.state === "removed") return;
        if (doc.state === "posting") doc = await posting.recover(ctx, doc);
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
        applies: posting.queued,
        waitingForSlot: posting.waitingForSlot,
        ...(next !== undefined && next > now() ? { nextSlotAt: new Date(next) } : {}),
      };
    },

    async close() {
      posting.closing = true;
      await queue;
      await rate?.flush();
    },
  };
}
