import axios from "axios";
import type { Connection } from "mongoose";
import type { ItemState } from "@herald/contracts";
import type { ApplyContext, ApplyResult, Holding } from "@herald/channel-kit";
import type { Logger } from "@herald/runtime";
import { readSecret, type WechatAccount } from "../accounts";
import { WechatClient } from "./client";
import { MediaUploader } from "./media";
import { Publication } from "./publish";
import { PublishJobWatcher } from "./publish-job";
import { QuotaCounter } from "./quota";
import { Retirement } from "./retire";
import { WechatStore } from "./store";
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
  /**
   * How long one apply waits for its job before it fails retryably and leaves the
   * job to the next attempt (which polls the same publish_id). Default 20000: an
   * apply runs inside the channel's Kafka batch, so it stays well under the
   * consumer's session timeout (CHANNEL_SESSION_TIMEOUT_MS, 30 s by default).
   */
  publishTimeoutMs?: number;
  /**
   * Pauses before retrying a busy or rate-limited call within the apply; their
   * number is the number of retries. Default 0.5 s, 1.5 s, 4 s (short, for the
   * same reason as publishTimeoutMs: later retries are the runtime's).
   */
  busyBackoffMs?: readonly number[];
  /** How often deletes the quota held back are tried again (a used-up quota costs no call). Default 10 minutes. */
  pendingDeleteIntervalMs?: number;
  http?: { timeoutMs?: number };
}

export interface WechatPublisher {
  apply(state: ItemState, ctx: ApplyContext): Promise<ApplyResult>;
  remove(state: ItemState, ctx: ApplyContext): Promise<void>;
  verify(holding: Holding): Promise<"present" | "absent">;
  /** A PUBLISHJOBFINISH push, when the service receives one. */
  onPublishEvent(event: PublishJobEvent): void;
  /** Calls today per API that has a daily limit, as this publisher counted them. */
  quota(): Record<string, { used: number; limit: number }>;
  /** The last post the platform confirmed. */
  lastPost(): { at: Date; ref: string } | undefined;
  close(): Promise<void>;
}

/**
 * Daily limits of the calls the account's configuration does not set, from the
 * platform's table of call limits for a new account (ADR 008).
 */
const PLATFORM_DAILY_LIMITS: Readonly<Record<string, number>> = {
  stable_token: 500_000,
  "draft/get": 500,
  "draft/delete": 1_000,
  "freepublish/getarticle": 100,
  "freepublish/batchget": 100,
};

/** A PUBLISHJOBFINISH push, as the service parsed it. */
export interface PublishJobEvent {
  publishId: string;
  status: number;
  articleId?: string;
  /** The first article's article_url from the push's article_detail, when it has one. */
  articleUrl?: string;
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
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly store: WechatStore;
  private readonly quotas: QuotaCounter;
  private readonly client: WechatClient;
  private readonly jobs: PublishJobWatcher;
  private readonly retirement: Retirement;
  private readonly publication: Publication;
  private loading: Promise<void> | undefined;
  private readonly deleteTimer: NodeJS.Timeout;
  private last: { at: Date; ref: string } | undefined;
  private quotaSave: NodeJS.Timeout | undefined;

  constructor(options: WechatPublisherOptions) {
    const { account } = options;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.store = new WechatStore(options.db, account.account);
    this.quotas = new QuotaCounter(
      {
        ...PLATFORM_DAILY_LIMITS,
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
      busyBackoffMs: options.busyBackoffMs ?? [500, 1_500, 4_000],
      onCounted: () => this.scheduleQuotaSave(),
    });
    const media = new MediaUploader({
      appId: account.appId,
      db: options.db,
      client: this.client,
      fetcher: axios.create({ timeout }),
      ...(account.defaultCoverFile ? { defaultCoverFile: account.defaultCoverFile } : {}),
    });
    this.jobs = new PublishJobWatcher(this.client);
    this.retirement = new Retirement({
      account: account.account,
      client: this.client,
      store: this.store,
      quotas: this.quotas,
      logger: this.logger,
    });
    this.publication = new Publication({
      account: account.account,
      client: this.client,
      store: this.store,
      drafts: {
        client: this.client,
        media,
        portalBaseUrl: options.portalBaseUrl,
        author: account.author,
        now: this.now,
      },
      jobs: this.jobs,
      retirement: this.retirement,
      logger: this.logger,
      now: this.now,
      wait: {
        firstPollMs: options.pollIntervalMs ?? 3_000,
        maxPollMs: options.maxPollIntervalMs ?? 60_000,
        timeoutMs: options.publishTimeoutMs ?? 20_000,
      },
      onPosted: async (post) => {
        this.last = post;
        await this.store.saveLastPost(post);
      },
    });
    // Start reading the account's state now; a failure is retried by the first call that needs it.
    this.ready().catch((error: unknown) =>
      this.logger.warn(
        { err: error, account: account.account },
        "could not read the WeChat account's state yet",
      ),
    );
    this.deleteTimer = setInterval(
      () => void this.drainPendingDeletes(),
      options.pendingDeleteIntervalMs ?? 600_000,
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
    return this.publication.publish(state);
  }

  async remove(state: ItemState, _ctx: ApplyContext): Promise<void> {
    await this.ready();
    await this.drainPendingDeletes();
    await this.retirement.remove(await this.store.post(state.id), state.id);
  }

  async verify(holding: Holding): Promise<"present" | "absent"> {
    await this.ready();
    const post = await this.store.post(holding.itemId);
    return (await this.retirement.present(post)) ? "present" : "absent";
  }

  onPublishEvent(event: PublishJobEvent): void {
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
    await this.retirement.settled();
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

  /** Tries the deletes the quota held back, once the account's state is read; never fails the caller. */
  private async drainPendingDeletes(): Promise<void> {
    try {
      await this.ready();
    } catch {
      return;
    }
    await this.retirement.drain();
  }
}
