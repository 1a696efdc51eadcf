import type { ItemState } from "@herald/contracts";
import { PermanentChannelError } from "@herald/channel-kit";
import { rehostImages, renderWechatArticle } from "../render/wechat-article";
import type { WechatClient, WechatReply } from "./client";
import { WechatRetryableError } from "./errors";
import type { MediaUploader } from "./media";
import type { PendingPublish } from "./store";

export interface DraftSettings {
  client: WechatClient;
  media: MediaUploader;
  portalBaseUrl: string;
  author: string;
  now: () => number;
}

/**
 * Renders the item as an article, uploads its cover and body images, and saves it
 * as a draft. A refusal by the renderer is permanent and costs no call.
 */
export async function saveDraft(
  settings: DraftSettings,
  state: ItemState,
  version: number,
): Promise<PendingPublish> {
  const { client, media } = settings;
  const rendered = renderWechatArticle(state, {
    portalBaseUrl: settings.portalBaseUrl,
    author: settings.author,
  });
  if (!rendered.ok) throw new PermanentChannelError(rendered.rule, rendered.message);
  const { coverUrl, images } = rendered.article;
  const thumbMediaId = await media.cover(
    coverUrl,
    coverUrl !== undefined && images.includes(coverUrl),
  );
  const hosted = await media.bodyImages(images);
  const rehosted = rehostImages(rendered.article, hosted);
  if (!rehosted.ok) throw new PermanentChannelError(rehosted.rule, rehosted.message);
  const article = rehosted.article;
  const reply = await client.call<WechatReply & { media_id?: string }>("draft/add", {
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
    draftedAt: new Date(settings.now()),
  };
}
