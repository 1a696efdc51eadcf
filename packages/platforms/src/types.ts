/** The WeChat API names the emulator counts calls and daily quotas by (the path after `/cgi-bin/`). */
export type WechatApi =
  | "token"
  | "stable_token"
  | "material/add_material"
  | "media/uploadimg"
  | "draft/add"
  | "draft/get"
  | "draft/delete"
  | "draft/batchget"
  | "draft/count"
  | "freepublish/submit"
  | "freepublish/get"
  | "freepublish/delete"
  | "freepublish/getarticle"
  | "freepublish/batchget";

/** Every API with a daily quota is one of the counted APIs. */
export type WechatQuotaApi = WechatApi;

/** The Weibo API names the emulator counts calls by (the path after `/2/`, without `.json`). */
export type WeiboApi =
  "statuses/share" | "statuses/show" | "statuses/user_timeline" | "statuses/destroy/biz";

export interface WechatAccountSeed {
  appId: string;
  secret: string;
  name: string;
  /** A verified organisation account may use freepublish; default true. */
  verified?: boolean;
  quotas?: Partial<Record<WechatQuotaApi, number>>;
  /** Where PUBLISHJOBFINISH events are posted (the account's server URL); none when unset. */
  eventUrl?: string;
  /**
   * The Token of the account's server configuration: each push then carries
   * `signature`, `timestamp` and `nonce` in its query, as the platform signs them.
   */
  eventToken?: string;
}

export interface WeiboAccountSeed {
  uid: string;
  accessToken: string;
  name: string;
  safeDomains: string[];
  /** A commercial app may call statuses/destroy/biz. */
  commercial?: boolean;
  /** Posts per hour per user; default 30. */
  postsPerHour?: number;
}

export interface StartPlatformsOptions {
  /** 0 = any free port; main.ts defaults to 4290. */
  port?: number;
  host?: string;
  /** Injectable clock (ms since epoch) for tokens, quotas, rate limits and job timing. */
  now?: () => number;
  /** How long a freepublish job stays "publishing"; default 2000 ms. */
  publishJobMs?: number;
  wechat?: WechatAccountSeed[];
  weibo?: WeiboAccountSeed[];
  /** Bearer token for /_control; when unset the control API is open (tests). */
  controlToken?: string;
  /** A JSON file the state is saved to and restored from, so a restart of the emulator keeps it. */
  stateFile?: string;
}

/** One call as the platform's logs would count it. */
export interface CallRecord {
  platform: "wechat" | "weibo";
  account: string;
  api: string;
  at: number;
  /** 0 on success; the WeChat errcode or the Weibo error_code otherwise. */
  errcode: number;
}
