import { CONTENT_SECURITY_POLICY } from "./app";
import { createDashboardSessions } from "./session";
import {
  bearer,
  form,
  login,
  NOW,
  OPERATOR,
  type RunningApp,
  SESSION_SECRET,
  startApp,
  VIEWER,
} from "./test-support";

let app: RunningApp;

beforeEach(async () => {
  app = await startApp();
});

afterEach(async () => {
  await app.close();
});

const PAGES = ["/", "/matrix", "/problems", "/items/kb-notice-2016-41", "/audit"];

describe("pages need the operator role", () => {
  it.each(PAGES)("%s: 303 to /login without credentials, 200 with a bearer token", async (path) => {
    const anonymous = await app.request(path);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(`/login?next=${encodeURIComponent(path)}`);
    const withToken = await app.request(path, { headers: bearer() });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain(`当前用户：${OPERATOR.name}`);
  });

  it.each(PAGES)("%s: 200 with the session cookie from POST /login", async (path) => {
    const { cookie } = await login(app);
    const res = await app.request(path, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("401 with a wrong bearer token, 403 for a known user without the role", async () => {
    const wrong = await app.request("/matrix", { headers: bearer("nope") });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await wrong.text()).toContain("Authorization: Bearer");
    const viewer = await app.request("/matrix", { headers: bearer(VIEWER.token) });
    expect(viewer.status).toBe(403);
    expect(await viewer.text()).toContain("operator");
  });

  it("a form post without a session is sent to log in and does nothing", async () => {
    const res = await app.request(
      "/problems/newmedia/kb-notice-2016-41/acknowledge",
      form({ note: "x" }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=%2Fproblems");
    expect(app.fake.calls).toEqual([]);
  });

  it("a forged, expired or foreign cookie is no session", async () => {
    let clock = NOW;
    const timed = await startApp({ now: () => clock });
    const other = await startApp({ sessionSecret: Buffer.alloc(32, 9) });
    try {
      const { cookie } = await login(timed);
      const [id, mac] = cookie.split("=")[1]?.split(".") ?? [];
      for (const bad of [
        `herald_reconciler_session=${id}.AAAA`,
        `herald_reconciler_session=${"A".repeat(43)}.${mac}`,
        `herald_reconciler_session=${id}`,
      ]) {
        expect((await timed.request("/", { headers: { cookie: bad } })).status).toBe(303);
      }
      expect((await timed.request("/", { headers: { cookie } })).status).toBe(200);
      expect((await other.request("/", { headers: { cookie } })).status).toBe(303);
      clock = new Date(NOW.getTime() + 8 * 3600 * 1000 + 1);
      expect((await timed.request("/", { headers: { cookie } })).status).toBe(303);
    } finally {
      await timed.close();
      await other.close();
    }
  });
});

describe("login and logout", () => {
  it("shows a password form that keeps where the operator was going", async () => {
    const res = await app.request("/login?next=%2Fmatrix%3Fstate%3Dmissing");
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<input type="password" id="login-token" name="token"');
    expect(html).toContain('name="next" value="/matrix?state&#x3D;missing"');
    expect(html).not.toContain('http-equiv="refresh"');
  });

  it("sets an HttpOnly, SameSite=Strict session cookie and returns to `next`", async () => {
    const res = await app.request(
      "/login",
      form({ token: OPERATOR.token, next: "/matrix?state=missing" }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/matrix?state=missing");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^herald_reconciler_session=[\w-]{43}\.[\w-]{43}; Max-Age=28800; Path=\/; HttpOnly; SameSite=Strict$/,
    );
  });

  it("never returns to another site", async () => {
    const res = await app.request(
      "/login",
      form({ token: OPERATOR.token, next: "//evil.example/" }),
    );
    expect(res.headers.get("location")).toBe("/");
  });

  it("shows an error for a bad token and sets no cookie", async () => {
    const res = await app.request("/login", form({ token: "wrong", next: "/" }));
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain("令牌无效或已停用");
    const viewer = await app.request("/login", form({ token: VIEWER.token }));
    expect(viewer.status).toBe(403);
    expect(viewer.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a login posted from another site", async () => {
    const res = await app.request("/login", {
      ...form({ token: OPERATOR.token }),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://evil.example",
      },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("logs out with the session's CSRF token, and not without it", async () => {
    const { cookie, csrf } = await login(app);
    const forged = await app.request("/logout", {
      ...form({}),
      headers: { ...form({}).headers, cookie },
    });
    expect(forged.status).toBe(403);
    const res = await app.request("/logout", {
      ...form({ _csrf: csrf }),
      headers: { ...form({}).headers, cookie },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
    expect(res.headers.get("set-cookie")).toMatch(/^herald_reconciler_session=; Max-Age=0;/);
  });
});

describe("CSRF on dashboard forms", () => {
  const post = (
    cookie: string,
    fields: Record<string, string>,
    extra: Record<string, string> = {},
  ) => ({
    ...form(fields),
    headers: { ...form(fields).headers, cookie, ...extra },
  });

  it("rejects a form post without the token, or with another session's", async () => {
    const { cookie } = await login(app);
    const path = "/problems/newmedia/kb-notice-2016-41/acknowledge";
    expect((await app.request(path, post(cookie, { note: "x" }))).status).toBe(403);
    const other = createDashboardSessions(SESSION_SECRET);
    const foreign = other.csrfToken(other.issue("李华", "another-token", NOW));
    expect((await app.request(path, post(cookie, { _csrf: foreign }))).status).toBe(403);
    expect((await app.request("/audit", post(cookie, {}))).status).toBe(403);
    expect(app.fake.calls).toEqual([]);
  });

  it.each([
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
    { origin: "https://evil.example" },
    // Another port of the same host is another origin.
    { origin: "http://127.0.0.1" },
    { origin: "null" },
  ])("rejects a form post from another site even with the token: %j", async (headers) => {
    const { cookie, csrf } = await login(app);
    const res = await app.request("/audit", post(cookie, { _csrf: csrf }, headers));
    expect(res.status).toBe(403);
    expect(app.fake.calls).toEqual([]);
  });

  it("accepts the token the page carries", async () => {
    const { cookie, csrf } = await login(app);
    const ok = await app.request(
      "/audit",
      post(cookie, { _csrf: csrf }, { "sec-fetch-site": "same-origin" }),
    );
    expect(ok.status).toBe(200);
    expect(app.fake.calls).toEqual([{ action: "runAudit", channels: undefined }]);
  });
});

describe("bearer callers of dashboard forms", () => {
  it("need no CSRF token: a browser never forges an Authorization header", async () => {
    const res = await app.request("/problems/newmedia/kb-notice-2016-41/redeliver", {
      ...form({}),
      headers: { ...form({}).headers, ...bearer() },
    });
    expect(res.status).toBe(303);
    expect(app.fake.calls).toEqual([
      {
        action: "forceRedelivery",
        id: "newmedia/kb-notice-2016-41",
        by: OPERATOR.name,
        note: undefined,
      },
    ]);
  });
});

describe("every response", () => {
  it.each(["/", "/login", "/api/v1/channels", "/assets/dashboard.css", "/nope"])(
    "%s carries the security headers",
    async (path) => {
      const res = await app.request(path);
      expect(res.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(CONTENT_SECURITY_POLICY).toMatch(
        /^default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';.* frame-ancestors 'none'$/,
      );
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
      expect(res.headers.get("x-powered-by")).toBeNull();
    },
  );

  it("serves the stylesheet without a login, with a cache header", async () => {
    const res = await app.request("/assets/dashboard.css");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/css/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
  });
});
