/**
 * Which reverse proxies are believed about the client: its address (for
 * throttling) and whether it came over TLS (for Secure cookies). Off by
 * default: a server reached directly must not take a client's word, in
 * X-Forwarded-For, for who it is.
 */
import type { Application, Request } from "express";

/** Off, a number of proxy hops, or the addresses and subnets of trusted proxies. */
export type TrustProxy = false | number | readonly string[];

/** Names express (proxy-addr) gives to address ranges. */
const RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

const ADDRESS = /^[0-9a-f.:]+(\/\d{1,3})?$/i;

/**
 * A trust-proxy setting as written in the environment: empty or `off` (the
 * default), a number of hops (`1`: the one proxy in front), or a
 * comma-separated list of addresses, subnets and `loopback`, `linklocal`,
 * `uniquelocal`. `true` (believe anyone) is refused: every client could then
 * pick its own address. `variable` names the setting in the error.
 */
export function parseTrustProxy(value: string | undefined, variable: string): TrustProxy {
  const text = (value ?? "").trim();
  if (text === "" || text === "off" || text === "false") return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 10) throw new Error(`${variable}: a number of proxy hops is 1 to 10`);
    return hops;
  }
  const entries = text.split(",").map((e) => e.trim());
  for (const entry of entries) {
    if (!RANGE_NAMES.has(entry) && !ADDRESS.test(entry)) {
      throw new Error(
        `${variable}: ${JSON.stringify(entry)} is not an address, a subnet, loopback, linklocal or uniquelocal (or set a number of hops, or off)`,
      );
    }
  }
  return entries;
}

/** Applies the setting to an express app: `req.ip` and `req.secure` then follow it. */
export function applyTrustProxy(app: Application, trust: TrustProxy): void {
  app.set("trust proxy", typeof trust === "object" ? [...trust] : trust);
}

/**
 * Whether the request came over TLS: the connection itself, or a trusted
 * proxy's X-Forwarded-Proto. Cookies set on it are Secure.
 */
export function isSecureRequest(req: Request): boolean {
  return req.secure;
}
