/**
 * Sessions, sign-in throttling, redirects, Secure cookies and malformed URLs
 * of the dashboard and API, through the real HTTP server.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashToken, OperatorTokens } from "../auth";
import type { TokenCheck } from "./authenticate";
import { bearer, form, login, NOW, OPERATOR, type RunningApp, startApp } from "./test-support";

let app: RunningApp;

afterEach(async () => {
  await app.close();
});

const withCookie = (cookie: string, fields: Record<string, string>, headers = {}) => ({
  ...form(fields),
  headers: { ...form(fields).headers, cookie, ...headers },
});

describe("signing out", () => {
  it("revokes the session on the server: the old cookie, replayed, is refused", async () => {
    app = await startApp();
    const { cookie, csrf } = await login(app);
    expect((await app.request("/", { headers: { cookie } })).status).toBe(200);
    const out = await app.request("/logout", withCookie(cookie, { _csrf: csrf }));
    expect(out.status).toBe(303);
    const replayed = await app.request("/", { headers: { cookie } });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get("location")).toBe("/login?next=%2F");
    // A form post with the old cookie and its CSRF token does nothing either.
    const post = await app.request("/audit", withCookie(cookie, { _csrf: csrf }));
    expect(post.status).toBe(303);
    expect(app.fake.calls).toEqual([]);
  });
});

describe("a session whose token is no longer valid", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "herald-tokens-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const writeTokens = (file: string, token: string) =>
    writeFileSync(
      file,
      JSON.stringify({
        tokens: [{ name: OPERATOR.name, roles: ["operator"], sha256: hashToken(token) }],
      }),
    );

  it("is refused once the token file is rotated and reloaded", async () => {
    const file = join(dir, "tokens.json");
    writeTokens(file, OPERATOR.token);
    let current = OperatorTokens.load(file);
    // The service's token check, as it stands after each reload.
    const tokens: TokenCheck = {
      identify: (token) => current.identify(token),
      authenticate: (header) => current.authenticate(header),
    };
    app = await startApp({ tokens });
    const { cookie } = await login(app);
    expect((await app.request("/", { headers: { cookie } })).status).toBe(200);

    writeTokens(file, "rotated-token-0003");
    current = OperatorTokens.load(file);
    const res = await app.request("/matrix", { headers: { cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=%2Fmatrix");
    // Gone for good: restoring the old file does not bring the session back.
    writeTokens(file, OPERATOR.token);
    current = OperatorTokens.load(file);
    expect((await app.request("/", { headers: { cookie } })).status).toBe(303);
  });

  it("is refused when the token check refuses the token or names someone else", async () => {
    let refuse = false;
    let rename = false;
    const real = new OperatorTokens({
      tokens: [{ name: OPERATOR.name, roles: ["operator"], sha256: hashToken(OPERATOR.token) }],
    });
    const tokens: TokenCheck = {
      identify: (token) => {
        if (refuse) return undefined;
        const operator = real.identify(token);
        return operator && rename ? { ...operator, name: "李华" } : operator;
      },
      authenticate: (header) => real.authenticate(header),
    };
    app = await startApp({ tokens });
    const first = await login(app);
    refuse = true;
    expect((await app.request("/", { headers: { cookie: first.cookie } })).status).toBe(303);
    refuse = false;
    const second = await login(app);
    rename = true;
    expect((await app.request("/", { headers: { cookie: second.cookie } })).status).toBe(303);
  });
});

describe("sign-in throttling", () => {
  const signIn = (token: string, headers: Record<string, string> = {}) =>
    app.request("/login", {
      ...form({ token, next: "/" }),
      headers: { ...form({}).headers, ...headers },
    });

  it("refuses a client after 5 failures a minute with 429, Retry-After and when to try again", async () => {
    let clock = NOW;
    app = await startApp({ now: () => clock });
    for (let i = 0; i < 5; i += 1) expect((await signIn(`wrong-${i}`)).status).toBe(401);
    const throttled = await signIn(OPERATOR.token);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("60");
    expect(throttled.headers.get("set-cookie")).toBeNull();
    expect(await throttled.text()).toContain("登录失败次数过多，请在 60 秒后再试");
    clock = new Date(NOW.getTime() + 30_000);
    expect((await signIn(OPERATOR.token)).headers.get("retry-after")).toBe("30");
    clock = new Date(NOW.getTime() + 60_001);
    expect((await signIn(OPERATOR.token)).status).toBe(303);
  });

  it("counts each client apart, by the address a trusted proxy gives", async () => {
    app = await startApp({ trustProxy: ["loopback"] });
    const a = { "x-forwarded-for": "203.0.113.1" };
    const b = { "x-forwarded-for": "203.0.113.2" };
    for (let i = 0; i < 5; i += 1) expect((await signIn("wrong", a)).status).toBe(401);
    expect((await signIn(OPERATOR.token, a)).status).toBe(429);
    expect((await signIn(OPERATOR.token, b)).status).toBe(303);
  });

  it("does not believe X-Forwarded-For without a trusted proxy", async () => {
    app = await startApp();
    for (let i = 0; i < 5; i += 1) {
      expect((await signIn("wrong", { "x-forwarded-for": `203.0.113.${i}` })).status).toBe(401);
    }
    expect((await signIn(OPERATOR.token, { "x-forwarded-for": "203.0.113.99" })).status).toBe(429);
  });
});

describe("where sign-in returns to", () => {
  it.each([
    "/a/../..//evil.example",
    "/./\\evil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\t/evil.example",
  ])("%j: the dashboard's overview, never another host", async (next) => {
    app = await startApp();
    const page = await (await app.request(`/login?next=${encodeURIComponent(next)}`)).text();
    expect(page).toContain('name="next" value="/"');
    const res = await app.request("/login", form({ token: OPERATOR.token, next }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });

  it("a path on the dashboard, normalised", async () => {
    app = await startApp();
    const res = await app.request("/login", form({ token: OPERATOR.token, next: "/x/../matrix" }));
    expect(res.headers.get("location")).toBe("/matrix");
  });
});

describe("Secure cookies", () => {
  const cookieOf = async (headers: Record<string, string>) => {
    const res = await app.request("/login", {
      ...form({ token: OPERATOR.token }),
      headers: { ...form({}).headers, ...headers },
    });
    return res.headers.get("set-cookie") ?? "";
  };

  it("are not Secure over plain HTTP, nor on an untrusted X-Forwarded-Proto", async () => {
    app = await startApp();
    expect(await cookieOf({})).not.toContain("Secure");
    expect(await cookieOf({ "x-forwarded-proto": "https" })).not.toContain("Secure");
  });

  it("are Secure when a trusted proxy says the request came over TLS", async () => {
    app = await startApp({ trustProxy: ["loopback"] });
    expect(await cookieOf({ "x-forwarded-proto": "https" })).toMatch(/; Secure$/);
    const { cookie, csrf } = await login(app);
    const out = await app.request(
      "/logout",
      withCookie(cookie, { _csrf: csrf }, { "x-forwarded-proto": "https" }),
    );
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0;.*; Secure$/);
  });
});

describe("malformed percent-encoding", () => {
  beforeEach(async () => {
    app = await startApp();
  });

  it.each(["/items/%E0%A4%A", "/items/%zz", "/%zz", "/matrix?search=%zz", "/login?next=%E6%B5"])(
    "page %s answers 400 with a page that says what is wrong",
    async (path) => {
      const res = await app.request(path, { headers: bearer() });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain("网址中的百分号编码（%XX）有误");
      expect(html).toContain("url.percent-encoding");
    },
  );

  it.each([
    ["/api/v1/problems/%zz/x", "path"],
    ["/api/v1/items/%E0%A4%A/status", "path"],
    ["/api/v1/matrix?search=%zz", "query"],
    ["/api/%zz", "path"],
  ])("API %s answers 400 naming the %s and the rule", async (path, field) => {
    const res = await app.request(path, { headers: bearer() });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; field: string; message: string } };
    expect(body.error).toMatchObject({ code: "invalid_argument", field });
    expect(body.error.message).toMatch(new RegExp(`^${field}: .*rule url\\.percent-encoding`));
  });
});
