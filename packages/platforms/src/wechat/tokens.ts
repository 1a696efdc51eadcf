import { shanghaiDay } from "../clock";
import { opaqueId } from "../ids";
import { type WechatAccountState, type WechatToken } from "./state";

/** How long a token lives: the platform's `expires_in`. */
export const TOKEN_LIFETIME_MS = 7200 * 1000;
/** How long a token stays valid after a newer one was issued, so that callers can switch over. */
export const TOKEN_OVERLAP_MS = 5 * 60 * 1000;
/** stable_token's force_refresh mode is limited per day, and needs this gap between refreshes. */
export const FORCE_REFRESH_PER_DAY = 20;
export const FORCE_REFRESH_MIN_GAP_MS = 30 * 1000;

/** Tokens look like the platform's: a number, an underscore and a long URL-safe string. */
const TOKEN_SHAPE = /^[0-9]+_[A-Za-z0-9_-]{32,}$/;

function mint(account: WechatAccountState, kind: WechatToken["kind"], now: number): WechatToken {
  account.sequence += 1;
  const token: WechatToken = {
    token: `${account.sequence}_${opaqueId(96)}`,
    kind,
    issuedAt: now,
    expiresAt: now + TOKEN_LIFETIME_MS,
  };
  // Forget tokens long dead, so that the state does not grow without bound.
  account.tokens = account.tokens.filter((t) => t.expiresAt > now - TOKEN_LIFETIME_MS);
  account.tokens.push(token);
  return token;
}

function latest(account: WechatAccountState, kind: WechatToken["kind"]): WechatToken | undefined {
  const ofKind = account.tokens.filter((t) => t.kind === kind && !t.revoked);
  return ofKind[ofKind.length - 1];
}

export interface IssuedToken {
  access_token: string;
  expires_in: number;
}

function issued(token: WechatToken, now: number): IssuedToken {
  return {
    access_token: token.token,
    expires_in: Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
  };
}

/** `cgi-bin/token`: always a new token; the previous one stays valid five more minutes at most. */
export function issueToken(account: WechatAccountState, now: number): IssuedToken {
  const previous = latest(account, "token");
  if (previous !== undefined)
    previous.expiresAt = Math.min(previous.expiresAt, now + TOKEN_OVERLAP_MS);
  return issued(mint(account, "token", now), now);
}

export type StableTokenResult =
  { ok: true; token: IssuedToken } | { ok: false; reason: "force-refresh-limit" };

/**
 * `cgi-bin/stable_token`. Normal mode returns the current token while it has more than five
 * minutes left, and a new one (the old staying valid to its end) in its last five minutes.
 * force_refresh replaces the token at once, at most 20 times a day and once per 30 seconds
 * (a refresh within 30 s of the last returns the current token unchanged).
 */
export function stableToken(
  account: WechatAccountState,
  now: number,
  forceRefresh: boolean,
): StableTokenResult {
  const current = latest(account, "stable");
  const valid = current !== undefined && current.expiresAt > now;
  if (forceRefresh) {
    const day = shanghaiDay(now);
    const used = account.stableForceRefresh.day === day ? account.stableForceRefresh.count : 0;
    if (used >= FORCE_REFRESH_PER_DAY) return { ok: false, reason: "force-refresh-limit" };
    if (valid && now - account.stableForceRefresh.lastAt < FORCE_REFRESH_MIN_GAP_MS) {
      return { ok: true, token: issued(current, now) };
    }
    account.stableForceRefresh = { day, count: used + 1, lastAt: now };
    if (current !== undefined) current.revoked = true;
    return { ok: true, token: issued(mint(account, "stable", now), now) };
  }
  if (valid && current.expiresAt - now > TOKEN_OVERLAP_MS)
    return { ok: true, token: issued(current, now) };
  return { ok: true, token: issued(mint(account, "stable", now), now) };
}

export type TokenCheck =
  | { ok: true; account: WechatAccountState }
  | {
      ok: false;
      error: "missing" | "malformed" | "invalid" | "expired";
      account?: WechatAccountState;
    };

/** Which account a token belongs to, or why it is refused: 41001, 40014, 40001 or 42001. */
export function checkToken(
  accounts: Iterable<WechatAccountState>,
  token: string | undefined,
  now: number,
): TokenCheck {
  if (token === undefined || token === "") return { ok: false, error: "missing" };
  if (!TOKEN_SHAPE.test(token)) return { ok: false, error: "malformed" };
  for (const account of accounts) {
    const found = account.tokens.find((t) => t.token === token);
    if (found === undefined) continue;
    if (found.revoked) return { ok: false, error: "invalid", account };
    if (found.expiresAt <= now) {
      // A token cut short because a newer one was issued is "not latest" (40001); one that
      // reached the end of its own life is expired (42001).
      const supersededEarly =
        found.expiresAt < found.issuedAt + TOKEN_LIFETIME_MS && !found.expiredByControl;
      return { ok: false, error: supersededEarly ? "invalid" : "expired", account };
    }
    return { ok: true, account };
  }
  return { ok: false, error: "invalid" };
}

/** Control: every token of the account ends now (the next call with one answers 42001). */
export function expireTokens(account: WechatAccountState, now: number): void {
  for (const t of account.tokens) {
    if (t.expiresAt > now) {
      t.expiresAt = now;
      t.expiredByControl = true;
    }
  }
}
