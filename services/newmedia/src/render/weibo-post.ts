/**
 * The Weibo post for an item (`2/statuses/share.json`): a short text with the
 * link to the item on the portal. The text must fit the platform's count with
 * the link, and the link must be in the app's reviewed safe domain, or the
 * platform refuses the post; both are checked here, before any call.
 */
import type { ChannelOverride, ItemState } from "@herald/contracts";
import { ELLIPSIS, collapseWhitespace, cutToFit } from "./text-cut";
import { type RenderRefusal, rejected } from "./types";
import { absoluteUrl, toWechatHtml } from "./wechat-html";
import { portalItemUrl } from "./wechat-article";

export interface WeiboRenderSettings {
  portalBaseUrl: string;
  /** The app's safe domains ("安全域名"): the link's host must be one of them or a subdomain. */
  safeDomains: readonly string[];
}

export interface WeiboPost {
  /** The whole status, link included. */
  text: string;
  url: string;
  /** The override's cover_image_url, else the first body image. */
  picture?: string;
  /** The status as the platform counts it, at most 140. */
  weight: number;
}

/** The most a status may weigh: 140 Chinese characters. */
export const WEIBO_MAX_WEIGHT = 140;

/**
 * Half-units of `text` as the platform counts it: a Latin-1 character is half a
 * character, anything else (a Chinese character, full-width punctuation, an
 * emoji) a whole one. A link is counted by its own characters: the share API's
 * documentation gives no fixed weight for links, and a link is Latin-1, so this
 * is never less than the platform's count even when it shortens the link.
 */
function halfUnits(text: string): number {
  let halves = 0;
  for (const ch of text) halves += (ch.codePointAt(0) ?? 0) <= 0xff ? 1 : 2;
  return halves;
}

/** The platform's count: a Chinese character 1, a Latin-1 character ½, rounded up. */
export function weiboWeight(text: string): number {
  return Math.ceil(halfUnits(text) / 2);
}

/** A "#话题词#" the share API refuses in the status. */
const TOPIC = /#[^#\s]+#/u;

function weiboOverride(state: ItemState): ChannelOverride | undefined {
  return state.overrides.find((o) => o.channel === "weibo");
}

export function isSafeHost(host: string, safeDomains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return safeDomains.some((domain) => {
    const d = domain
      .trim()
      .toLowerCase()
      .replace(/^\.+|\.+$/g, "");
    return d !== "" && (h === d || h.endsWith(`.${d}`));
  });
}

export function renderWeiboPost(
  state: ItemState,
  settings: WeiboRenderSettings,
): { ok: true; post: WeiboPost } | RenderRefusal {
  const url = portalItemUrl(settings.portalBaseUrl, state.id);
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error(
      `renderWeiboPost: settings.portalBaseUrl must be an absolute URL, got "${settings.portalBaseUrl}"`,
    );
  }
  if (!isSafeHost(host, settings.safeDomains)) {
    const domains =
      settings.safeDomains.length > 0 ? settings.safeDomains.join("、") : "（未配置）";
    return rejected(
      "weibo.url_not_safe_domain",
      `微博拒绝发布：原文链接的域名 ${host} 不在该应用的安全域名（${domains}）之内；请管理员在微博开放平台把门户域名加入安全域名，并同步修改账号配置。`,
    );
  }

  const linkPart = ` ${url}`;
  const budgetHalves = WEIBO_MAX_WEIGHT * 2 - halfUnits(linkPart);
  const override = weiboOverride(state);
  const byHand =
    collapseWhitespace(override?.digest ?? "") || collapseWhitespace(override?.shortTitle ?? "");

  let lead: string;
  if (byHand !== "") {
    // What an editor wrote for Weibo is never cut.
    if (halfUnits(byHand) > budgetHalves) {
      return rejected(
        "weibo.text_too_long",
        `微博拒绝发布：微博专用文案加上原文链接共 ${weiboWeight(byHand + linkPart)} 字，超过 ${WEIBO_MAX_WEIGHT} 字的上限（英文字母和数字按半个字计）；请把文案缩短到 ${Math.floor(budgetHalves / 2)} 字以内。`,
      );
    }
    lead = byHand;
  } else {
    const head = `【${collapseWhitespace(state.title)}】`;
    if (halfUnits(head) > budgetHalves) {
      return rejected(
        "weibo.title_too_long",
        `微博拒绝发布：标题加上原文链接共 ${weiboWeight(head + linkPart)} 字，超过 ${WEIBO_MAX_WEIGHT} 字的上限；正式标题不会被截断，请为微博填写不超过 ${Math.floor(budgetHalves / 2)} 字的专用文案。`,
      );
    }
    const summary = collapseWhitespace(state.summary);
    const room = budgetHalves - halfUnits(head);
    const cut = cutToFit(summary, room, halfUnits);
    // A summary with no room left but its ellipsis says nothing: the title stands alone.
    lead = head + (cut === ELLIPSIS ? "" : cut);
  }
  if (TOPIC.test(lead)) {
    return rejected(
      "weibo.topic_not_allowed",
      "微博拒绝发布：分享接口不允许文案中含有“#话题词#”；请删去两个 # 号之间的话题词后再发布。",
    );
  }

  const text = lead + linkPart;
  const coverRef = (override?.coverImageUrl ?? "").trim();
  const picture =
    coverRef !== ""
      ? absoluteUrl(coverRef, settings.portalBaseUrl) // The body's images are found by the same parse the article uses.
      : toWechatHtml(state.bodyHtml, settings.portalBaseUrl).images[0];
  return {
    ok: true,
    post: { text, url, weight: weiboWeight(text), ...(picture !== undefined ? { picture } : {}) },
  };
}
