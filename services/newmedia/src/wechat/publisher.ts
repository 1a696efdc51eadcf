import axios from "axios";
import type { Connection } from "mongoose";
import type { ItemState } from "@herald/contracts";
import type { ApplyContext, ApplyResult, Holding } from "@herald/channel-kit";
import { PermanentChannelError } from "@herald/channel-kit";
import type { Logger } from "@herald/runtime";
import { readSecret, type WechatAccount } from "../accounts";
import { rehostImages, renderWechatArticle } from "../render/wechat-article";
import { articleState, deleteArticle, deleteDraft, draftExists, findPublished } from "./articles";
import { WechatClient, type WechatReply } from "./client";
import { WechatQuotaError, WechatRetryableError } from "./errors";
import { MediaUploader } from "./media";
import {
  getPublishJob,
  PublishJobWatcher,
  PublishStatus,
  type PublishJobState,
} from "./publish-job";
import { QuotaCounter } from "./quota";
import { WechatStore, type PendingPublish, type PostDocument } from "./store";
import { TokenSource } from "./token";

export interface WechatPublisherOptions {
  account: WechatAccount;
  portalBaseUrl: string;
  db: Connection;
  logger: Logger;
  now?: () => number;
  /** The first poll of a publish job; later polls back off. Default 3000. */
  pollIntervalMs?: number;
  /** Longest gap between two polls of one job. Default 60000. */
  maxPollIntervalMs?: number;
  /** How long one apply waits for a job before it fails and leaves the job to the next attempt. Default 600000. */
  publishTimeoutMs?: number;
  /** Pauses before retrying a busy or rate-limited call; their number is the number of retries. Default 1 s, 3 s, 9 s. */
  busyBackoffMs?: readonly number[];
  /** How often deletes the quota held back are tried again. Default hourly. */
  pendingDeleteIntervalMs?: number;
  http?: { timeoutMs?: number };
}

export interface WechatPublisher {
  apply(state: ItemState, ctx: ApplyContext): Promise<ApplyResult>;
  remove(state: ItemState, ctx: ApplyContext): Promise<void>;
  verify(holding: Holding): Promise<"present" | "absent">;
  /** A PUBLISHJOBFINISH push, when the service receives one. */
  onPublishEvent(event: { publishId: string; status: number; articleId?: string }): void;
  /** Calls today per API that has a daily limit, as this publisher counted them. */
  quota(): Record<string, { used: number; limit: number }>;
  /** The last post the platform confirmed. */
  lastPost(): { at: Date; ref: string } | undefined;
  close(): Promise<void>;
}

/** stable_token's documented daily limit in normal mode. */
const STABLE_TOKEN_DAILY = 500_000;

/** Why a finished job published nothing, by publish_status. */
const JOB_REFUSALS: Record<number, { rule: string; sentence: string }> = {
  [PublishStatus.ORIGINALITY_FAILED]: {
    rule: "wechat.publish_originality",
    sentence: "微信公众号发布失败：原创声明校验未通过",
  },
  [PublishStatus.FAILED]: {
    rule: "wechat.publish_failed",
    sentence: "微信公众号发布失败（常规失败）",
  },
  [PublishStatus.REVIEW_REFUSED]: {
    rule: "wechat.publish_refused",
    sentence: "微信公众号拒绝发布：平台审核不通过",
  },
  [PublishStatus.BANNED]: {
    rule: "wechat.publish_banned",
    sentence: "微信公众号发布后文章被平台封禁",
  },
};

interface SubmitReply extends WechatReply {
  publish_id?: string;
}

/**
 * The WeChat pipeline of one official account: render, upload the cover and body
 * images, save a draft, submit it for publishing and wait for the job. Every step
 * that creates something on the platform is recorded before the next, so a
 * restart resumes the job it started instead of publishing a second article.
 */
export function createWechatPublisher(options: WechatPublisherOptions): WechatPublisher {
  return new WechatPipeline(options);
}

class WechatPipeline implements WechatPublisher {
  private readonly account: WechatAccount;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly store: WechatStore;
  private readonly quotas: QuotaCounter;
  private readonly client: WechatClient;
  private readonly media: MediaUploader;
  private readonly jobs: PublishJobWatcher;
  private loading: Promise<void> | undefined;
  private readonly deleteTimer: NodeJS.Timeout;
  private last: { at: Date; ref: string } | undefined;
  private quotaSave: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;

