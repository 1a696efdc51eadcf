import {
  clearedSessionCookie,
  createDashboardSessions,
  safeNextPath,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookie,
} from "./session";

const now = new Date("2016-08-16T06:00:00Z");

describe("dashboard sessions", () => {
  it("refuse a secret shorter than 32 bytes", () => {
    expect(() => createDashboardSessions(Buffer.alloc(31))).toThrow(/at least 32 bytes/);
  });

  it("last one working day", () => {
    const sessions = createDashboardSessions(Buffer.alloc(32, 1));
    const session = sessions.issue("王敏", "token", now);
    expect(session.expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);
    expect(sessions.find(session.value, new Date(now.getTime() + SESSION_TTL_MS))).toBeUndefined();
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
    ["/a/../login", "/"],
    ["/a/../..//evil.example", "/"],
    ["/./\\evil", "/"],
    ["/%2F%2Fevil", "/"],
    ["/%5Cevil", "/"],
    ["/ok\r\nSet-Cookie: x", "/"],
    [undefined, "/"],
  ])("%j → %j", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});
