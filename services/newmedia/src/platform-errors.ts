/**
 * Platform error codes by what the adapter does about them, each with a sentence
 * an operator understands. Codes and meanings are from the platforms' published
 * tables: WeChat's 全局返回码 and the freepublish/draft pages, Weibo's Error_code
 * page (the current table, in which 10022–10024 are rate limits).
 */

/**
 * token: refresh the access token once and retry; busy: back off and retry;
 * rate_limited: wait for the window; quota: wait for the daily reset;
 * refused: the content is refused (REJECTED); permission: the account may not do
 * this (an operator must act); unknown: FAILED and retried.
 */
export type PlatformErrorClass =
  "token" | "busy" | "rate_limited" | "quota" | "refused" | "permission" | "unknown";

export interface PlatformErrorInfo {
  platform: "wechat" | "weibo";
  code: number;
  class: PlatformErrorClass;
  /** e.g. "wechat.45009". */
  rule: string;
  /** What happened and what to do, in Chinese. */
  sentence: string;
}

type Entry = readonly [PlatformErrorClass, string];

const WECHAT_TOKEN =
  "微信接口凭证（access_token）无效或已过期，系统会自动刷新凭证并重试一次；若反复出现，请核对该账号的 AppID 和 AppSecret。";
const WECHAT_REVIEW = "请按平台提示修改内容后重新提交。";

const WECHAT: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [-1, ["busy", "微信平台系统繁忙，系统会稍后自动重试，无需处理。"]],
  [40001, ["token", WECHAT_TOKEN]],
  [40014, ["token", WECHAT_TOKEN]],
  [42001, ["token", "微信接口凭证（access_token）已超时，系统会自动刷新凭证并重试一次。"]],
  [45009, ["quota", "微信接口今日调用次数已用完，明日零点恢复；其余内容会在恢复后继续发布。"]],
  [45011, ["rate_limited", "微信接口调用过于频繁，系统会放慢速度后自动重试，无需处理。"]],
  [
    48001,
    [
      "permission",
      "该公众号没有此接口的权限（发布接口仅向已认证的机构账号开放）；请管理员在微信公众平台完成认证或开通权限。",
    ],
  ],
  [
    48004,
    ["permission", "该公众号的接口调用已被平台封禁；请管理员登录微信公众平台查看原因并申诉。"],
  ],
  [
    40164,
    [
      "permission",
      "调用微信接口的服务器 IP 不在该公众号的白名单中；请管理员在微信公众平台的 IP 白名单中加入发布服务器的地址。",
    ],
  ],
  [45002, ["refused", `微信公众号拒绝发布：正文超过平台长度限制。${WECHAT_REVIEW}`]],
  [45003, ["refused", `微信公众号拒绝发布：标题超过平台长度限制（32 个字）。${WECHAT_REVIEW}`]],
  [45004, ["refused", `微信公众号拒绝发布：摘要超过平台长度限制（128 个字）。${WECHAT_REVIEW}`]],
  [
    45110,
    [
      "refused",
      `微信公众号拒绝发布：作者超过平台长度限制（16 个字）；请管理员修改该账号的作者配置。`,
    ],
  ],
  [53503, ["refused", `微信公众号拒绝发布：该草稿未通过发布检查。${WECHAT_REVIEW}`]],
  [
    53504,
    [
      "refused",
      "微信公众号拒绝发布：该草稿须在微信公众平台网页上打开并发布；请运营人员到公众平台处理。",
    ],
  ],
  [
    53505,
    [
      "refused",
      "微信公众号拒绝发布：平台要求先在公众平台网页上手动保存该草稿再发表；请运营人员到公众平台处理。",
    ],
  ],
  [87014, ["refused", `微信公众号拒绝发布：内容含有平台认定的违规或风险内容。${WECHAT_REVIEW}`]],
]);

const WEIBO_TOKEN =
  "微博授权（access_token）无效或已过期，系统会尝试刷新后重试一次；若反复出现，请账号管理员重新授权本应用。";
