import type { RequestHandler } from "express";

/**
 * WARNING: the policy every page is written for (no script, no inline style,
 * images from the site itself or data: URLs, forms only to the site itself);
 * loosening it is a security decision.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** What differs between a public site and an internal tool. */
export interface SecurityHeaderOptions {
  /**
   * "strict-origin-when-cross-origin" for a public site (links out keep the
   * origin), "same-origin" for an internal tool (nothing leaks out).
   */
  readonly referrerPolicy: "strict-origin-when-cross-origin" | "same-origin";
  /** Forbid other sites to embed any response (an internal tool's data). */
  readonly sameOriginResources?: boolean;
}

/** The security headers of every response: CSP, no sniffing, no framing, no powerful features. */
export function securityHeaders(options: SecurityHeaderOptions): RequestHandler {
  const headers: Record<string, string> = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": options.referrerPolicy,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    ...(options.sameOriginResources ? { "Cross-Origin-Resource-Policy": "same-origin" } : {}),
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  };
  return (_req, res, next) => {
    res.set(headers);
    next();
  };
}
