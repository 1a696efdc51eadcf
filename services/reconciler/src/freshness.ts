import { type ChannelPolicy, type FreshnessJudgement, judgeFreshness } from "@herald/channel-kit";

/**
 * How recently an account that must be kept updated has posted, as channel-kit's
 * `judgeFreshness` judges it (the newmedia channel judges its accounts with the
 * same function), plus the post an audit saw.
 */
export interface Freshness extends FreshnessJudgement {
  /** The newest post the channel lists (the newest `applied_at` among its holdings). */
  readonly lastPostAt?: Date;
  readonly lastPostRef?: string;
}

/** The last post an audit saw: the newest holding applied. */
export interface LastPost {
  readonly at: number;
  readonly ref: string;
}

/**
 * Freshness of a channel whose policy has a freshness rule; undefined for any
 * other. An account that never posted is counted from when the reconciler first
 * saw it (`joinedAt`).
 */
export function freshnessOf(
  policy: ChannelPolicy,
  lastPost: LastPost | undefined,
  joinedAt: number,
  now: number,
): Freshness | undefined {
  const rule = policy.freshness;
  if (!rule) return undefined;
  return {
    ...(lastPost ? { lastPostAt: new Date(lastPost.at), lastPostRef: lastPost.ref } : {}),
    ...judgeFreshness(rule, { lastPostAt: lastPost?.at, since: joinedAt }, now),
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
