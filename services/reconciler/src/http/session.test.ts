import {
  clearedSessionCookie,
  readCookie,
  safeNextPath,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookie,
  SessionKeys,
} from "./session";

const now = new Date("2016-08-16T06:00:00Z");
const keys = new SessionKeys(Buffer.alloc(32, 1));

describe("SessionKeys", () => {
  it("refuses a secret shorter than 32 bytes", () => {
    expect(() => new SessionKeys(Buffer.alloc(31))).toThrow(/at least 32 bytes/);
  });

  it("issues name|expiry|hmac and verifies it until it expires", () => {
    const value = keys.issue("王敏|ops; x=1", now);
    expect(value).toMatch(/^[^|;\s]+\|\d+\|[A-Za-z0-9_-]{43}$/);
    const session = keys.verify(value, now);
    expect(session?.name).toBe("王敏|ops; x=1");
    expect(session?.expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);
    expect(keys.verify(value, new Date(now.getTime() + SESSION_TTL_MS))).toBeUndefined();
  });

  it("rejects tampered names, expiries and signatures, and other secrets", () => {
    const value = keys.issue("wang", now);
    const [name, expiry, mac] = value.split("|");
    expect(keys.verify(`li|${expiry}|${mac}`, now)).toBeUndefined();
    expect(keys.verify(`${name}|${Number(expiry) + 3600}|${mac}`, now)).toBeUndefined();
    expect(keys.verify(`${name}|${expiry}|${mac?.slice(1)}`, now)).toBeUndefined();
    expect(keys.verify(`${value}|x`, now)).toBeUndefined();
    expect(keys.verify("", now)).toBeUndefined();
    expect(new SessionKeys(Buffer.alloc(32, 2)).verify(value, now)).toBeUndefined();
  });

  it("binds CSRF tokens to the session and keeps them apart from session signatures", () => {
    const a = keys.issue("wang", now);
    const b = keys.issue("li", now);
    const token = keys.csrfToken(a);
    expect(keys.checkCsrf(a, token)).toBe(true);
    expect(keys.checkCsrf(b, token)).toBe(false);
    expect(keys.checkCsrf(a, undefined)).toBe(false);
    expect(keys.checkCsrf(a, [token])).toBe(false);
    expect(token).not.toBe(a.split("|")[2]);
  });
});

describe("cookies", () => {
  it("are HttpOnly, SameSite=Strict, Path=/, and Secure only over https", () => {
    expect(sessionCookie("v", false)).toBe(
      `${SESSION_COOKIE}=v; Max-Age=28800; Path=/; HttpOnly; SameSite=Strict`,
    );
    expect(sessionCookie("v", true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toMatch(/^herald_reconciler_session=; Max-Age=0;/);
  });

  it("are read from a Cookie header by exact name", () => {
    const header = `x${SESSION_COOKIE}=no; ${SESSION_COOKIE}=a|1|b=; other=1`;
    expect(readCookie(header, SESSION_COOKIE)).toBe("a|1|b=");
    expect(readCookie(undefined, SESSION_COOKIE)).toBeUndefined();
  });
});

describe("safeNextPath", () => {
  it.each([
    ["/matrix?state=missing", "/matrix?state=missing"],
    ["/items/a%2Fb", "/items/a%2Fb"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["/login?next=/", "/"],
    ["/ok\r\nSet-Cookie: x", "/"],
    [undefined, "/"],
  ])("%j → %j", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});
