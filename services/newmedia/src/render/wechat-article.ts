/**
 * The WeChat article for an item: the fields of one `draft/add` article, with the
 * platform's limits applied here so that what cannot be published is refused with
 * a rule before any call is made, and what is previewed is what readers see.
 */
import type { ChannelOverride, ItemState } from "@herald/contracts";
import { charCount, collapseWhitespace, cutToFit, firstChars } from "./text-cut";
import { type RenderRefusal, rejected } from "./types";
import { absoluteUrl, escapeAttribute, escapeText, toWechatHtml } from "./wechat-html";
import { STYLE } from "./wechat-styles";

export interface WechatRenderSettings {
  /** The item's page is `${portalBaseUrl}/items/${encodeURIComponent(id)}`. */
  portalBaseUrl: string;
  /** The account's author line. */
  author: string;
}

export interface WechatArticle {
  title: string;
  author: string;
  digest: string;
  /** Article HTML, body images still at their source URLs until `rehostImages`. */
  content: string;
  /** The portal page, shown by the platform as "阅读原文". */
  contentSourceUrl: string;
  /** Distinct src URLs of body images, in document order. */
  images: string[];
  /** The override's cover_image_url, else the first body image, else undefined (the account's default cover). */
  coverUrl?: string;
}

/** `draft/add` limits (developers.weixin.qq.com, 新增草稿), counted in characters. */
export const WECHAT_LIMITS = {
  title: 32,
  author: 16,
  digest: 128,
  /** When the digest is empty the platform takes this many characters of the body. */
  digestFromBody: 54,
  /** The content must be under this many characters, tags included. */
  contentChars: 20_000,
  /** …and under this many bytes of UTF-8. */
  contentBytes: 1024 * 1024,
} as const;

/** The item's page on the portal. */
export function portalItemUrl(portalBaseUrl: string, itemId: string): string {
  return `${portalBaseUrl.replace(/\/+$/, "")}/items/${encodeURIComponent(itemId)}`;
}

/** The override that shapes an item on WeChat: the "wechat" one, else the channel-wide "newmedia" one. */
export function wechatOverride(state: ItemState): ChannelOverride | undefined {
  return (
    state.overrides.find((o) => o.channel === "wechat") ??
    state.overrides.find((o) => o.channel === "newmedia")
  );
}

/** The date shown under the title, in China Standard Time. */
function chineseDate(date: Date): string {
  const shifted = new Date(date.getTime() + 8 * 3600 * 1000);
  return `${shifted.getUTCFullYear()}年${shifted.getUTCMonth() + 1}月${shifted.getUTCDate()}日`;
}

function line(style: string, text: string): string {
  return `<p style="${escapeAttribute(style)}">${escapeText(text)}</p>`;
}

function header(state: ItemState): string {
  const date = state.dates?.publishedAt ?? state.dates?.formedAt;
  const lines = [
    state.documentNumber.trim() !== "" ? `文号：${state.documentNumber.trim()}` : "",
    state.issuingOffice.trim() !== "" ? `发布机关：${state.issuingOffice.trim()}` : "",
    date !== undefined ? `发布日期：${chineseDate(date)}` : "",
  ].filter((l) => l !== "");
  if (lines.length === 0) return "";
  return `<section style="${escapeAttribute(STYLE.metaBlock)}">${lines.map((l) => line(STYLE.meta, l)).join("")}</section>`;
}

function footer(state: ItemState, pageUrl: string): string {
  const names = state.attachments.map((a) => a.name.trim()).filter((n) => n !== "");
  // The platform keeps no links to files, so attachments are named and the reader sent to the portal.
  const attachments =
    names.length === 0
      ? ""
      : line(STYLE.footerLine, `附件（${names.length} 个，请到门户网站下载）：`) +
        `<ol style="${escapeAttribute(STYLE.list)}">${names
          .map((n) => `<li style="${escapeAttribute(STYLE.listItem)}">${escapeText(n)}</li>`)
          .join("")}</ol>`;
  return `<section style="${escapeAttribute(STYLE.footer)}">${attachments}${line(STYLE.footerLine, `原文链接：${pageUrl}`)}</section>`;
}

