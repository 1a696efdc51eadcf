import {
  type ChannelRuntime,
  type FreshnessCode,
  type FreshnessLevel,
  judgeFreshness,
} from "@herald/channel-kit";
import { beijingDay } from "./beijing-time";
import type { AccountOutlet, Platform } from "./outlets";
import type { Publisher, QuotaUse } from "./publisher";

/** One account as operators see it (`GET /api/v1/accounts`, `herald newmedia accounts`). */
export interface AccountView {
  readonly outletId: string;
  readonly platform: Platform;
  readonly account: string;
  readonly displayName: string;
  readonly ready: boolean;
  /** Items the account holds now. */
  readonly holdings: number;
  readonly lastPost: { readonly at: string; readonly ref: string } | null;
  /** Whole days since the last post; null when the account never posted. */
  readonly daysSincePost: number | null;
  readonly freshness: {
    readonly level: FreshnessLevel;
    /** The rule id beside the sentence (`freshness.warning`). */
    readonly code: FreshnessCode;
    readonly warningDays: number;
    readonly findingDays: number;
    readonly message: string;
  };
  readonly quotas: readonly {
    readonly api: string;
    readonly used: number;
    readonly limit: number;
    readonly warning: boolean;
  }[];
  readonly openTasks: number;
}

type Outlet = AccountOutlet & {
  readonly publisher: Publisher;
  /** When the account's outlet first started (`recordFirstStart`). */
  readonly firstStartedAt: Date;
};

/**
 * The account's freshness by its own last confirmed post, or, when it never
 * posted, since its outlet first started: channel-kit's one rule and sentences,
 * which the reconciler judges too from the account's inventory.
 */
function freshness(outlet: Outlet, now: number) {
  const last = outlet.publisher.lastPost();
  const judged = judgeFreshness(
    {
      warningDays: outlet.account.freshnessWarningDays,
      findingDays: outlet.account.freshnessFindingDays,
    },
    { lastPostAt: last?.at.getTime(), since: outlet.firstStartedAt.getTime() },
    now,
  );
  return { ...judged, last };
}

function quotaRows(quotas: Record<string, QuotaUse>, percent: number) {
  return Object.entries(quotas)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([api, use]) => ({
      api,
      used: use.used,
      limit: use.limit,
      warning: use.used * 100 >= use.limit * percent,
    }));
}

export function accountView(
  outlet: Outlet,
  runtime: Pick<ChannelRuntime, "holdings" | "ready">,
  quotaWarningPercent: number,
  now: number,
): AccountView {
  const fresh = freshness(outlet, now);
  return {
    outletId: outlet.outletId,
    platform: outlet.platform,
    account: outlet.account.account,
    displayName: outlet.account.displayName,
    ready: runtime.ready().ok,
    holdings: runtime.holdings().filter((h) => h.status === "held").length,
    lastPost: fresh.last ? { at: fresh.last.at.toISOString(), ref: fresh.last.ref } : null,
    daysSincePost: fresh.posted ? fresh.days : null,
    freshness: {
      level: fresh.level,
      code: fresh.code,
      warningDays: fresh.warningDays,
      findingDays: fresh.findingDays,
      message: fresh.message,
    },
    quotas: quotaRows(outlet.publisher.quota(), quotaWarningPercent),
    openTasks: 0,
  };
}

/** Quotas past the warning share today, each keyed so it is logged once a day. */
export function quotaWarnings(outlet: Outlet, percent: number, now: number) {
  const day = beijingDay(now);
  return quotaRows(outlet.publisher.quota(), percent)
    .filter((q) => q.warning)
    .map((quota) => ({
      key: `${outlet.outletId}/${quota.api}/${day}`,
      quota,
      message: `${outlet.outletId}: ${quota.api} 今日已用 ${quota.used}/${quota.limit} 次，接近每日上限`,
    }));
}
