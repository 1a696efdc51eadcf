import { shanghaiDay } from "./clock";
import { type WechatQuotaApi } from "./types";
import { type QuotaUse } from "./wechat/state";

/**
 * Daily call quotas of a newly registered official account, per API, as the platform's table of
 * call limits gives them. Material and uploadimg are not in that table: they get a large figure.
 */
export const DEFAULT_WECHAT_QUOTAS: Record<WechatQuotaApi, number> = {
  token: 2000,
  stable_token: 500_000,
  "material/add_material": 10_000,
  "media/uploadimg": 10_000,
  "draft/add": 1000,
  "draft/get": 500,
  "draft/delete": 1000,
  "draft/batchget": 1000,
  "draft/count": 1000,
  "freepublish/submit": 100,
  "freepublish/get": 100,
  "freepublish/delete": 10,
  "freepublish/getarticle": 100,
  "freepublish/batchget": 100,
};

/** Today's use of a quota: zero once the Asia/Shanghai day has changed since the last call. */
export function usedToday(use: QuotaUse | undefined, now: number): number {
  return use !== undefined && use.day === shanghaiDay(now) ? use.count : 0;
}

/**
 * Counts one call against a daily quota. Returns false, without counting, when the quota is
 * already used up (the platform answers 45009 and the refused call does not count).
 */
export function takeQuota(
  uses: Partial<Record<WechatQuotaApi, QuotaUse>>,
  api: WechatQuotaApi,
  limit: number,
  now: number,
): boolean {
  const used = usedToday(uses[api], now);
  if (used >= limit) return false;
  uses[api] = { day: shanghaiDay(now), count: used + 1 };
  return true;
}
