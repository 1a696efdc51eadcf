/**
 * Sign-in throttling per client: after `limit` failures within `windowMs`,
 * a client is refused until the oldest of them leaves the window. Guessing a
 * token then costs a minute per handful of tries instead of nothing.
 */

/** Clients tracked at most; past it the least recently failing goes, so memory stays bounded. */
const DEFAULT_MAX_CLIENTS = 10_000;

/** Whether a client may try now, and if not, for how long it must wait. */
export type ThrottleVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface SignInThrottleOptions {
  /** Failures allowed within the window (default 5). */
  readonly limit?: number;
  /** The window in milliseconds (default one minute). */
  readonly windowMs?: number;
  readonly maxClients?: number;
}

export class SignInThrottle {
  readonly limit: number;
  readonly windowMs: number;
  private readonly maxClients: number;
  // Failure times per client, oldest first; map order is least recently failing first.
  private readonly failures = new Map<string, number[]>();

  constructor(options: SignInThrottleOptions = {}) {
    this.limit = options.limit ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
    if (!Number.isInteger(this.limit) || this.limit < 1) {
      throw new Error("limit must be a whole number of failures, at least 1");
    }
  }

  private recent(client: string, now: number): number[] {
    const times = (this.failures.get(client) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.failures.delete(client);
    return times;
  }

  /** Whether `client` may try to sign in at `now`. */
  check(client: string, now: Date): ThrottleVerdict {
    const times = this.recent(client, now.getTime());
    if (times.length < this.limit) return { allowed: true };
    const oldest = times[times.length - this.limit] ?? now.getTime();
    const waitMs = oldest + this.windowMs - now.getTime();
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Counts a failed attempt of `client`. */
  fail(client: string, now: Date): void {
    const times = this.recent(client, now.getTime());
    times.push(now.getTime());
    this.failures.delete(client);
    this.failures.set(client, times.slice(-this.limit));
    while (this.failures.size > this.maxClients) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  /** A successful sign-in clears the client's failures. */
  succeed(client: string): void {
    this.failures.delete(client);
  }
}

/** The clear Chinese message a throttled client sees, saying when to try again. */
export function throttledMessage(retryAfterSeconds: number): string {
  return `登录失败次数过多，请在 ${retryAfterSeconds} 秒后再试（too many failed sign-ins; try again in ${retryAfterSeconds} s）。`;
}
