import { DEFAULT_WECHAT_QUOTAS, usedToday } from "./quotas";
import { type CallRecord, type WechatQuotaApi } from "./types";
import { shanghaiDay } from "./clock";
import { expireTokens } from "./wechat/tokens";
import { jobStatus } from "./wechat/publish";
import { type WechatAccountState } from "./wechat/state";
import { WEIBO_DEFAULT_POSTS_PER_HOUR } from "./weibo/routes";
import { type WeiboAccountState } from "./weibo/state";
import { type World } from "./world";

export type PlatformName = "wechat" | "weibo";

export interface FaultSpec {
  platform: PlatformName;
  /** The WeChat appId or the Weibo uid. */
  account: string;
  /** The API path as the call log names it (`draft/add`, `statuses/share`), or `*` for any. */
  api: string;
  /** The code to answer: WeChat errcode (-1, 42001, 45009 …) or Weibo error_code (10023 …). */
  errcode: number;
  /** How many of the next calls answer it; default 1. */
  count?: number;
  errmsg?: string;
}

export interface NextPublishSpec {
  /** 0 published (after holdMs), 2 originality check failed, 3 failed, 4 refused by review. */
  status: 0 | 2 | 3 | 4;
  reason?: string;
  /** How long the job stays "publishing" (instead of publishJobMs). */
  holdMs?: number;
}

export interface WechatArticleView {
  article_id: string;
  idx: number;
  title: string;
  author: string;
  digest: string;
  content: string;
  content_source_url: string;
  url: string;
  published_at: number;
  deleted: boolean;
}

export interface WechatAccountView {
  appId: string;
  name: string;
  verified: boolean;
  articles: WechatArticleView[];
  drafts: Array<{ media_id: string; titles: string[]; created_at: number }>;
  materials: Array<{ media_id: string; type: string; url: string; bytes: number }>;
  jobs: Array<{
    publish_id: string;
    status: number;
    submitted_at: number;
    finish_at: number;
    article_id?: string;
    reason?: string;
  }>;
  /** Today's use and the limit of each quota (Asia/Shanghai day). */
  quotas: Record<string, { used: number; limit: number }>;
}

export interface WeiboPostView {
  id: string;
  text: string;
  pic?: string;
  created_at: number;
  deleted: boolean;
}

export interface WeiboAccountView {
  uid: string;
  name: string;
  commercial: boolean;
  safeDomains: string[];
  /** Posts made in the last hour (deleted ones included), against the hourly limit. */
  postsLastHour: number;
  postsPerHour: number;
  posts: WeiboPostView[];
}

export interface AccountsView {
  wechat: Array<{ appId: string; name: string }>;
  weibo: Array<{ uid: string; name: string }>;
}

/** The control operations; the HTTP control API under `/_control` exposes the same ones. */
export interface PlatformsControl {
  accounts(): AccountsView;
  injectFault(fault: FaultSpec): void;
  expireTokens(platform: PlatformName, account: string): void;
  useUpQuota(appId: string, api: WechatQuotaApi): void;
  nextPublish(appId: string, spec: NextPublishSpec): void;
  clearFaults(platform?: PlatformName, account?: string): void;
  wechat(appId: string): WechatAccountView;
  weibo(uid: string): WeiboAccountView;
  /** An operator deletes a post by hand on weibo.com (what the public API no longer allows). */
  deleteWeiboPost(uid: string, id: string): void;
  calls(filter?: { platform?: PlatformName; account?: string; api?: string }): CallRecord[];
  /** Calls per API and per Asia/Shanghai day. */
  callCounts(platform: PlatformName, account: string): Record<string, Record<string, number>>;
}

/** A control request naming something that does not exist or breaking a rule. */
export class ControlError extends Error {}

