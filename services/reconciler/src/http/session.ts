/**
 * Dashboard sessions and CSRF tokens: stateless, signed with the session
 * secret, so any replica of the reconciler can check them without a store.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** WARNING: the cookie name is stored in operators' browsers; renaming it logs everyone out. */
export const SESSION_COOKIE = "herald_reconciler_session";

/** How long a login lasts: one working day, so a shared terminal does not stay signed in overnight. */
export const SESSION_TTL_MS = 8 * 3600 * 1000;

/** The smallest session secret accepted: an HMAC-SHA-256 key shorter than its output is weak. */
export const MIN_SECRET_BYTES = 32;

/** A verified session. */
export interface Session {
  /** The operator's name, as the token file spells it. */
  readonly name: string;
  readonly expiresAt: Date;
  /** The cookie value itself, from which the CSRF token is derived. */
  readonly value: string;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Issues and checks session cookies and the CSRF tokens bound to them. */
export class SessionKeys {
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new Error(`the session secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    this.secret = Buffer.from(secret);
  }

  // Each use gets its own prefix, so a CSRF token can never pass as a session signature.
  private mac(purpose: "session" | "csrf", data: string): string {
    return createHmac("sha256", this.secret).update(`${purpose}|${data}`).digest("base64url");
  }

  /**
   * A session value `name|expiry|hmac`: the name URI-encoded (names may hold
   * any character, cookies may not), expiry in Unix seconds.
   */
  issue(name: string, now: Date): string {
    const expiry = Math.floor((now.getTime() + SESSION_TTL_MS) / 1000);
    const payload = `${encodeURIComponent(name)}|${expiry}`;
    return `${payload}|${this.mac("session", payload)}`;
  }

  /** The session a cookie value carries, if it is genuine and not expired. */
  verify(value: string | undefined, now: Date): Session | undefined {
    if (!value || value.length > 1000) return undefined;
    const parts = value.split("|");
    if (parts.length !== 3) return undefined;
    const [encodedName = "", expiry = "", mac = ""] = parts;
    if (!/^\d{1,12}$/.test(expiry)) return undefined;
    if (!equal(mac, this.mac("session", `${encodedName}|${expiry}`))) return undefined;
    const expiresAt = new Date(Number(expiry) * 1000);
    if (expiresAt.getTime() <= now.getTime()) return undefined;
    try {
      return { name: decodeURIComponent(encodedName), expiresAt, value };
    } catch {
      return undefined;
    }
  }

  /** The CSRF token every form of a session carries. */
  csrfToken(sessionValue: string): string {
    return this.mac("csrf", sessionValue);
  }

  /** Whether a submitted CSRF token belongs to the session. */
  checkCsrf(sessionValue: string, token: unknown): boolean {
    return typeof token === "string" && equal(token, this.csrfToken(sessionValue));
  }
}

const COOKIE_ATTRIBUTES = "Path=/; HttpOnly; SameSite=Strict";

/** The Set-Cookie header value of a new session. */
export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Max-Age=${SESSION_TTL_MS / 1000}; ${COOKIE_ATTRIBUTES}${secure ? "; Secure" : ""}`;
}

/** The Set-Cookie header value that ends a session. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Max-Age=0; ${COOKIE_ATTRIBUTES}${secure ? "; Secure" : ""}`;
}

/** A cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || unit === 0x7f) return true;
  }
  return false;
}

/**
 * Where to send an operator after logging in or acting: only a path on this
 * site ("/…", never "//host" or "/\host", which browsers read as another
 * host) and never back to the login page itself; anything else is "/".
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.length > 2000) return "/";
  if (next.startsWith("//") || next.includes("\\") || hasControlCharacter(next)) return "/";
  try {
    const base = "http://reconciler.invalid";
    const url = new URL(next, base);
    if (url.origin !== base || url.pathname === "/login") return "/";
    return url.pathname + url.search;
  } catch {
    return "/";
  }
}