  constructor(private readonly options: WechatPublisherOptions) {
    const { account } = options;
    this.account = account;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.store = new WechatStore(options.db, account.account);
    this.quotas = new QuotaCounter(
      {
        stable_token: STABLE_TOKEN_DAILY,
        "draft/add": account.quotas.draftAdd,
        "freepublish/submit": account.quotas.submit,
        "freepublish/get": account.quotas.get,
        "freepublish/delete": account.quotas.delete,
      },
      this.now,
    );
    const timeout = options.http?.timeoutMs ?? 15_000;
    // WeChat answers errors with HTTP 200 and an errcode; the client reads both.
    const http = axios.create({ baseURL: account.baseUrl, timeout, validateStatus: () => true });
    const tokens = new TokenSource({
      http,
      appId: account.appId,
      secret: readSecret(account.secretFile),
      now: this.now,
      logger: this.logger,
      onCall: (api) => {
        this.quotas.count(api);
        this.scheduleQuotaSave();
      },
    });
    this.client = new WechatClient({
      http,
      tokens,
      quota: this.quotas,
      logger: this.logger,
      busyBackoffMs: options.busyBackoffMs ?? [1_000, 3_000, 9_000],
      onCounted: () => this.scheduleQuotaSave(),
    });
    this.media = new MediaUploader({
      appId: account.appId,
      db: options.db,
      client: this.client,
      fetcher: axios.create({ timeout }),
      ...(account.defaultCoverFile ? { defaultCoverFile: account.defaultCoverFile } : {}),
    });
    this.jobs = new PublishJobWatcher(this.client);
    // Start reading the account's state now; a failure is retried by the first call that needs it.
    this.ready().catch((error: unknown) =>
      this.logger.warn(
        { err: error, account: account.account },
        "could not read the WeChat account's state yet",
      ),
    );
    this.deleteTimer = setInterval(
      () => void this.drainPendingDeletes(),
      options.pendingDeleteIntervalMs ?? 3_600_000,
    );
    this.deleteTimer.unref();
  }

