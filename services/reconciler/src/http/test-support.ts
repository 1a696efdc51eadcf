/**
 * The HTTP tests' harness: the real app on a loopback port over the fake
 * reconciler, with the test tokens, session secret and clock.
 */
import { createServer } from "node:http";
import { createLogger } from "@herald/runtime";
import { hashToken, OperatorTokens } from "../auth";
import { FakeReconciler } from "./__fixtures__/test-support";
import { createReconcilerApp, type ReconcilerAppOptions } from "./app";

export { FakeReconciler } from "./__fixtures__/test-support";

/** The operator every test signs in as, and their token. */
export const OPERATOR = { name: "王敏", token: "operator-token-0001" };
/** A known token without the operator role. */
export const VIEWER = { name: "viewer", token: "viewer-token-0002" };
export const SESSION_SECRET = Buffer.alloc(32, 7);
/** The instant the tests run at: 2016-08-16 14:00 in Beijing. */
export const NOW = new Date("2016-08-16T06:00:00Z");

export const testTokens = () =>
  new OperatorTokens({
    tokens: [
      { name: OPERATOR.name, roles: ["operator"], sha256: hashToken(OPERATOR.token) },
      // The token file's schema insists on a role; an empty list stands for "a future role".
      { name: VIEWER.name, roles: [], sha256: hashToken(VIEWER.token) },
    ],
  });

/** The real app on an ephemeral loopback port; `request` never follows redirects. */
export interface RunningApp {
  readonly fake: FakeReconciler;
  readonly request: (path: string, init?: RequestInit) => Promise<Response>;
  readonly close: () => Promise<void>;
}

/** Starts the app over a fresh fake, with the test tokens, secret and clock. */
export async function startApp(overrides: Partial<ReconcilerAppOptions> = {}): Promise<RunningApp> {
  const fake = new FakeReconciler();
  const app = createReconcilerApp({
    queries: fake,
    actions: fake,
    tokens: testTokens(),
    sessionSecret: SESSION_SECRET,
    logger: createLogger({ service: "test", level: "silent" }),
    now: () => NOW,
    ...overrides,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    fake,
    request: (path, init) =>
      fetch(`http://127.0.0.1:${port}${path}`, { redirect: "manual", ...init }),
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** Headers of a bearer caller. */
export const bearer = (token = OPERATOR.token) => ({ authorization: `Bearer ${token}` });

/** A urlencoded form body. */
export const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

/** Signs in through POST /login and returns the Cookie header and the page's CSRF token. */
export async function login(app: RunningApp): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request("/login", form({ token: OPERATOR.token, next: "/" }));
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  const page = await (await app.request("/audit", { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]*)"/.exec(page)?.[1] ?? "";
  return { cookie, csrf };
}
