import type { ChannelAdapter, ChannelPolicy } from "@herald/channel-kit";
import { Audience } from "@herald/contracts";
import { DEFAULT_ACCOUNT_KINDS, type WechatAccount, type WeiboAccount, outletId } from "./accounts";
import type { Publisher } from "./publisher";

/** The channel every account is an outlet of. */
export const CHANNEL = "newmedia";

export type Platform = "wechat" | "weibo";

/** One account as the service runs it. */
export interface AccountOutlet {
  readonly outletId: string;
  readonly platform: Platform;
  readonly account: WechatAccount | WeiboAccount;
  readonly policy: ChannelPolicy;
}

/**
 * The policy one account announces and applies. Accounts are public, so only
 * public items go out unless the account says otherwise; a withdrawn or expired
 * item is taken off the account, since a post cannot carry the portal's notice.
 */
export function accountPolicy(
  platform: Platform,
  account: WechatAccount | WeiboAccount,
): ChannelPolicy {
  return {
    name: CHANNEL,
    outletId: outletId(platform, account.account),
    kinds: [...(account.kinds ?? DEFAULT_ACCOUNT_KINDS)],
    audiences: account.internal
      ? [Audience.AUDIENCE_PUBLIC, Audience.AUDIENCE_INTERNAL]
      : [Audience.AUDIENCE_PUBLIC],
    keepsWithdrawn: false,
    keepsExpired: false,
    ...(account.categories ? { categories: [...account.categories] } : {}),
    ...(account.publishedFrom ? { publishedFrom: account.publishedFrom } : {}),
    freshness: {
      warningDays: account.freshnessWarningDays,
      findingDays: account.freshnessFindingDays,
    },
  };
}

/** The channel runtime's adapter for one account: its policy, and its pipeline's calls. */
export function accountAdapter(policy: ChannelPolicy, publisher: Publisher): ChannelAdapter {
  return {
    policy,
    apply: (state, ctx) => publisher.apply(state, ctx),
    remove: (state, ctx) => publisher.remove(state, ctx),
    verify: (holding) => publisher.verify(holding),
  };
}
