/** What every dashboard route shares: its dependencies, sending a page, and the error page. */
import type { Logger } from "@herald/runtime";
import type { SignInThrottle } from "@herald/web";
import type { ErrorRequestHandler, Response } from "express";
import type { OperatorActions, ReconcilerQueries } from "../model";
import type { AuthContext, TokenCheck } from "./authenticate";
import { toHttpError } from "./errors";
import { layoutView } from "./layout-view";
import type { PageName, Renderer } from "./renderer";
import type { DashboardSessions } from "./session";

/** What the dashboard routes need. */
export interface PageDependencies {
  readonly queries: ReconcilerQueries;
  readonly actions: OperatorActions;
  readonly tokens: TokenCheck;
  readonly sessions: DashboardSessions;
  readonly throttle: SignInThrottle;
  readonly renderer: Renderer;
  readonly logger: Logger;
  readonly refreshSeconds: number;
  readonly now: () => Date;
}

/** Sends a rendered page. Pages show operational data to one operator: never cached. */
export function sendPage(
  res: Response,
  renderer: Renderer,
  status: number,
  page: PageName,
  view: object,
): void {
  res
    .status(status)
    .type("html")
    .set("Cache-Control", "no-store")
    .set("Vary", "Cookie, Authorization")
    .send(renderer.render(page, view));
}

const TITLES: Readonly<Record<number, string>> = {
  400: "请求有误",
  401: "需要登录",
  403: "无权操作",
  404: "未找到",
  409: "无法执行该操作",
  413: "提交内容过长",
  429: "请稍后再试",
};

/**
 * The dashboard's last handler: any failure becomes a message page with the
 * right status. A field at fault is named as the request spells it ("note"),
 * so an operator and a script reading the page both know what to fix.
 */
export function pageErrorHandler(deps: PageDependencies): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const http = toHttpError(error);
    if (http.status >= 500) deps.logger.error({ err: error, path: req.path }, "page failed");
    if (http.status === 401) res.set("WWW-Authenticate", 'Bearer realm="herald-reconciler"');
    const auth = res.locals.auth as AuthContext | undefined;
    sendPage(res, deps.renderer, http.status, "message", {
      layout: layoutView({ title: TITLES[http.status] ?? "服务暂时不可用", auth, now: deps.now() }),
      heading: TITLES[http.status] ?? "服务暂时不可用",
      message: http.message,
      field: http.field ?? "",
      code: http.code,
    });
  };
}