/** Refuses content over either platform limit, naming both figures. */
export function contentLimitRefusal(content: string): RenderRefusal | undefined {
  const chars = content.length;
  const bytes = Buffer.byteLength(content, "utf8");
  if (chars < WECHAT_LIMITS.contentChars && bytes < WECHAT_LIMITS.contentBytes) return undefined;
  return rejected(
    "wechat.content_too_long",
    `微信公众号拒绝发布：正文（含排版标签）共 ${chars} 个字符、${bytes} 字节，须少于 ${WECHAT_LIMITS.contentChars} 个字符且小于 1 MB（${WECHAT_LIMITS.contentBytes} 字节）；请精简正文或拆分为多篇发布。`,
  );
}

/** The digest as the reader sees it: the editor's or the summary, cut at a sentence end; else the body's start. */
function digestFor(
  override: ChannelOverride | undefined,
  state: ItemState,
  bodyText: string,
): string {
  const given = collapseWhitespace(override?.digest ?? "");
  const source = given !== "" ? given : collapseWhitespace(state.summary);
  if (source !== "") return cutToFit(source, WECHAT_LIMITS.digest, charCount);
  return firstChars(bodyText, WECHAT_LIMITS.digestFromBody);
}

export function renderWechatArticle(
  state: ItemState,
  settings: WechatRenderSettings,
): { ok: true; article: WechatArticle } | RenderRefusal {
  const override = wechatOverride(state);
  const shortTitle = collapseWhitespace(override?.shortTitle ?? "");
  const title = shortTitle !== "" ? shortTitle : collapseWhitespace(state.title);
  if (title === "") {
    return rejected(
      "wechat.title_missing",
      "微信公众号拒绝发布：标题为空；请填写标题或微信短标题。",
    );
  }
  const titleChars = charCount(title);
  if (titleChars > WECHAT_LIMITS.title) {
    const field = shortTitle !== "" ? "微信短标题" : "标题";
    return rejected(
      "wechat.title_too_long",
      `微信公众号拒绝发布：${field}共 ${titleChars} 个字，超过 ${WECHAT_LIMITS.title} 个字的上限；正式标题不会被截断，请为微信设置不超过 ${WECHAT_LIMITS.title} 个字的短标题。`,
    );
  }
  const authorChars = charCount(settings.author);
  if (authorChars > WECHAT_LIMITS.author) {
    return rejected(
      "wechat.author_too_long",
      `微信公众号拒绝发布：账号配置的作者「${settings.author}」共 ${authorChars} 个字，超过 ${WECHAT_LIMITS.author} 个字的上限；请管理员修改该账号的作者配置。`,
    );
  }

  const pageUrl = portalItemUrl(settings.portalBaseUrl, state.id);
  const body = toWechatHtml(state.bodyHtml, settings.portalBaseUrl);
  const content = header(state) + body.html + footer(state, pageUrl);
  const tooLong = contentLimitRefusal(content);
  if (tooLong !== undefined) return tooLong;

  const cover = absoluteUrl(override?.coverImageUrl ?? "", settings.portalBaseUrl);
  const coverUrl = (override?.coverImageUrl ?? "").trim() !== "" ? cover : body.images[0];
  const article: WechatArticle = {
    title,
    author: settings.author,
    digest: digestFor(override, state, body.text),
    content,
    contentSourceUrl: pageUrl,
    images: body.images,
    ...(coverUrl !== undefined ? { coverUrl } : {}),
  };
  return { ok: true, article };
}

/**
 * Replaces each body image's src with its re-hosted URL (from media/uploadimg),
 * then checks the content limits again, since the platform's URLs may be longer.
 * Every image in `article.images` must have an entry: the platform drops images
 * hosted elsewhere, so a missing one is a bug in the caller, not a content problem.
 */
export function rehostImages(
  article: WechatArticle,
  hosted: ReadonlyMap<string, string>,
): { ok: true; article: WechatArticle } | RenderRefusal {
  let content = article.content;
  const images: string[] = [];
  for (const src of article.images) {
    const replacement = hosted.get(src);
    if (replacement === undefined) {
      throw new Error(
        `rehostImages: hosted has no re-hosted URL for body image ${src}; upload every image in article.images first`,
      );
    }
    content = content
      .split(`<img src="${escapeAttribute(src)}"`)
      .join(`<img src="${escapeAttribute(replacement)}"`);
    if (!images.includes(replacement)) images.push(replacement);
  }
  const tooLong = contentLimitRefusal(content);
  if (tooLong !== undefined) return tooLong;
  return { ok: true, article: { ...article, content, images } };
}
