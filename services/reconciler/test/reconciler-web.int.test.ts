/**
 * The dashboard's sign-in through the reconciler service as it runs (config
 * from its environment, the leader's HTTP server, the real Kafka and
 * database): `next` normalised before it is judged, sign-out revoking the
 * session, throttling, the trust-proxy setting, and 400 for malformed URLs.
 */
import { createLogger } from "@herald/runtime";
import { testStack, useTestNamespace } from "@herald/test-harness";
import type { ReconcilerService } from "../src";
import { startTestReconciler, TEST_OPERATOR_TOKEN } from "../src/testing";

const ns = useTestNamespace("reconciler-web");
let reconciler: ReconcilerService;

beforeAll(async () => {
  reconciler = await startTestReconciler({
    brokers: testStack().brokers,
    mongoUrl: testStack().mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("reconciler"),
    groupId: ns.groupId("reconciler"),
    inventoryToken: "test",
    logger: createLogger({ service: "reconciler-web-test", level: "silent" }),
    env: { RECONCILER_TRUST_PROXY: "loopback" },
  });
  ns.beforeCleanup(() => reconciler.stop());
});

const request = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${reconciler.httpPort}${path}`, { redirect: "manual", ...init });

const signIn = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });

describe("the running reconciler's dashboard", () => {
  it("returns from sign-in to a path on the dashboard only", async () => {
    for (const next of ["/a/../..//evil.example", "/./\\evil.example", "/%2F%2Fevil.example"]) {
      const res = await signIn({ token: TEST_OPERATOR_TOKEN, next });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/");
    }
    const ok = await signIn({ token: TEST_OPERATOR_TOKEN, next: "/x/../problems" });
    expect(ok.headers.get("location")).toBe("/problems");
  });

  it("revokes a session at sign-out, sets Secure behind the trusted proxy", async () => {
    const res = await signIn(
      { token: TEST_OPERATOR_TOKEN, next: "/" },
      { "x-forwarded-proto": "https" },
    );
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/; Secure$/);
    const cookie = setCookie.split(";")[0] ?? "";
    const page = await (await request("/audit", { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]*)"/.exec(page)?.[1] ?? "";
    expect(csrf).not.toBe("");
    const out = await request("/logout", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(out.status).toBe(303);
    const replayed = await request("/", { headers: { cookie } });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get("location")).toMatch(/^\/login\?next=/);
  });

  it("throttles failed sign-ins per client address", async () => {
    const client = { "x-forwarded-for": "198.51.100.7" };
    for (let i = 0; i < 5; i += 1) {
      expect((await signIn({ token: `wrong-${i}` }, client)).status).toBe(401);
    }
    const throttled = await signIn({ token: TEST_OPERATOR_TOKEN }, client);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await throttled.text()).toMatch(/请在 \d+ 秒后再试/);
    const other = await signIn(
      { token: TEST_OPERATOR_TOKEN },
      { "x-forwarded-for": "198.51.100.8" },
    );
    expect(other.status).toBe(303);
  });

  it("answers 400 to malformed percent-encoding on pages and the API", async () => {
    const auth = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
    const page = await request("/items/%E0%A4%A", { headers: auth });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("网址中的百分号编码（%XX）有误");
    const api = await request("/api/v1/items/%zz/status", { headers: auth });
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({
      error: { code: "invalid_argument", field: "path" },
    });
  });
});
