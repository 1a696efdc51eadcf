import type { WechatClient, WechatReply } from "./client";
import { WechatQuotaError, WechatRetryableError } from "./errors";

/** "Invalid article_id": the platform does not know the article (never published, or long gone). */
const INVALID_ARTICLE_ID = 53600;
/** "Invalid media_id": the draft is gone (published or deleted). */
const INVALID_MEDIA_ID = 40007;

interface NewsItem {
  title?: string;
  content_source_url?: string;
  url?: string;
  is_deleted?: boolean;
}

interface GetArticleReply extends WechatReply {
  news_item?: NewsItem[];
}

interface BatchGetReply extends WechatReply {
  item?: Array<{ article_id?: string; update_time?: number; content?: { news_item?: NewsItem[] } }>;
}

/** What freepublish/getarticle says of an article. */
export async function articleState(
  client: WechatClient,
  articleId: string,
): Promise<"present" | "deleted" | "unknown"> {
  const reply = await client.call<GetArticleReply>(
    "freepublish/getarticle",
    { article_id: articleId },
    { accept: [INVALID_ARTICLE_ID] },
  );
  if (reply.errcode === INVALID_ARTICLE_ID) return "unknown";
  const items = reply.news_item ?? [];
  return items.length > 0 && items.every((item) => item.is_deleted !== true)
    ? "present"
    : "deleted";
}

/**
 * Deletes a published article and confirms it is gone. "quota" when today's
 * deletes are used up (nothing was deleted; try again after the reset).
 */
export async function deleteArticle(
  client: WechatClient,
  articleId: string,
): Promise<"deleted" | "quota"> {
  try {
    // index 0: every article of the message, which is the one article we publish.
    await client.call<WechatReply>(
      "freepublish/delete",
      { article_id: articleId, index: 0 },
      { accept: [INVALID_ARTICLE_ID] },
    );
  } catch (error) {
    if (error instanceof WechatQuotaError) return "quota";
    throw error;
  }
  const state = await articleState(client, articleId);
  if (state === "present") {
    throw new WechatRetryableError(
      "wechat.delete_unconfirmed",
      `微信公众号删除文章后，文章仍显示为未删除 (article_id ${articleId})`,
    );
  }
  return "deleted";
}

/** Deletes an unpublished draft; a draft already gone counts as deleted. */
export async function deleteDraft(client: WechatClient, mediaId: string): Promise<void> {
  await client.call<WechatReply>(
    "draft/delete",
    { media_id: mediaId },
    { accept: [INVALID_MEDIA_ID] },
  );
}

/** Whether the draft `mediaId` is still in the draft box (not yet published, not deleted). */
export async function draftExists(client: WechatClient, mediaId: string): Promise<boolean> {
  const reply = await client.call<WechatReply & { news_item?: unknown[] }>(
    "draft/get",
    { media_id: mediaId },
    { accept: [INVALID_MEDIA_ID] },
  );
  return reply.errcode !== INVALID_MEDIA_ID;
}

export interface FoundArticle {
  articleId: string;
  articleUrl: string;
}

/**
 * A published, not deleted article among the account's latest that carries
 * `title` and links to `contentSourceUrl`, published at `since` or later and
 * other than `except`: how a restarted apply finds an article whose publish_id it
 * never recorded.
 */
export async function findPublished(
  client: WechatClient,
  match: { title: string; contentSourceUrl: string; since: Date; except?: string },
): Promise<FoundArticle | undefined> {
  const reply = await client.call<BatchGetReply>("freepublish/batchget", {
    offset: 0,
    count: 20,
    no_content: 1,
  });
  // update_time is in seconds; allow for clocks a little apart.
  const earliest = Math.floor(match.since.getTime() / 1000) - 300;
  for (const entry of reply.item ?? []) {
    if (!entry.article_id || entry.article_id === match.except) continue;
    if ((entry.update_time ?? 0) < earliest) continue;
    const news = entry.content?.news_item?.[0];
    if (!news || news.is_deleted === true) continue;
    if (news.title === match.title && news.content_source_url === match.contentSourceUrl) {
      return { articleId: entry.article_id, articleUrl: news.url ?? "" };
    }
  }
  return undefined;
}
