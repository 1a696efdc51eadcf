/** A cookie's value from a Cookie header; the first of that name wins. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** The attributes of a Set-Cookie header; cookies here are always HttpOnly and for the whole site. */
export interface CookieOptions {
  /** Seconds; 0 deletes the cookie. */
  readonly maxAge: number;
  readonly sameSite: "Strict" | "Lax";
  /** Whether the request came over TLS (see {@link isSecureRequest}). */
  readonly secure: boolean;
}

/**
 * A Set-Cookie header value. The value must already be cookie-safe (no `;`,
 * `,`, white space or control characters): callers encode what they store.
 */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  if (!/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/.test(value)) {
    throw new Error(`cookie ${name}: the value has a character a cookie cannot carry`);
  }
  return `${name}=${value}; Max-Age=${options.maxAge}; Path=/; HttpOnly; SameSite=${options.sameSite}${options.secure ? "; Secure" : ""}`;
}
