import { extractTraceContext, heraldTracer } from "@herald/runtime";
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import type { NextFunction, Request, Response } from "express";
import { badPath } from "./errors";

// What runs in front of the API's routes: tracing, and the check of the request path.

/** A server span per request that continues the caller's trace. */
export function tracing(req: Request, res: Response, next: NextFunction) {
  const parent = extractTraceContext(req.headers);
  const span = heraldTracer().startSpan(
    `${req.method} ${req.path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": req.method, "url.path": req.path },
    },
    parent,
  );
  res.on("finish", () => {
    const route = (req.route as { path?: string } | undefined)?.path;
    if (route) span.updateName(`${req.method} /api${route}`);
    span.setAttribute("http.response.status_code", res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}

/**
 * Refuses a path with a malformed percent-encoding (`/api/items/%E0%A4%A`) as the
 * client's mistake, 400, before a route's parameter decoding would throw it.
 */
export function percentEncoding(req: Request, res: Response, next: NextFunction) {
  for (const segment of req.path.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      res.status(400).json(badPath(JSON.stringify(segment)));
      return;
    }
  }
  next();
}
