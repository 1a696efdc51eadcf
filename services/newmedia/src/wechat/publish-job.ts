import type { WechatClient, WechatReply } from "./client";

/** freepublish/get's publish_status values. */
export const PublishStatus = {
  PUBLISHED: 0,
  PUBLISHING: 1,
  ORIGINALITY_FAILED: 2,
  FAILED: 3,
  REVIEW_REFUSED: 4,
  DELETED: 5,
  BANNED: 6,
} as const;

export interface PublishJobState {
  status: number;
  articleId?: string;
  articleUrl?: string;
  failIdx?: number[];
}

interface FreepublishGetReply extends WechatReply {
  publish_id?: string;
  publish_status?: number;
  article_id?: string;
  article_detail?: { count?: number; item?: Array<{ idx?: number; article_url?: string }> };
  fail_idx?: number[];
}

/** One freepublish/get: the job's status and, once published, its article. */
export async function getPublishJob(
  client: WechatClient,
  publishId: string,
): Promise<PublishJobState> {
  const reply = await client.call<FreepublishGetReply>("freepublish/get", {
    publish_id: publishId,
  });
  const articleUrl = reply.article_detail?.item?.[0]?.article_url;
  return {
    status: reply.publish_status ?? PublishStatus.PUBLISHING,
    ...(reply.article_id ? { articleId: reply.article_id } : {}),
    ...(articleUrl ? { articleUrl } : {}),
    ...(reply.fail_idx ? { failIdx: reply.fail_idx } : {}),
  };
}

export interface WaitOptions {
  firstPollMs: number;
  /** Polls back off by doubling up to this interval, to spare the 100-a-day get quota. */
  maxPollMs: number;
  timeoutMs: number;
  now: () => number;
}

/** Pushes kept for jobs no apply is waiting for yet (one may arrive before its wait begins). */
const KEPT_EVENTS = 1_000;

/**
 * Waits for publish jobs to end, by the PUBLISHJOBFINISH push when the service
 * relays one, else by polling: the first poll after `firstPollMs`, then further
 * apart. A push that says published, with its article_id (and article_url),
 * ends the wait without a freepublish/get (100 a day); any other push only
 * wakes the waiter, and the job's state then comes from freepublish/get.
 */
export class PublishJobWatcher {
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly events = new Map<
    string,
    { status: number; articleId?: string; articleUrl?: string }
  >();
  private closed = false;

  constructor(private readonly client: WechatClient) {}

  /** A PUBLISHJOBFINISH push. */
  notify(event: {
    publishId: string;
    status: number;
    articleId?: string;
    articleUrl?: string;
  }): void {
    this.events.delete(event.publishId);
    this.events.set(event.publishId, {
      status: event.status,
      ...(event.articleId ? { articleId: event.articleId } : {}),
      ...(event.articleUrl ? { articleUrl: event.articleUrl } : {}),
    });
    if (this.events.size > KEPT_EVENTS) {
      const oldest = this.events.keys().next().value;
      if (oldest !== undefined) this.events.delete(oldest);
    }
    for (const wake of this.wakers.get(event.publishId) ?? []) wake();
  }

  close(): void {
    this.closed = true;
    for (const set of this.wakers.values()) for (const wake of set) wake();
  }

  /** The job's state once it is no longer publishing, or its last state when the time is up. */
  async wait(publishId: string, options: WaitOptions): Promise<PublishJobState> {
    const deadline = options.now() + options.timeoutMs;
    let interval = options.firstPollMs;
    for (;;) {
      const pushed = this.published(publishId);
      if (pushed) return pushed;
      const remaining = deadline - options.now();
      await this.pause(publishId, Math.max(0, Math.min(interval, remaining)));
      const woken = this.published(publishId);
      if (woken) return woken;
      const state = await getPublishJob(this.client, publishId);
      if (state.status !== PublishStatus.PUBLISHING) return state;
      if (this.closed || options.now() >= deadline) return state;
      interval = Math.min(interval * 2, options.maxPollMs);
    }
  }

  /** The job as a push reported it published (without its URL, the article's is looked up by id). */
  private published(publishId: string): PublishJobState | undefined {
    const event = this.events.get(publishId);
    if (event?.status !== PublishStatus.PUBLISHED || !event.articleId) return undefined;
    this.events.delete(publishId);
    return {
      status: PublishStatus.PUBLISHED,
      articleId: event.articleId,
      ...(event.articleUrl ? { articleUrl: event.articleUrl } : {}),
    };
  }

  private pause(publishId: string, ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.wakers.get(publishId);
      if (!set) {
        set = new Set();
        this.wakers.set(publishId, set);
      }
      const wakers = set;
      const done = (): void => {
        clearTimeout(timer);
        wakers.delete(done);
        if (wakers.size === 0) this.wakers.delete(publishId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  }
}
