import type { Logger } from "@herald/runtime";
import {
  applyTrustProxy,
  MALFORMED_URL_MESSAGE,
  rejectMalformedUrl,
  securityHeaders,
  SignInThrottle,
  type TrustProxy,
} from "@herald/web";
import express from "express";
import type { OperatorActions, ReconcilerQueries } from "../model";
import { apiRouter } from "./api-routes";
import type { TokenCheck } from "./authenticate";
import { HttpError, jsonErrorHandler } from "./errors";
import { type PageDependencies, pageErrorHandler } from "./page-support";
import { pageRouter } from "./page-routes";
import { createRenderer } from "./renderer";
import { createDashboardSessions } from "./session";

/** What the reconciler's HTTP API and dashboard are built from. */
export interface ReconcilerAppOptions {
  queries: ReconcilerQueries;
  actions: OperatorActions;
  /** Checks operator tokens, on every request: sessions end when their token is no longer accepted. */
  tokens: TokenCheck;
  /** Signs session cookies and CSRF tokens; at least 32 bytes. */
  sessionSecret: Buffer;
  logger: Logger;
  /** Seconds between the dashboard's self-refreshes (default 15). */
  refreshSeconds?: number;
  now?: () => Date;
  /** Templates folder; the package's own by default. */
  templatesDir?: string;
  /**
   * Which proxies in front are believed about the client's address (sign-in
   * throttling) and TLS (Secure cookies): RECONCILER_TRUST_PROXY, off by default.
   */
  trustProxy?: TrustProxy;
  /** Failed sign-ins allowed per client address: 5 a minute by default. */
  signInThrottle?: SignInThrottle;
}

/**
 * WARNING: the policy the dashboard's markup is written for (no script, no
 * inline style, forms only to itself); loosening it is a security decision.
 */
export { CONTENT_SECURITY_POLICY } from "@herald/web";

const isApiPath = (url: string) =>
  url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");

/**
 * The reconciler's JSON API (/api/v1, bearer tokens) and the operators'
 * dashboard (sessions from /login, or bearer tokens) as one express app.
 * Templates are read and compiled here, synchronously, so a broken template
 * or a short session secret fails at start-up rather than on first request.
 */
export function createReconcilerApp(options: ReconcilerAppOptions): express.Express {
  const refreshSeconds = options.refreshSeconds ?? 15;
  if (!Number.isInteger(refreshSeconds) || refreshSeconds < 1) {
    throw new Error("refreshSeconds must be a whole number of seconds, at least 1");
  }
  const renderer = createRenderer(options.templatesDir);
  const now = options.now ?? (() => new Date());
  const deps: PageDependencies = {
    queries: options.queries,
    actions: options.actions,
    tokens: options.tokens,
    sessions: createDashboardSessions(options.sessionSecret),
    throttle: options.signInThrottle ?? new SignInThrottle(),
    renderer,
    logger: options.logger,
    refreshSeconds,
    now,
  };
  const pageErrors = pageErrorHandler(deps);
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  applyTrustProxy(app, options.trustProxy ?? false);

  app.use(securityHeaders({ referrerPolicy: "same-origin", sameOriginResources: true }));
  // Before any route: a route parameter that cannot be decoded would otherwise fail with 500.
  app.use(
    rejectMalformedUrl((res, problem) => {
      const req = res.req;
      if (isApiPath(req.originalUrl)) {
        res.json(new HttpError(400, "invalid_argument", problem.message, problem.field).body());
        return;
      }
      const error = new HttpError(
        400,
        "invalid_argument",
        `${MALFORMED_URL_MESSAGE}（${problem.message}）`,
        problem.field,
      );
      pageErrors(error, req, res, () => undefined);
    }),
  );

  // The one thing served without a login: the login page needs its style too.
  app.get("/assets/dashboard.css", (_req, res) => {
    res.type("text/css").set("Cache-Control", "public, max-age=3600").send(renderer.css);
  });

  app.use("/api/v1", apiRouter(options));
  app.use("/api", (req) => {
    throw new HttpError(
      404,
      "not_found",
      `no API route ${req.method} ${req.originalUrl}; the API is under /api/v1`,
    );
  });
  app.use("/api", jsonErrorHandler(options.logger));

  app.use(pageRouter(deps));
  return app;
}
