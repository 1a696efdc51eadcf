import { type WechatErrorName } from "./errors";
import { type WechatArticle } from "./state";

/** draft/add limits, in characters (code points) unless said otherwise. */
export const DRAFT_LIMITS = {
  title: 32,
  author: 16,
  digest: 128,
  /** The digest made from the body when none is given. */
  autoDigest: 54,
  /** content must be under 20,000 characters, tags included, and under 1 MB. */
  contentChars: 20_000,
  contentBytes: 1024 * 1024,
} as const;

export function charCount(text: string): number {
  return [...text].length;
}

/** The body's text: tags removed, the common entities decoded, whitespace collapsed. */
export function bodyText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * What the platform does to a body: scripts removed, event-handler attributes and `javascript:`
 * links dropped, and `<img>` tags whose source is not an image uploaded to the platform removed.
 * The emulator serves stored bodies as pages, so this also keeps those pages inert.
 */
export function cleanContent(html: string, isPlatformImage: (src: string) => boolean): string {
  return html
    .replace(/<script\b[\s\S]*?<\/script\s*>/gi, "")
    .replace(/<script\b[^>]*\/?>/gi, "")
    .replace(/<iframe\b[\s\S]*?<\/iframe\s*>/gi, "")
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "")
    .replace(/(href|src)\s*=\s*(["'])\s*javascript:[^"']*\2/gi, '$1="#"')
    .replace(/<img\b[^>]*>/gi, (tag) => {
      const src = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
      const url = src?.[1] ?? src?.[2] ?? src?.[3];
      return url !== undefined && isPlatformImage(url) ? tag : "";
    });
}

export type ArticleCheck =
  { ok: true; article: WechatArticle } | { ok: false; error: WechatErrorName; hint: string };

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function flag(value: unknown): number {
  return value === 1 || value === true || value === "1" ? 1 : 0;
}

/** One article of a draft/add request, checked against the platform's limits and cleaned. */
export function checkArticle(
  raw: unknown,
  hasMaterial: (mediaId: string) => boolean,
  isPlatformImage: (src: string) => boolean,
): ArticleCheck {
  if (typeof raw !== "object" || raw === null)
    return { ok: false, error: "emptyNews", hint: "article is not an object" };
  const a = raw as Record<string, unknown>;
  const title = text(a.title) ?? "";
  const author = text(a.author) ?? "";
  const digest = text(a.digest) ?? "";
  const content = text(a.content) ?? "";
  const thumb = text(a.thumb_media_id) ?? "";
  if (title === "") return { ok: false, error: "emptyNews", hint: "title is empty" };
  if (content === "") return { ok: false, error: "emptyNews", hint: "content is empty" };
  if (charCount(title) > DRAFT_LIMITS.title)
    return {
      ok: false,
      error: "titleSizeOutOfLimit",
      hint: `title ${charCount(title)} > ${DRAFT_LIMITS.title}`,
    };
  if (charCount(author) > DRAFT_LIMITS.author)
    return {
      ok: false,
      error: "authorSizeOutOfLimit",
      hint: `author ${charCount(author)} > ${DRAFT_LIMITS.author}`,
    };
  if (charCount(digest) > DRAFT_LIMITS.digest)
    return {
      ok: false,
      error: "descriptionSizeOutOfLimit",
      hint: `digest ${charCount(digest)} > ${DRAFT_LIMITS.digest}`,
    };
  if (charCount(content) >= DRAFT_LIMITS.contentChars)
    return {
      ok: false,
      error: "contentSizeOutOfLimit",
      hint: `content ${charCount(content)} chars >= ${DRAFT_LIMITS.contentChars}`,
    };
  if (Buffer.byteLength(content, "utf8") >= DRAFT_LIMITS.contentBytes)
    return { ok: false, error: "contentSizeOutOfLimit", hint: "content >= 1MB" };
  if (thumb === "" || !hasMaterial(thumb))
    return { ok: false, error: "invalidMediaId", hint: "thumb_media_id" };
  const cleaned = cleanContent(content, isPlatformImage);
  return {
    ok: true,
    article: {
      title,
      author,
      digest:
        digest !== "" ? digest : [...bodyText(cleaned)].slice(0, DRAFT_LIMITS.autoDigest).join(""),
      content: cleaned,
      content_source_url: text(a.content_source_url) ?? "",
      thumb_media_id: thumb,
      need_open_comment: flag(a.need_open_comment),
      only_fans_can_comment: flag(a.only_fans_can_comment),
    },
  };
}
