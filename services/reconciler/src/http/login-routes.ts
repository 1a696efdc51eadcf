/**
 * Signing in and out of the dashboard with an operator token, in a plain
 * form: browsers cannot send an Authorization header from a link, and the
 * dashboard must work without JavaScript. Failed sign-ins are throttled per
 * client address; signing out revokes the session on the server.
 */
import { isSecureRequest, readCookie, throttledMessage } from "@herald/web";
import express, { type Request, type Response, type Router } from "express";
import { isCrossSite } from "./authenticate";
import { HttpError } from "./errors";
import { layoutView } from "./layout-view";
import { type PageDependencies, sendPage } from "./page-support";
import { clearedSessionCookie, safeNextPath, SESSION_COOKIE, sessionCookie } from "./session";

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

function crossSiteError(): HttpError {
  return new HttpError(
    403,
    "permission_denied",
    "拒绝来自其他网站的表单提交（cross-site form post）。",
  );
}

/** The client a sign-in is counted against: its address, as the trust-proxy setting reads it. */
function clientOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}

/** GET and POST /login, POST /logout. */
export function loginRoutes(deps: PageDependencies): Router {
  const { sessions, throttle, renderer, tokens, logger } = deps;
  const router = express.Router();

  const loginPage = (res: Response, status: number, next: string, error = "") =>
    sendPage(res, renderer, status, "login", {
      layout: layoutView({ title: "登录", now: deps.now() }),
      next,
      error,
    });

  router.get("/login", (req, res) => {
    const next = safeNextPath((req.query as Record<string, unknown>).next);
    loginPage(res, 200, next);
  });

  router.post("/login", (req, res) => {
    // A forged login would have an operator act, unknowingly, under someone else's name.
    if (isCrossSite(req)) throw crossSiteError();
    const next = safeNextPath(field(req, "next"));
    const client = clientOf(req);
    const verdict = throttle.check(client, deps.now());
    if (!verdict.allowed) {
      logger.warn({ ip: client }, "dashboard login throttled");
      res.set("Retry-After", String(verdict.retryAfterSeconds));
      loginPage(res, 429, next, throttledMessage(verdict.retryAfterSeconds));
      return;
    }
    const token = field(req, "token").trim();
    if (!token) {
      loginPage(res, 400, next, "请输入操作令牌（token）。");
      return;
    }
    const operator = tokens.identify(token);
    if (!operator) {
      throttle.fail(client, deps.now());
      logger.warn({ ip: client }, "dashboard login with an unknown token");
      loginPage(res, 401, next, "令牌无效或已停用，请核对后重试（the token is not recognised）。");
      return;
    }
    if (!operator.roles.includes("operator")) {
      logger.warn({ operator: operator.name }, "dashboard login without the operator role");
      loginPage(res, 403, next, `${operator.name} 没有运维人员（operator）权限。`);
      return;
    }
    throttle.succeed(client);
    logger.info({ operator: operator.name }, "dashboard login");
    const session = sessions.issue(operator.name, token, deps.now());
    res
      .append("Set-Cookie", sessionCookie(session.value, isSecureRequest(req)))
      .set("Cache-Control", "no-store")
      .redirect(303, next);
  });

  router.post("/logout", (req, res) => {
    const session = sessions.find(readCookie(req.headers.cookie, SESSION_COOKIE), deps.now());
    // Logging out of a session takes its CSRF token, like every other form;
    // with no valid session there is nothing to protect and the cookie just goes.
    if (session && (isCrossSite(req) || !sessions.checkCsrf(session, field(req, "_csrf")))) {
      throw new HttpError(
        403,
        "permission_denied",
        "表单已过期，请刷新页面后重试（CSRF token missing or wrong）。",
        "_csrf",
      );
    }
    if (session) {
      // Revoked on the server: the old cookie, replayed from anywhere, is no session any more.
      sessions.revoke(session.value);
      logger.info({ operator: session.name }, "dashboard logout");
    }
    res
      .append("Set-Cookie", clearedSessionCookie(isSecureRequest(req)))
      .set("Cache-Control", "no-store")
      .redirect(303, "/login");
  });

  return router;
}
