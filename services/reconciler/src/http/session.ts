/**
 * Dashboard sessions: kept on the server by @herald/web's SessionStore, so
 * signing out revokes a session for good and a session whose token is no
 * longer accepted ends at its next request. Only the leading reconciler
 * serves the dashboard (ADR 005), so one process holds them all; operators
 * sign in again after a takeover or a restart.
 */
import { safeRedirect, SessionStore, setCookie } from "@herald/web";

/** WARNING: the cookie name is stored in operators' browsers; renaming it logs everyone out. */
export const SESSION_COOKIE = "herald_reconciler_session";

/** How long a login lasts: one working day, so a shared terminal does not stay signed in overnight. */
export const SESSION_TTL_MS = 8 * 3600 * 1000;

/**
 * The dashboard's sessions; each keeps the token it was opened with, so every
 * request can ask the token check whether that token is still valid.
 */
export type DashboardSessions = SessionStore<string>;

/** A store for the dashboard's sessions, signed with the session secret (at least 32 bytes). */
export function createDashboardSessions(secret: Buffer): DashboardSessions {
  return new SessionStore<string>({ secret, ttlMs: SESSION_TTL_MS });
}

/** The Set-Cookie header value of a new session; Secure when the request came over TLS. */
export function sessionCookie(value: string, secure: boolean): string {
  return setCookie(SESSION_COOKIE, value, {
    maxAge: SESSION_TTL_MS / 1000,
    sameSite: "Strict",
    secure,
  });
}

/** The Set-Cookie header value that ends a session. */
export function clearedSessionCookie(secure: boolean): string {
  return setCookie(SESSION_COOKIE, "", { maxAge: 0, sameSite: "Strict", secure });
}

/**
 * Where to send an operator after signing in or acting: a same-origin path
 * as @herald/web's safeRedirect normalises and judges it, and never back to
 * the login page itself; anything else is "/".
 */
export function safeNextPath(next: unknown): string {
  const path = safeRedirect(next, "/");
  return path.split("?", 1)[0] === "/login" ? "/" : path;
}
