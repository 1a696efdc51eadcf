import type { ApplyResult } from "@herald/channel-kit";
import { PermanentChannelError } from "@herald/channel-kit";
import type { ItemState } from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import { deleteDraft, draftExists, findPublished } from "./articles";
import type { WechatClient, WechatReply } from "./client";
import { saveDraft, type DraftSettings } from "./draft";
import { WechatRetryableError } from "./errors";
import {
  PublishStatus,
  type PublishJobState,
  type PublishJobWatcher,
  type WaitOptions,
} from "./publish-job";
import type { Retirement } from "./retire";
import type { PendingPublish, PostDocument, WechatStore } from "./store";

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

export interface PublicationOptions {
  account: string;
  client: WechatClient;
  store: WechatStore;
  drafts: DraftSettings;
  jobs: PublishJobWatcher;
  retirement: Retirement;
  logger: Logger;
  now: () => number;
  wait: Omit<WaitOptions, "now">;
  /** Records a post the platform confirmed (the account's freshness). */
  onPosted: (post: { at: Date; ref: string }) => Promise<void>;
}

/**
 * Publishing one version of an item: a draft, a publish job, the job's end. Every
 * step that creates something on the platform is recorded before the next, so a
 * restart resumes the job it started instead of publishing a second article.
 */
export class Publication {
  constructor(private readonly options: PublicationOptions) {}

  async publish(state: ItemState): Promise<ApplyResult> {
    const version = Number(state.version);
    let post = await this.options.store.post(state.id);
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
      const found = await findPublished(this.options.client, {
        title: pending.title,
        contentSourceUrl: pending.contentSourceUrl,
        since: pending.draftedAt,
        ...(post.live ? { except: post.live.articleId } : {}),
      });
      if (found) {
        this.options.logger.info(
          { itemId: state.id, articleId: found.articleId },
          "found the article a previous attempt published",
        );
        return this.confirmed(post, version, found);
      }
      if (!(await draftExists(this.options.client, pending.mediaId))) {
        throw new WechatRetryableError(
          "wechat.publish_unknown",
          `微信公众号草稿已不在草稿箱，但尚未见到已发布的文章：稍后再查 (media_id ${pending.mediaId})`,
        );
      }
    }
    if (!pending) {
      pending = await saveDraft(this.options.drafts, state, version);
      post = { ...post, pending };
      await this.options.store.savePost(post);
    }
    if (!pending.publishId) {
      const reply = await this.options.client.call<SubmitReply>("freepublish/submit", {
        media_id: pending.mediaId,
      });
      if (!reply.publish_id) {
        throw new WechatRetryableError(
          "wechat.bad_response",
          "微信接口返回了无法识别的应答 (freepublish/submit: publish_id missing)",
        );
      }
      pending = {
        ...pending,
        publishId: reply.publish_id,
        submittedAt: new Date(this.options.now()),
      };
      post = { ...post, pending };
      await this.options.store.savePost(post);
    }
    const job = await this.options.jobs.wait(pending.publishId!, {
      ...this.options.wait,
      now: this.options.now,
    });
    return this.finished(post, version, job);
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
    await this.options.store.savePost({ _id: post._id, ...(post.live ? { live: post.live } : {}) });
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
    // A failed job gives its draft back to the draft box; the item will not be
    // retried (a new version makes a new draft), so the draft would only pile up.
    if (post.pending?.mediaId) await this.discardDraft(post.pending.mediaId);
    const failed = job.failIdx?.length ? `, fail_idx ${job.failIdx.join(",")}` : "";
    throw new PermanentChannelError(
      refusal.rule,
      `${refusal.sentence} (freepublish/get: publish_status ${job.status}${failed})`,
    );
  }

  /** Deletes a refused article's draft; a failure only leaves it for an editor to delete. */
  private async discardDraft(mediaId: string): Promise<void> {
    try {
      await this.options.client.call("draft/delete", { media_id: mediaId });
    } catch (error) {
      this.options.logger.warn(
        { err: error, mediaId },
        "a refused article's draft stays in the draft box",
      );
    }
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
      await this.options.retirement.later({
        itemId: post._id.slice(this.options.account.length + 1),
        version: old.version,
        articleId: old.articleId,
        since: new Date(this.options.now()),
      });
    }
    const at = new Date(this.options.now());
    await this.options.store.savePost({
      _id: post._id,
      live: { version, articleId: job.articleId, articleUrl, publishedAt: at },
    });
    await this.options.onPosted({ at, ref: articleUrl });
    if (old) await this.options.retirement.drain();
    return { externalRef: articleUrl };
  }

  private async articleUrl(articleId: string): Promise<string> {
    const reply = await this.options.client.call<
      WechatReply & { news_item?: Array<{ url?: string }> }
    >("freepublish/getarticle", { article_id: articleId });
    return reply.news_item?.[0]?.url ?? "";
  }

  /** A pending publish of an older version that a newer one overtakes. */
  private async abandon(itemId: string, pending: PendingPublish): Promise<void> {
    if (pending.publishId) {
      // Its job may still publish: its article, if one appears, goes.
      await this.options.retirement.later({
        itemId,
        version: pending.version,
        publishId: pending.publishId,
        since: new Date(this.options.now()),
      });
    } else {
      await deleteDraft(this.options.client, pending.mediaId).catch((error: unknown) =>
        this.options.logger.warn(
          { itemId, err: error },
          "could not delete an abandoned WeChat draft",
        ),
      );
    }
  }
}
