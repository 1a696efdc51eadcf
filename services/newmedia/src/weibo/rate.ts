import { beijingDay, beijingTime } from "../beijing-time";
import type { AccountDocument, WeiboStore } from "./store";

const HOUR_MS = 3_600_000;
/** The day, in Beijing time, that `at` falls on: the platform counts days so. */
export const platformDay = beijingDay;

/** When the platform's hourly counters next reset: the next full hour. */
export function nextHour(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS + HOUR_MS;
}

export { beijingTime };

/**
 * An account's rate state, kept in memory and written through to its
 * `weibo_accounts` document: the times of the posts of the last hour (a sliding
 * window of `postsPerHour`), a pause the platform asked for, the calls of the day
 * per API, and the last confirmed post.
 */
export class AccountRate {
  private doc: AccountDocument;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: WeiboStore,
    private readonly postsPerHour: number,
    private readonly now: () => number,
    doc: AccountDocument | undefined,
  ) {
    this.doc = doc ?? {
      _id: store.account,
      postTimes: [],
      callDay: platformDay(now()),
      calls: {},
    };
  }

  static async load(
    store: WeiboStore,
    postsPerHour: number,
    now: () => number,
  ): Promise<AccountRate> {
    return new AccountRate(store, postsPerHour, now, await store.accountState());
  }

  /** Writes the document; writes go out one after the other, so the last state wins. */
  private persist(): Promise<void> {
    const snapshot: AccountDocument = {
      ...this.doc,
      postTimes: [...this.doc.postTimes],
      calls: { ...this.doc.calls },
    };
    const write = this.writes.then(() => this.store.saveAccountState(snapshot));
    // A failed write must not block the next one; the caller still sees it fail.
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** When the next post may go out: now, or when the oldest post of the window leaves it. */
  nextSlot(): number {
    const now = this.now();
    const recent = this.doc.postTimes.map((t) => t.getTime()).filter((t) => t > now - HOUR_MS);
    const blocked = this.doc.blockedUntil?.getTime() ?? 0;
    let slot = now;
    if (recent.length >= this.postsPerHour) {
      const sorted = recent.sort((a, b) => a - b);
      // The post that must leave the window before another fits.
      slot = sorted[recent.length - this.postsPerHour]! + HOUR_MS;
    }
    return Math.max(slot, blocked);
  }

  /** Takes a slot for a post about to go out; the caller checked `nextSlot()`. */
  async takeSlot(): Promise<Date> {
    const now = this.now();
    const at = new Date(now);
    this.doc.postTimes = [...this.doc.postTimes.filter((t) => t.getTime() > now - HOUR_MS), at];
    await this.persist();
    return at;
  }

  /** Gives back a slot whose post the platform refused: a refused share is no post. */
  async releaseSlot(at: Date): Promise<void> {
    this.doc.postTimes = this.doc.postTimes.filter((t) => t.getTime() !== at.getTime());
    await this.persist();
  }

  /** The platform said too many: no post before `until`. */
  async pauseUntil(until: number): Promise<void> {
    const current = this.doc.blockedUntil?.getTime() ?? 0;
    if (until <= current) return;
    this.doc.blockedUntil = new Date(until);
    await this.persist();
  }

  /** Counts one call of `api` today. */
  async countCall(api: string): Promise<void> {
    const day = platformDay(this.now());
    if (day !== this.doc.callDay) {
      this.doc.callDay = day;
      this.doc.calls = {};
    }
    this.doc.calls[api] = (this.doc.calls[api] ?? 0) + 1;
    await this.persist();
  }

  /** Calls per API today. */
  callsToday(): Record<string, number> {
    return platformDay(this.now()) === this.doc.callDay ? { ...this.doc.calls } : {};
  }

  async recordPost(at: Date, ref: string): Promise<void> {
    if (this.doc.lastPost && this.doc.lastPost.at.getTime() > at.getTime()) return;
    this.doc.lastPost = { at, ref };
    await this.persist();
  }

  lastPost(): { at: Date; ref: string } | undefined {
    return this.doc.lastPost ? { ...this.doc.lastPost } : undefined;
  }

  /** Waits for pending writes (before a close). */
  async flush(): Promise<void> {
    await this.writes;
  }
}
