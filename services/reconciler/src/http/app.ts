import type { Logger } from "@herald/runtime";
import express from "express";
import type { OperatorTokens } from "../auth";
import type { OperatorActions, ReconcilerQueries } from "../model";
import { apiRouter } from "./api-routes";
import { HttpError, jsonErrorHandler } from "./errors";
import { pageRouter } from "./page-routes";
import { createRenderer } from "./renderer";
import { SessionKeys } from "./session";

/** What the reconciler's HTTP API and dashboard are built from. */
export interface ReconcilerAppOptions {
  queries: ReconcilerQueries;
  actions: OperatorActions;
  tokens: OperatorTokens;
  /** Signs session cookies; at least 32 bytes. */
  sessionSecret: Buffer;
  logger: Logger;
  /** Seconds between the dashboard's self-refreshes (default 15). */
  refreshSeconds?: number;
  now?: () => Date;
  /** Templates folder; the package's own by default. */
  templatesDir?: string;
}

/**
 * WARNING: the policy the dashboard's markup is written for (no script, no
 * inline style, forms only to itself); loosening it is a security decision.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

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
  const keys = new SessionKeys(options.sessionSecret);
  const renderer = createRenderer(options.templatesDir);
  const now = options.now ?? (() => new Date());
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");

  app.use((_req, res, next) => {
    res.set({
      "Content-Security-Policy": CONTENT_SECURITY_POLICY,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
      "X-Frame-Options": "DENY",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    });
    next();
  });

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

  app.use(
    pageRouter({
      queries: options.queries,
      actions: options.actions,
      tokens: options.tokens,
      keys,
      renderer,
      logger: options.logger,
      refreshSeconds,
      now,
    }),
  );
  return app;
}
