import { opaqueId } from "../ids";
import {
  type PublishJob,
  type PublishedArticle,
  type WechatAccountState,
  type WechatArticle,
} from "./state";

/** Publish ids are numeric strings, like the platform's. */
const PUBLISH_ID_BASE = 2_247_483_000;

export function submitDraft(
  account: WechatAccountState,
  draftMediaId: string,
  now: number,
  publishJobMs: number,
  sequence: number,
): PublishJob | undefined {
  const index = account.drafts.findIndex((d) => d.mediaId === draftMediaId);
  const draft = account.drafts[index];
  if (draft === undefined) return undefined;
  // The draft leaves the draft box while it is being published; a failed job gives it back.
  account.drafts.splice(index, 1);
  const planned = account.nextPublish.shift();
  const job: PublishJob = {
    publishId: String(PUBLISH_ID_BASE + sequence),
    msgDataId: String(PUBLISH_ID_BASE + sequence),
    draftMediaId,
    articles: draft.articles,
    submittedAt: now,
    finishAt: now + (planned?.holdMs ?? publishJobMs),
    outcome:
      planned === undefined
        ? { status: 0 }
        : {
            status: planned.status,
            ...(planned.reason === undefined ? {} : { reason: planned.reason }),
          },
    status: 1,
    notified: false,
  };
  account.jobs.push(job);
  return job;
}

/**
 * Finishes every job whose time has come, as the platform would have done meanwhile.
 * Returns the jobs finished now (for the PUBLISHJOBFINISH event).
 */
export function settleJobs(
  account: WechatAccountState,
  now: number,
  articleUrl: (articleId: string, idx: number) => string,
): PublishJob[] {
  const finished: PublishJob[] = [];
  for (const job of account.jobs) {
    if (job.status !== 1 || job.finishAt > now) continue;
    job.status = job.outcome.status;
    if (job.status === 0) {
      const articleId = opaqueId(32);
      job.articleId = articleId;
      account.articles.push({
        articleId,
        publishId: job.publishId,
        articles: job.articles,
        urls: job.articles.map((_, i) => articleUrl(articleId, i + 1)),
        publishedAt: job.finishAt,
        updatedAt: job.finishAt,
        deleted: job.articles.map(() => false),
      });
    } else {
      account.drafts.push({
        mediaId: job.draftMediaId,
        articles: job.articles,
        createdAt: job.submittedAt,
        updatedAt: job.finishAt,
      });
    }
    finished.push(job);
  }
  return finished;
}

export function findArticle(
  account: WechatAccountState,
  articleId: string,
): PublishedArticle | undefined {
  return account.articles.find((a) => a.articleId === articleId);
}

/** The status freepublish/get reports: 5 once every article of a published job was deleted. */
export function jobStatus(account: WechatAccountState, job: PublishJob): number {
  if (job.status !== 0 || job.articleId === undefined) return job.status;
  const article = findArticle(account, job.articleId);
  return article !== undefined && article.deleted.every(Boolean) ? 5 : 0;
}

export function jobView(account: WechatAccountState, job: PublishJob): Record<string, unknown> {
  const status = jobStatus(account, job);
  const base = { publish_id: job.publishId, publish_status: status };
  if (job.status === 0 && job.articleId !== undefined) {
    const article = findArticle(account, job.articleId);
    const urls = article?.urls ?? [];
    return {
      ...base,
      article_id: job.articleId,
      article_detail: {
        count: urls.length,
        item: urls.map((url, i) => ({ idx: i + 1, article_url: url })),
      },
      fail_idx: [],
    };
  }
  // Refused jobs name the failing articles (the first is 1); a job still running names none.
  const failIdx =
    job.status === 2 || job.status === 3 || job.status === 4
      ? job.articles.map((_, i) => i + 1)
      : [];
  return { ...base, fail_idx: failIdx };
}

/** freepublish/delete: index 0 (or none) deletes every article of the message, n the n-th. */
export function deleteArticle(article: PublishedArticle, index: number, now: number): boolean {
  if (index < 0 || index > article.articles.length) return false;
  if (index === 0) article.deleted = article.deleted.map(() => true);
  else article.deleted[index - 1] = true;
  article.updatedAt = now;
  return true;
}

export function newsItems(
  article: PublishedArticle,
  withContent: boolean,
): Array<Record<string, unknown>> {
  return article.articles.map((a: WechatArticle, i) => ({
    title: a.title,
    author: a.author,
    digest: a.digest,
    content: withContent ? a.content : "",
    content_source_url: a.content_source_url,
    thumb_media_id: a.thumb_media_id,
    need_open_comment: a.need_open_comment,
    only_fans_can_comment: a.only_fans_can_comment,
    url: article.urls[i] ?? "",
    is_deleted: article.deleted[i] ?? false,
  }));
}

/** The PUBLISHJOBFINISH event body the platform posts to the account's server. */
export function publishJobFinishXml(
  account: WechatAccountState,
  job: PublishJob,
  now: number,
): string {
  const view = jobView(account, job);
  const detail =
    job.status === 0 && job.articleId !== undefined
      ? `<article_id><![CDATA[${job.articleId}]]></article_id><article_detail><count>${job.articles.length}</count>${(
          findArticle(account, job.articleId)?.urls ?? []
        )
          .map(
            (url, i) =>
              `<item><idx>${i + 1}</idx><article_url><![CDATA[${url}]]></article_url></item>`,
          )
          .join("")}</article_detail>`
      : ((view.fail_idx as number[]) ?? []).map((i) => `<fail_idx>${i}</fail_idx>`).join("");
  return (
    `<xml><ToUserName><![CDATA[gh_${account.seed.appId}]]></ToUserName><FromUserName><![CDATA[mphelper]]></FromUserName>` +
    `<CreateTime>${Math.floor(now / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event>` +
    `<PublishEventInfo><publish_id>${job.publishId}</publish_id><publish_status>${job.status}</publish_status>${detail}</PublishEventInfo></xml>`
  );
}