  /** The account's persisted state (last post, today's call counts), read once. */
  private ready(): Promise<void> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const state = await this.store.accountState();
    if (state?.lastPost) this.last = state.lastPost;
    if (state?.quota) this.quotas.restore(state.quota);
  }

  async apply(state: ItemState, _ctx: ApplyContext): Promise<ApplyResult> {
    await this.ready();
    await this.drainPendingDeletes();
    const version = Number(state.version);
    let post = await this.store.post(state.id);
    // Published and recorded, but the holding write never happened: nothing to do again.
    if (post.live?.version === version) return { externalRef: post.live.articleUrl };

    let pending = post.pending;
    if (pending && pending.version !== version) {
      await this.abandon(state.id, pending);
      pending = undefined;
    }
    if (pending && !pending.publishId) {
      // The draft was saved, but submit's answer was never recorded: the job may
      // exist. Look before submitting a second one.
      const found = await findPublished(this.client, {
        title: pending.title,
        contentSourceUrl: pending.contentSourceUrl,
        since: pending.draftedAt,
        ...(post.live ? { except: post.live.articleId } : {}),
      });
      if (found) {
        this.logger.info(
          { itemId: state.id, articleId: found.articleId },
          "found the article a previous attempt published",
        );
        return this.confirmed(post, version, found);
      }
      if (!(await draftExists(this.client, pending.mediaId))) {
        throw new WechatRetryableError(
          "wechat.publish_unknown",
          `微信公众号草稿已不在草稿箱，但尚未见到已发布的文章：稍后再查 (media_id ${pending.mediaId})`,
        );
      }
    }
    if (!pending) {
      pending = await this.draft(state, version);
      post = { ...post, pending };
      await this.store.savePost(post);
    }
    if (!pending.publishId) {
      const reply = await this.client.call<SubmitReply>("freepublish/submit", {
        media_id: pending.mediaId,
      });
      if (!reply.publish_id) {
        throw new WechatRetryableError(
          "wechat.bad_response",
          "微信接口返回了无法识别的应答 (freepublish/submit: publish_id missing)",
        );
      }
      pending = { ...pending, publishId: reply.publish_id, submittedAt: new Date(this.now()) };
      post = { ...post, pending };
      await this.store.savePost(post);
    }
    const job = await this.jobs.wait(pending.publishId!, {
      firstPollMs: this.options.pollIntervalMs ?? 3_000,
      maxPollMs: this.options.maxPollIntervalMs ?? 60_000,
      timeoutMs: this.options.publishTimeoutMs ?? 600_000,
      now: this.now,
    });
    return this.finished(post, version, job);
  }

  /** Renders the article, uploads what it shows and saves it as a draft. */
  private async draft(state: ItemState, version: number): Promise<PendingPublish> {
    const rendered = renderWechatArticle(state, {
      portalBaseUrl: this.options.portalBaseUrl,
      author: this.account.author,
    });
    if (!rendered.ok) throw new PermanentChannelError(rendered.rule, rendered.message);
    const { coverUrl, images } = rendered.article;
    const thumbMediaId = await this.media.cover(
      coverUrl,
      coverUrl !== undefined && images.includes(coverUrl),
    );
    const hosted = await this.media.bodyImages(rendered.article.images);
    const rehosted = rehostImages(rendered.article, hosted);
    if (!rehosted.ok) throw new PermanentChannelError(rehosted.rule, rehosted.message);
    const article = rehosted.article;
    const reply = await this.client.call<WechatReply & { media_id?: string }>("draft/add", {
      articles: [
        {
          title: article.title,
          author: article.author,
          digest: article.digest,
          content: article.content,
          content_source_url: article.contentSourceUrl,
          thumb_media_id: thumbMediaId,
          need_open_comment: 0,
          only_fans_can_comment: 0,
        },
      ],
    });
    if (!reply.media_id) {
      throw new WechatRetryableError(
        "wechat.bad_response",
        "微信接口返回了无法识别的应答 (draft/add: media_id missing)",
      );
    }
    return {
      version,
      checksum: state.checksum,
      title: article.title,
      contentSourceUrl: article.contentSourceUrl,
      mediaId: reply.media_id,
      draftedAt: new Date(this.now()),
    };
  }

  /** What a job's end means for the apply. */
  private async finished(
    post: PostDocument,
    version: number,
    job: PublishJobState,
  ): Promise<ApplyResult> {
    if (job.status === PublishStatus.PUBLISHED) return this.confirmed(post, version, job);
    if (job.status === PublishStatus.PUBLISHING) {
      throw new WechatRetryableError(
        "wechat.publish_pending",
        `微信公众号发布任务仍在进行中，下次重试继续查询同一任务 (publish_id ${post.pending?.publishId ?? ""})`,
      );
    }
    // The job ended without an article: a later attempt must start from a new draft.
    await this.store.savePost({ _id: post._id, ...(post.live ? { live: post.live } : {}) });
    if (job.status === PublishStatus.DELETED) {
      throw new WechatRetryableError(
        "wechat.publish_deleted",
        `微信公众号文章发布后已被删除，将重新发布 (publish_id ${post.pending?.publishId ?? ""})`,
      );
    }
    const refusal = JOB_REFUSALS[job.status] ?? {
      rule: "wechat.publish_failed",
      sentence: "微信公众号发布失败",
    };
    const failed = job.failIdx?.length ? `, fail_idx ${job.failIdx.join(",")}` : "";
    throw new PermanentChannelError(
      refusal.rule,
      `${refusal.sentence} (freepublish/get: publish_status ${job.status}${failed})`,
    );
  }

  /**
   * The platform published `version`: record it, then retire the article it
   * replaces. The old article is listed for deletion before the new one is
   * recorded, so a crash in between cannot forget it.
   */
  private async confirmed(
    post: PostDocument,
    version: number,
    job: { articleId?: string; articleUrl?: string },
  ): Promise<ApplyResult> {
    if (!job.articleId) {
      throw new WechatRetryableError(
        "wechat.bad_response",
        "微信接口返回了无法识别的应答 (freepublish/get: article_id missing)",
      );
    }
    const articleUrl = job.articleUrl || (await this.articleUrl(job.articleId));
    const old = post.live;
    if (old && old.articleId !== job.articleId) {
      await this.store.addPendingDelete({
        itemId: post._id.slice(this.account.account.length + 1),
        version: old.version,
        articleId: old.articleId,
        since: new Date(this.now()),
      });
    }
    const at = new Date(this.now());
    await this.store.savePost({
      _id: post._id,
      live: { version, articleId: job.articleId, articleUrl, publishedAt: at },
    });
    this.last = { at, ref: articleUrl };
    await this.store.saveLastPost(this.last);
    if (old) await this.drainPendingDeletes();
    return { externalRef: articleUrl };
  }

  private async articleUrl(articleId: string): Promise<string> {
    const reply = await this.client.call<WechatReply & { news_item?: Array<{ url?: string }> }>(
      "freepublish/getarticle",
      { article_id: articleId },
    );
    return reply.news_item?.[0]?.url ?? "";
  }

  /** A pending publish of an older version that a newer one overtakes. */
  private async abandon(itemId: string, pending: PendingPublish): Promise<void> {
    if (pending.publishId) {
      // Its job may still publish: its article, if one appears, goes.
      await this.store.addPendingDelete({
        itemId,
        version: pending.version,
        publishId: pending.publishId,
        since: new Date(this.now()),
      });
    } else {
      await deleteDraft(this.client, pending.mediaId).catch((error: unknown) =>
        this.logger.warn({ itemId, err: error }, "could not delete an abandoned WeChat draft"),
      );
    }
  }

  async remove(state: ItemState, _ctx: ApplyContext): Promise<void> {
    await this.ready();
    await this.drainPendingDeletes();
    const post = await this.store.post(state.id);
    const doomed: string[] = [];
    if (post.pending?.publishId) {
      const job = await getPublishJob(this.client, post.pending.publishId);
      if (job.status === PublishStatus.PUBLISHING) {
        throw new WechatRetryableError(
          "wechat.publish_pending",
          "微信公众号发布任务尚未结束，待其结束后再删除文章",
        );
      }
      if (job.status === PublishStatus.PUBLISHED && job.articleId) doomed.push(job.articleId);
    } else if (post.pending) {
      await deleteDraft(this.client, post.pending.mediaId);
    }
    if (post.live && !doomed.includes(post.live.articleId)) doomed.push(post.live.articleId);
    for (const articleId of doomed) {
      if ((await deleteArticle(this.client, articleId)) === "quota") {
        const resetsAt = this.quotas.resetsAt();
        throw new WechatQuotaError(
          "freepublish/delete",
          resetsAt,
          `微信公众号今日删除次数已用完，撤下将在 ${resetsAt.toISOString()} 配额重置后进行 (article_id ${articleId})`,
        );
      }
      this.logger.info({ itemId: state.id, articleId }, "WeChat article deleted and confirmed");
    }
    await this.store.savePost({ _id: post._id });
  }

  async verify(holding: Holding): Promise<"present" | "absent"> {
    await this.ready();
    const post = await this.store.post(holding.itemId);
    if (!post.live) return "absent";
    return (await articleState(this.client, post.live.articleId)) === "present"
      ? "present"
      : "absent";
  }

  onPublishEvent(event: { publishId: string; status: number; articleId?: string }): void {
    this.jobs.notify(event);
  }

  quota(): Record<string, { used: number; limit: number }> {
    return this.quotas.report();
  }

  lastPost(): { at: Date; ref: string } | undefined {
    return this.last;
  }

  async close(): Promise<void> {
    clearInterval(this.deleteTimer);
    this.jobs.close();
    await this.draining?.catch(() => undefined);
    if (this.quotaSave) {
      clearTimeout(this.quotaSave);
      this.quotaSave = undefined;
      await this.store.saveQuota(this.quotas.snapshot());
    }
  }

  /** Persists the call counts at most once a second, so a restart keeps today's. */
  private scheduleQuotaSave(): void {
    if (this.quotaSave) return;
    this.quotaSave = setTimeout(() => {
      this.quotaSave = undefined;
      this.store
        .saveQuota(this.quotas.snapshot())
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, "could not save WeChat call counts"),
        );
    }, 1_000);
    this.quotaSave.unref();
  }

  /** Tries the deletes the quota held back; never fails the caller. */
  private drainPendingDeletes(): Promise<void> {
    this.draining ??= this.drain()
      .catch((error: unknown) =>
        this.logger.warn(
          { err: error, account: this.account.account },
          "pending WeChat deletes not done yet",
        ),
      )
      .finally(() => {
        this.draining = undefined;
      });
    return this.draining;
  }

  private async drain(): Promise<void> {
    await this.ready();
    for (const entry of await this.store.listPendingDeletes()) {
      let articleId = entry.articleId;
      if (!articleId && entry.publishId) {
        const job = await getPublishJob(this.client, entry.publishId);
        if (job.status === PublishStatus.PUBLISHING) continue;
        articleId = job.status === PublishStatus.PUBLISHED ? job.articleId : undefined;
      }
      if (articleId && (await deleteArticle(this.client, articleId)) === "quota") {
        this.logger.warn(
          {
            account: this.account.account,
            articleId,
            itemId: entry.itemId,
            resetsAt: this.quotas.resetsAt(),
          },
          "微信公众号今日删除次数已用完：旧文章待配额重置后删除",
        );
        return;
      }
      await this.store.dropPendingDelete(entry._id);
    }
  }
}