export function createControl(world: World, settle: () => void): PlatformsControl {
  const wechatAccount = (appId: string): WechatAccountState => {
    const account = world.wechat.get(appId);
    if (account === undefined) throw new ControlError(`no WeChat account with appId "${appId}"`);
    return account;
  };
  const weiboAccount = (uid: string): WeiboAccountState => {
    const account = world.weibo.get(uid);
    if (account === undefined) throw new ControlError(`no Weibo account with uid "${uid}"`);
    return account;
  };
  const changed = (): void => {
    world.dirty = true;
  };

  return {
    accounts: () => ({
      wechat: [...world.wechat.values()].map((a) => ({ appId: a.seed.appId, name: a.seed.name })),
      weibo: [...world.weibo.values()].map((a) => ({ uid: a.seed.uid, name: a.seed.name })),
    }),

    injectFault(fault) {
      const count = fault.count ?? 1;
      if (!Number.isInteger(fault.errcode)) throw new ControlError("errcode must be an integer");
      if (!Number.isInteger(count) || count < 1)
        throw new ControlError("count must be an integer >= 1");
      if (typeof fault.api !== "string" || fault.api === "")
        throw new ControlError('api must name an API or be "*"');
      const target =
        fault.platform === "wechat"
          ? wechatAccount(fault.account)
          : fault.platform === "weibo"
            ? weiboAccount(fault.account)
            : undefined;
      if (target === undefined) throw new ControlError('platform must be "wechat" or "weibo"');
      target.faults[fault.api] = {
        errcode: fault.errcode,
        remaining: count,
        ...(fault.errmsg === undefined ? {} : { errmsg: fault.errmsg }),
      };
      changed();
    },

    expireTokens(platform, account) {
      if (platform === "wechat") expireTokens(wechatAccount(account), world.now());
      else weiboAccount(account).tokenExpired = true;
      changed();
    },

    useUpQuota(appId, api) {
      const account = wechatAccount(appId);
      if (!(api in DEFAULT_WECHAT_QUOTAS)) throw new ControlError(`unknown WeChat API "${api}"`);
      const limit = account.seed.quotas?.[api] ?? DEFAULT_WECHAT_QUOTAS[api];
      account.quotaUse[api] = { day: shanghaiDay(world.now()), count: limit };
      changed();
    },

    nextPublish(appId, spec) {
      if (![0, 2, 3, 4].includes(spec.status))
        throw new ControlError("status must be 0, 2, 3 or 4");
      if (spec.holdMs !== undefined && (!Number.isFinite(spec.holdMs) || spec.holdMs < 0))
        throw new ControlError("holdMs must be a number >= 0");
      wechatAccount(appId).nextPublish.push({ ...spec });
      changed();
    },

    clearFaults(platform, account) {
      const clearWechat = (a: WechatAccountState): void => {
        a.faults = {};
        a.nextPublish = [];
      };
      const clearWeibo = (a: WeiboAccountState): void => {
        a.faults = {};
        a.tokenExpired = false;
      };
      if (platform === "wechat") {
        for (const a of account === undefined ? world.wechat.values() : [wechatAccount(account)])
          clearWechat(a);
      } else if (platform === "weibo") {
        for (const a of account === undefined ? world.weibo.values() : [weiboAccount(account)])
          clearWeibo(a);
      } else {
        for (const a of world.wechat.values()) clearWechat(a);
        for (const a of world.weibo.values()) clearWeibo(a);
      }
      changed();
    },

    wechat(appId) {
      settle();
      const account = wechatAccount(appId);
      const now = world.now();
      return {
        appId,
        name: account.seed.name,
        verified: account.seed.verified !== false,
        articles: account.articles
          .flatMap((p) =>
            p.articles.map((a, i) => ({
              article_id: p.articleId,
              idx: i + 1,
              title: a.title,
              author: a.author,
              digest: a.digest,
              content: a.content,
              content_source_url: a.content_source_url,
              url: p.urls[i] ?? "",
              published_at: p.publishedAt,
              deleted: p.deleted[i] ?? false,
            })),
          )
          .sort((a, b) => b.published_at - a.published_at),
        drafts: account.drafts.map((d) => ({
          media_id: d.mediaId,
          titles: d.articles.map((a) => a.title),
          created_at: d.createdAt,
        })),
        materials: account.materials.map((m) => ({
          media_id: m.mediaId,
          type: m.type,
          url: m.url,
          bytes: m.bytes,
        })),
        jobs: account.jobs.map((j) => ({
          publish_id: j.publishId,
          status: jobStatus(account, j),
          submitted_at: j.submittedAt,
          finish_at: j.finishAt,
          ...(j.articleId === undefined ? {} : { article_id: j.articleId }),
          ...(j.outcome.reason === undefined ? {} : { reason: j.outcome.reason }),
        })),
        quotas: Object.fromEntries(
          (Object.keys(DEFAULT_WECHAT_QUOTAS) as WechatQuotaApi[]).map((api) => [
            api,
            {
              used: usedToday(account.quotaUse[api], now),
              limit: account.seed.quotas?.[api] ?? DEFAULT_WECHAT_QUOTAS[api],
            },
          ]),
        ),
      };
    },

    weibo(uid) {
      const account = weiboAccount(uid);
      return {
        uid,
        name: account.seed.name,
        commercial: account.seed.commercial === true,
        safeDomains: [...account.seed.safeDomains],
        postsLastHour: account.posts.filter((p) => p.createdAt > world.now() - 3600 * 1000).length,
        postsPerHour: account.seed.postsPerHour ?? WEIBO_DEFAULT_POSTS_PER_HOUR,
        posts: [...account.posts]
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((p) => ({
            id: p.id,
            text: p.text,
            ...(p.pic === undefined ? {} : { pic: p.pic }),
            created_at: p.createdAt,
            deleted: p.deleted,
          })),
      };
    },

    deleteWeiboPost(uid, id) {
      const post = weiboAccount(uid).posts.find((p) => p.id === id && !p.deleted);
      if (post === undefined) throw new ControlError(`no live Weibo post ${id} of uid "${uid}"`);
      post.deleted = true;
      post.deletedAt = world.now();
      changed();
    },

    calls(filter) {
      return world.calls.filter(
        (c) =>
          (filter?.platform === undefined || c.platform === filter.platform) &&
          (filter?.account === undefined || c.account === filter.account) &&
          (filter?.api === undefined || c.api === filter.api),
      );
    },

    callCounts(platform, account) {
      if (platform === "wechat") wechatAccount(account);
      else weiboAccount(account);
      return structuredClone(world.callCounts[`${platform}:${account}`] ?? {});
    },
  };
}
