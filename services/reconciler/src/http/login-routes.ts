/**
 * Signing in and out of the dashboard with an operator token, in a plain
 * form: browsers cannot send an Authorization header from a link, and the
 * dashboard must work without JavaScript.
 */
import express, { type Request, type Response, type Router } from "express";
import { isCrossSite } from "./authenticate";
import { HttpError } from "./errors";
import { layoutView } from "./layout-view";
import { type PageDependencies, sendPage } from "./page-support";
import {
  clearedSessionCookie,
  readCookie,
  safeNextPath,
  SESSION_COOKIE,
  sessionCookie,
} from "./session";

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

/** GET and POST /login, POST /logout. */
export function loginRoutes(deps: PageDependencies): Router {
  const { keys, renderer, tokens, logger } = deps;
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
    const token = field(req, "token").trim();
    if (!token) {
      loginPage(res, 400, next, "请输入操作令牌（token）。");
      return;
    }
    const operator = tokens.identify(token);
    if (!operator) {
      logger.warn({ ip: req.ip }, "dashboard login with an unknown token");
      loginPage(res, 401, next, "令牌无效或已停用，请核对后重试（the token is not recognised）。");
      return;
    }
    if (!operator.roles.includes("operator")) {
      logger.warn({ operator: operator.name }, "dashboard login without the operator role");
      loginPage(res, 403, next, `${operator.name} 没有运维人员（operator）权限。`);
      return;
    }
    logger.info({ operator: operator.name }, "dashboard login");
    res
      .append("Set-Cookie", sessionCookie(keys.issue(operator.name, deps.now()), req.secure))
      .set("Cache-Control", "no-store")
      .redirect(303, next);
  });

  router.post("/logout", (req, res) => {
    const session = keys.verify(readCookie(req.headers.cookie, SESSION_COOKIE), deps.now());
    // Logging out of a session takes its CSRF token, like every other form;
    // with no valid session there is nothing to protect and the cookie just goes.
    if (session && (isCrossSite(req) || !keys.checkCsrf(session.value, field(req, "_csrf")))) {
      throw new HttpError(
        403,
        "permission_denied",
        "表单已过期，请刷新页面后重试（CSRF token missing or wrong）。",
        "_csrf",
      );
    }
    if (session) logger.info({ operator: session.name }, "dashboard logout");
    res
      .append("Set-Cookie", clearedSessionCookie(req.secure))
      .set("Cache-Control", "no-store")
      .redirect(303, "/login");
  });

  return router;
}
