import { beijingTime } from "../beijing-time";
import type { Logger } from "@herald/runtime";
import { articleState, deleteArticle, deleteDraft } from "./articles";
import type { WechatClient } from "./client";
import { WechatQuotaError, WechatRetryableError } from "./errors";
import { getPublishJob, PublishStatus } from "./publish-job";
import type { QuotaCounter } from "./quota";
import type { PendingDeleteDocument, PostDocument, WechatStore } from "./store";

export interface RetirementOptions {
  account: string;
  client: WechatClient;
  store: WechatStore;
  quotas: QuotaCounter;
  logger: Logger;
}

/**
 * Taking articles off the account: a takedown deletes at once (and waits for the
 * delete quota if it must), while an article an update replaced is listed and
 * deleted when the quota allows, never holding the update back.
 */
export class Retirement {
  private draining: Promise<void> | undefined;
  /** Whether the list is known to be empty, which spares a read of it on every apply. */
  private empty = false;
  /** Bumped by each listing, so a pass that overlapped one does not call the list empty. */
  private listed = 0;

  constructor(private readonly options: RetirementOptions) {}

  /** Lists an article (or a job's future article) for deletion. */
  async later(entry: Omit<PendingDeleteDocument, "_id" | "account">): Promise<void> {
    this.empty = false;
    this.listed += 1;
    await this.options.store.addPendingDelete(entry);
  }

  /** Tries the deletes listed so far; never fails the caller. */
  drain(): Promise<void> {
    this.draining ??= this.drainOnce()
      .catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, account: this.options.account },
          "pending WeChat deletes not done yet",
        ),
      )
      .finally(() => {
        this.draining = undefined;
      });
    return this.draining;
  }

  /** Waits for a drain in progress (at close). */
  async settled(): Promise<void> {
    await this.draining;
  }

  private async drainOnce(): Promise<void> {
    if (this.empty) return;
    const listedBefore = this.listed;
    const { client, store, quotas, logger, account } = this.options;
    let kept = 0;
    for (const entry of await store.listPendingDeletes()) {
      let articleId = entry.articleId;
      if (!articleId && entry.publishId) {
        const job = await getPublishJob(client, entry.publishId);
        if (job.status === PublishStatus.PUBLISHING) {
          kept += 1;
          continue;
        }
        articleId = job.status === PublishStatus.PUBLISHED ? job.articleId : undefined;
      }
      if (articleId && (await deleteArticle(client, articleId)) === "quota") {
        logger.warn(
          { account, articleId, itemId: entry.itemId, resetsAt: quotas.resetsAt() },
          "微信公众号今日删除次数已用完：旧文章待配额重置后删除",
        );
        return;
      }
      await store.dropPendingDelete(entry._id);
    }
    // Only a full, clean pass proves the list empty (it is read 50 at a time).
    const empty = kept === 0 && !(await store.hasPendingDeletes());
    this.empty = empty && this.listed === listedBefore;
  }

  /**
   * Takes an item off the account: its article deleted and seen deleted, a job
   * still running awaited (its article would appear after the takedown), a draft
   * never published deleted.
   */
  async remove(post: PostDocument, itemId: string): Promise<void> {
    const { client, store, quotas, logger } = this.options;
    const doomed: string[] = [];
    if (post.pending?.publishId) {
      const job = await getPublishJob(client, post.pending.publishId);
      if (job.status === PublishStatus.PUBLISHING) {
        throw new WechatRetryableError(
          "wechat.publish_pending",
          "微信公众号发布任务尚未结束，待其结束后再删除文章",
        );
      }
      if (job.status === PublishStatus.PUBLISHED && job.articleId) doomed.push(job.articleId);
    } else if (post.pending) {
      await deleteDraft(client, post.pending.mediaId);
    }
    if (post.live && !doomed.includes(post.live.articleId)) doomed.push(post.live.articleId);
    for (const articleId of doomed) {
      if ((await deleteArticle(client, articleId)) === "quota") {
        const resetsAt = quotas.resetsAt();
        throw new WechatQuotaError(
          "freepublish/delete",
          resetsAt,
          `微信公众号今日删除次数已用完，撤下将在 ${beijingTime(resetsAt.getTime())}（北京时间）配额重置后进行 (article_id ${articleId})`,
          quotas.untilReset(),
        );
      }
      logger.info({ itemId, articleId }, "WeChat article deleted and confirmed");
    }
    await store.savePost({ _id: post._id });
  }

  /** Whether the account still shows the article `post` records. */
  async present(post: PostDocument): Promise<boolean> {
    if (!post.live) return false;
    return (await articleState(this.options.client, post.live.articleId)) === "present";
  }
}
