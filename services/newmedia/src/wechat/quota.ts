import { beijingDay } from "../beijing-time";

/** WeChat's daily quotas reset at midnight, Beijing time (UTC+8, no daylight saving). */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** The Beijing calendar day of `ms`, e.g. "2026-12-06": what a quota counts within. */
export const quotaDay = beijingDay;

/** When the quotas counted on the day of `ms` reset: the next Beijing midnight. */
export function quotaResetsAt(ms: number): Date {
  const beijing = ms + BEIJING_OFFSET_MS;
  return new Date(Math.floor(beijing / DAY_MS) * DAY_MS + DAY_MS - BEIJING_OFFSET_MS);
}

export interface QuotaSnapshot {
  day: string;
  used: Record<string, number>;
}

/**
 * Calls made today per API, as this account's one writer counts them, against the
 * daily limits the account has. The count is what the publisher sent, so a call
 * the platform refused still counts (the platform counts it too).
 */
export class QuotaCounter {
  private day: string;
  private used: Record<string, number> = {};

  constructor(
    private readonly limits: Readonly<Record<string, number>>,
    private readonly now: () => number,
  ) {
    this.day = quotaDay(now());
  }

  /** Adds what an earlier process counted today (calls made since start-up are kept too). */
  restore(snapshot: QuotaSnapshot): void {
    this.roll();
    if (snapshot.day !== this.day) return;
    for (const [api, used] of Object.entries(snapshot.used)) {
      this.used[api] = (this.used[api] ?? 0) + used;
    }
  }

  private roll(): void {
    const today = quotaDay(this.now());
    if (today !== this.day) {
      this.day = today;
      this.used = {};
    }
  }

  count(api: string): void {
    this.roll();
    this.used[api] = (this.used[api] ?? 0) + 1;
  }

  /** The platform said the quota is used up, whatever our count says: stop calling until the reset. */
  exhaust(api: string): void {
    this.roll();
    const limit = this.limits[api];
    if (limit !== undefined) this.used[api] = Math.max(this.used[api] ?? 0, limit);
  }

  /** Whether a call to `api` would exceed its daily limit. */
  exhausted(api: string): boolean {
    this.roll();
    const limit = this.limits[api];
    return limit !== undefined && (this.used[api] ?? 0) >= limit;
  }

  resetsAt(): Date {
    return quotaResetsAt(this.now());
  }

  /** How long from now until the quotas reset. */
  untilReset(): number {
    return this.resetsAt().getTime() - this.now();
  }

  /** Today's use of every API that has a daily limit. */
  report(): Record<string, { used: number; limit: number }> {
    this.roll();
    const report: Record<string, { used: number; limit: number }> = {};
    for (const [api, limit] of Object.entries(this.limits)) {
      report[api] = { used: this.used[api] ?? 0, limit };
    }
    return report;
  }

  /** Today's calls of every API, limited or not (for logs and the per-item call count). */
  calls(): Record<string, number> {
    this.roll();
    return { ...this.used };
  }

  snapshot(): QuotaSnapshot {
    this.roll();
    return { day: this.day, used: { ...this.used } };
  }
}
