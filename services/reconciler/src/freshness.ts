import type { ChannelPolicy } from "@herald/channel-kit";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How recently an account that must be kept updated has posted. Inspections fail
 * a WeChat or Weibo account outright after two weeks with no update, so the
 * reconciler warns first (`warning`) and then reports a finding (`finding`).
 */
export interface Freshness {
  /** The newest post the channel lists (the newest `applied_at` among its holdings). */
  readonly lastPostAt?: Date;
  readonly lastPostRef?: string;
  /** Whole days since the last post, or since the account joined when it never posted. */
  readonly days: number;
  readonly level: "ok" | "warning" | "finding";
  readonly warningDays: number;
  readonly findingDays: number;
  /** A sentence for operators, in Chinese. */
  readonly message: string;
}

/** The last post an audit saw: the newest holding applied. */
export interface LastPost {
  readonly at: number;
  readonly ref: string;
}

/** Freshness of a channel whose policy has a freshness rule; undefined for any other. */
export function freshnessOf(
  policy: ChannelPolicy,
  lastPost: LastPost | undefined,
  joinedAt: number,
  now: number,
): Freshness | undefined {
  const rule = policy.freshness;
  if (!rule) return undefined;
  const since = lastPost?.at ?? joinedAt;
  const days = Math.max(0, Math.floor((now - since) / DAY_MS));
  const level = days >= rule.findingDays ? "finding" : days >= rule.warningDays ? "warning" : "ok";
  const what = lastPost ? `最近一次发布在 ${days} 天前` : `接入 ${days} 天来没有发布过内容`;
  const message =
    level === "finding"
      ? `${what}，已超过 ${rule.findingDays} 天：按考核规则，账号将被判定为长期未更新。请尽快发布。`
      : level === "warning"
        ? `${what}，${rule.findingDays} 天未更新即不合格，还剩 ${rule.findingDays - days} 天。`
        : what;
  return {
    ...(lastPost ? { lastPostAt: new Date(lastPost.at), lastPostRef: lastPost.ref } : {}),
    days,
    level,
    warningDays: rule.warningDays,
    findingDays: rule.findingDays,
    message,
  };
}

/** The newest of the holdings an audit listed, among those the channel shows. */
export function newestPost(
  holdings: readonly { appliedAt?: Date | undefined; externalRef: string }[],
): LastPost | undefined {
  let newest: LastPost | undefined;
  for (const h of holdings) {
    const at = h.appliedAt?.getTime();
    if (at !== undefined && (!newest || at > newest.at)) newest = { at, ref: h.externalRef };
  }
  return newest;
}
