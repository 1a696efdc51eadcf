/**
 * Sign-in sessions kept on the server. A cookie carries only a random id
 * (signed, so a forged one is refused without a look-up); what it stands for
 * lives here, so signing out revokes it for good: a replayed old cookie finds
 * nothing. The store is in memory, so sessions end with the process: where
 * several replicas serve the same UI, one of them must serve all its pages
 * (the reconciler's leader does) or the store must be shared.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The smallest session secret accepted: an HMAC-SHA-256 key shorter than its output is weak. */
export const MIN_SECRET_BYTES = 32;

/** Sessions kept at most; past it the oldest goes, so a flood of sign-ins cannot exhaust memory. */
const DEFAULT_MAX_SESSIONS = 10_000;

/** A session as the store keeps it. */
export interface Session<C = unknown> {
  /** The signed cookie value, from which the CSRF token is derived. */
  readonly value: string;
  /** Who signed in, as their credential names them. */
  readonly name: string;
  /**
   * What they signed in with, kept so every request can ask whether it is
   * still valid (a token revoked or rotated ends its sessions). Memory only,
   * never in the cookie.
   */
  readonly credential: C;
  readonly expiresAt: Date;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** How long sessions last and how many are kept. */
export interface SessionStoreOptions {
  /** Signs cookie values and CSRF tokens; at least {@link MIN_SECRET_BYTES} bytes. */
  readonly secret: Buffer;
  readonly ttlMs: number;
  readonly maxSessions?: number;
}

/** Issues, finds and revokes sessions, and the CSRF tokens bound to them. */
export class SessionStore<C = unknown> {
  private readonly secret: Buffer;
  private readonly ttlMs: number;
  private readonly maxSessions: number;
  // Insertion order is age order, so the first entry is the oldest.
  private readonly sessions = new Map<string, Session<C>>();

  constructor(options: SessionStoreOptions) {
    if (options.secret.length < MIN_SECRET_BYTES) {
      throw new Error(`the session secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    this.secret = Buffer.from(options.secret);
    this.ttlMs = options.ttlMs;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  }

  // Each use gets its own prefix, so a CSRF token can never pass as a cookie signature.
  private mac(purpose: "session" | "csrf", data: string): string {
    return createHmac("sha256", this.secret).update(`${purpose}|${data}`).digest("base64url");
  }

  /** A new session; its `value` is what the cookie carries (`id.signature`, base64url). */
  issue(name: string, credential: C, now: Date): Session<C> {
    const id = randomBytes(32).toString("base64url");
    const session: Session<C> = {
      value: `${id}.${this.mac("session", id)}`,
      name,
      credential,
      expiresAt: new Date(now.getTime() + this.ttlMs),
    };
    this.sweep(now);
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(id, session);
    return session;
  }

  /** The live session a cookie value stands for: genuine, not signed out, not expired. */
  find(value: string | undefined, now: Date): Session<C> | undefined {
    const id = this.idOf(value);
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt.getTime() <= now.getTime()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Ends a session; its cookie is refused from now on, wherever it is replayed from. */
  revoke(value: string | undefined): void {
    const id = this.idOf(value);
    if (id !== undefined) this.sessions.delete(id);
  }

  /** Sessions held now (expired ones included until swept). */
  get size(): number {
    return this.sessions.size;
  }

  /** The CSRF token every form of a session carries. */
  csrfToken(session: Session<C>): string {
    return this.mac("csrf", session.value);
  }

  /** Whether a submitted CSRF token belongs to the session. */
  checkCsrf(session: Session<C>, token: unknown): boolean {
    return typeof token === "string" && equal(token, this.csrfToken(session));
  }

  private idOf(value: string | undefined): string | undefined {
    if (!value || value.length > 200) return undefined;
    const [id = "", mac = "", ...rest] = value.split(".");
    if (rest.length > 0 || !id || !equal(mac, this.mac("session", id))) return undefined;
    return id;
  }

  private sweep(now: Date): void {
    for (const [id, session] of this.sessions) {
      if (session.expiresAt.getTime() <= now.getTime()) this.sessions.delete(id);
    }
  }
}
