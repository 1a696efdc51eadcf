/** The most a post may weigh, in Chinese characters. */
export const WEIBO_MAX_WEIGHT = 140;
/** A link weighs as its t.cn short form does: 20 Latin characters, i.e. 10 Chinese ones. */
export const WEIBO_URL_WEIGHT = 10;

/** http(s) links as the platform recognises them in a status: up to the next space or CJK character. */
const URL_PATTERN = /https?:\/\/[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/gi;

export function findUrls(text: string): string[] {
  return text.match(URL_PATTERN) ?? [];
}

/**
 * How much a status weighs against the 140 limit: a Latin-1 character counts half, any other
 * character one, each link as its short form; halves round up.
 */
export function weiboLength(text: string): number {
  const urls = findUrls(text);
  let halves = urls.length * WEIBO_URL_WEIGHT * 2;
  for (const ch of text.replace(URL_PATTERN, ""))
    halves += (ch.codePointAt(0) ?? 0) <= 0xff ? 1 : 2;
  return Math.ceil(halves / 2);
}

/** Whether a host is one of the safe domains, or a subdomain of one. */
export function isSafeHost(host: string, safeDomains: readonly string[]): boolean {
  const h = host.toLowerCase();
  return safeDomains.some((d) => {
    const domain = d.toLowerCase();
    return h === domain || h.endsWith(`.${domain}`);
  });
}

/** Whether the status links to a page in one of the account's safe domains. */
export function linksToSafeDomain(text: string, safeDomains: readonly string[]): boolean {
  return findUrls(text).some((u) => {
    try {
      return isSafeHost(new URL(u).hostname.replace(/^\[|\]$/g, ""), safeDomains);
    } catch {
      return false;
    }
  });
}
