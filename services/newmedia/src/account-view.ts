import type { ChannelRuntime } from "@herald/channel-kit";
import { beijingDay } from "./beijing-time";
import type { AccountOutlet, Platform } from "./outlets";
import type { Publisher, QuotaUse } from "./publisher";

const DAY_MS = 24 * 60 * 60 * 1000;

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
  readonly daysSincePost: number | null;
  readonly freshness: {
    readonly level: "ok" | "warning" | "finding";
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

type Outlet = AccountOutlet & { readonly publisher: Publisher };

/**
 * The account's freshness by its own last post. The reconciler judges the same
 * rule from the account's inventory; this is what the channel itself knows.
 */
function freshness(outlet: Outlet, now: number) {
  const { freshnessWarningDays: warningDays, freshnessFindingDays: findingDays } = outlet.account;
  const last = outlet.publisher.lastPost();
  const days = last ? Math.max(0, Math.floor((now - last.at.getTime()) / DAY_MS)) : null;
  const level: "ok" | "warning" | "finding" =
    days === null || days >= findingDays ? "finding" : days >= warningDays ? "warning" : "ok";
  const message =
    days === null
      ? "还没有发布过内容"
      : level === "finding"
        ? `${days} 天未更新，已超过 ${findingDays} 天：考核将判定为长期未更新`
        : level === "warning"
          ? `${days} 天未更新，${findingDays} 天未更新即不合格`
          : `${days} 天前更新`;
  return { days, last, level, warningDays, findingDays, message };
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
    daysSincePost: fresh.days,
    freshness: {
      level: fresh.level,
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
