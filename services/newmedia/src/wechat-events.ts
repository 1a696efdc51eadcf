import { createHash, timingSafeEqual } from "node:crypto";

/** What a PUBLISHJOBFINISH push says of a publish job. */
export interface PublishJobFinish {
  publishId: string;
  status: number;
  articleId?: string;
  articleUrl?: string;
}

/**
 * Whether a push carries the platform's signature for `token`: sha1 of the token,
 * timestamp and nonce, sorted and joined (the server configuration's plaintext mode).
 */
export function signedByPlatform(token: string, query: URLSearchParams): boolean {
  const signature = query.get("signature") ?? "";
  const timestamp = query.get("timestamp") ?? "";
  const nonce = query.get("nonce") ?? "";
  if (!/^[0-9a-f]{40}$/.test(signature) || !timestamp || !nonce) return false;
  const expected = createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

/** A tag's text, with or without CDATA: the push is flat XML of known tags. */
function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(
    xml,
  );
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? "").trim();
}

/**
 * The publish job a PUBLISHJOBFINISH push reports, or undefined for any other
 * event (the server URL receives every event of the account).
 */
export function parsePublishJobFinish(xml: string): PublishJobFinish | undefined {
  if (tag(xml, "Event") !== "PUBLISHJOBFINISH") return undefined;
  const publishId = tag(xml, "publish_id");
  const status = Number(tag(xml, "publish_status"));
  if (!publishId || !Number.isInteger(status)) return undefined;
  const articleId = tag(xml, "article_id");
  const articleUrl = tag(xml, "article_url");
  return {
    publishId,
    status,
    ...(articleId ? { articleId } : {}),
    ...(articleUrl ? { articleUrl } : {}),
  };
}