const WEIBO_RATE = "微博接口调用超过频率限制，系统会排队稍后发布，无需处理。";
const WEIBO_BUSY = "微博平台系统繁忙，系统会稍后自动重试，无需处理。";
const WEIBO_EDIT = "请修改文案后重新发布。";

const WEIBO: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [10001, ["busy", WEIBO_BUSY]],
  [10002, ["busy", "微博服务暂停，系统会稍后自动重试，无需处理。"]],
  [10009, ["busy", WEIBO_BUSY]],
  [10014, ["permission", "该微博应用没有此接口的访问权限；请管理员在微博开放平台申请接口权限。"]],
  [
    10017,
    [
      "refused",
      "微博拒绝发布：请求参数不合规，通常是原文链接不在应用的安全域名之内；请管理员核对安全域名配置。",
    ],
  ],
  [10022, ["rate_limited", WEIBO_RATE]],
  [10023, ["rate_limited", WEIBO_RATE]],
  [10024, ["rate_limited", WEIBO_RATE]],
  [
    20016,
    [
      "rate_limited",
      "微博发布过于频繁（每个账号每小时最多 30 条），系统会排队稍后发布，无需处理。",
    ],
  ],
  [20012, ["refused", `微博拒绝发布：文字超过 140 字的上限。${WEIBO_EDIT}`]],
  [20017, ["refused", "微博拒绝发布：与该账号近期发布的内容重复；如确需再次发布，请修改文案。"]],
  [20019, ["refused", "微博拒绝发布：与该账号已发布的内容重复；如确需再次发布，请修改文案。"]],
  [20018, ["refused", `微博拒绝发布：文案中含有平台认定的非法网址。${WEIBO_EDIT}`]],
  [20020, ["refused", `微博拒绝发布：文案被平台认定含有广告信息。${WEIBO_EDIT}`]],
  [20021, ["refused", `微博拒绝发布：文案被平台认定含有违规内容。${WEIBO_EDIT}`]],
  ...[21314, 21315, 21316, 21317, 21319, 21327, 21332].map((code): [number, Entry] => [
    code,
    ["token", WEIBO_TOKEN],
  ]),
]);

function unknown(platform: "wechat" | "weibo", code: number, message: string | undefined): string {
  const name = platform === "wechat" ? "微信公众号" : "微博";
  const detail =
    message !== undefined && message.trim() !== "" ? `（平台说明：${message.trim()}）` : "";
  return `${name}接口返回了未归类的错误 ${code}${detail}；系统会按重试策略自动重试，若持续失败请联系技术人员。`;
}

export function classifyWechatError(errcode: number, errmsg?: string): PlatformErrorInfo {
  const entry = WECHAT.get(errcode);
  const [cls, sentence] = entry ?? ["unknown", unknown("wechat", errcode, errmsg)];
  return { platform: "wechat", code: errcode, class: cls, rule: `wechat.${errcode}`, sentence };
}

/** Weibo's service errors 200xx concern the content of the post itself, so an unlisted one is a refusal too. */
function isWeiboContentCode(code: number): boolean {
  return code >= 20001 && code <= 20099;
}

export function classifyWeiboError(errorCode: number, error?: string): PlatformErrorInfo {
  const entry = WEIBO.get(errorCode);
  if (entry !== undefined) {
    return {
      platform: "weibo",
      code: errorCode,
      class: entry[0],
      rule: `weibo.${errorCode}`,
      sentence: entry[1],
    };
  }
  if (isWeiboContentCode(errorCode)) {
    const detail =
      error !== undefined && error.trim() !== "" ? `（平台说明：${error.trim()}）` : "";
    return {
      platform: "weibo",
      code: errorCode,
      class: "refused",
      rule: `weibo.${errorCode}`,
      sentence: `微博拒绝发布该内容，错误码 ${errorCode}${detail}。${WEIBO_EDIT}`,
    };
  }
  return {
    platform: "weibo",
    code: errorCode,
    class: "unknown",
    rule: `weibo.${errorCode}`,
    sentence: unknown("weibo", errorCode, error),
  };
}
