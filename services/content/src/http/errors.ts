import type { ErrorRequestHandler } from "express";
import type { Logger } from "@herald/runtime";
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooLargeError,
  UnauthenticatedError,
  ValidationError,
  WorkflowError,
} from "../domain/errors";

/** Maps domain errors to HTTP answers: a status, a stable `error` code and what to do. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const send = (status: number, body: Record<string, unknown>) => res.status(status).json(body);
    if (error instanceof BadRequestError) {
      send(400, { error: "bad_request", message: error.message, violations: error.violations });
    } else if (error instanceof TooLargeError) {
      send(413, { error: "too_large", message: error.message, violations: error.violations });
    } else if (error instanceof ValidationError) {
      send(422, { error: "invalid_input", message: error.message, violations: error.violations });
    } else if (error instanceof UnauthenticatedError) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="herald"');
      send(401, { error: "unauthenticated", message: error.message });
    } else if (error instanceof ForbiddenError) {
      send(403, { error: "forbidden", message: error.message });
    } else if (error instanceof NotFoundError) {
      send(404, { error: "not_found", message: error.message });
    } else if (error instanceof ConflictError) {
      send(409, {
        error: "conflict",
        message: error.message,
        ...(error.currentRevision !== undefined ? { currentRevision: error.currentRevision } : {}),
      });
    } else if (error instanceof AlreadyExistsError) {
      send(409, { error: "already_exists", message: error.message });
    } else if (error instanceof WorkflowError) {
      send(409, { error: "invalid_state", rule: error.rule, message: error.message });
    } else if (isBodyParserError(error) && error.status === 413) {
      const size = error.length !== undefined ? ` (${error.length} bytes)` : "";
      const message = `the request body${size} is over the API's limit of ${error.limit ?? "?"} bytes of JSON; no item that large could be sent to the channels`;
      send(413, {
        error: "too_large",
        message,
        violations: [
          {
            field: "",
            rule: "size.max-request",
            message,
            ...(error.length !== undefined ? { size: error.length } : {}),
            ...(error.limit !== undefined ? { limit: error.limit } : {}),
          },
        ],
      });
    } else if (error instanceof URIError) {
      // The router could not decode a path parameter; the path check in front of
      // the routes normally answers first.
      send(400, badPath("a path parameter"));
    } else if (isBodyParserError(error)) {
      send(error.status, {
        error: "malformed_request",
        message: `the request body is not valid JSON: ${error.message}`,
      });
    } else {
      logger.error({ err: error }, "request failed");
      send(500, { error: "internal", message: "internal error; the request was not applied" });
    }
  };
}

function isBodyParserError(
  error: unknown,
): error is { status: number; message: string; length?: number; limit?: number } {
  const e = error as { type?: string; status?: number };
  return typeof e.type === "string" && typeof e.status === "number" && e.status < 500;
}

/** The answer to a request path that is not valid percent-encoded UTF-8. */
export function badPath(segment: string) {
  const message = `the request path is not valid percent-encoding: ${segment} must be UTF-8 written with %XX escapes`;
  return {
    error: "bad_request",
    message,
    violations: [
      { field: "path", rule: "percent-encoding", message, excerpt: segment.slice(0, 80) },
    ],
  };
}
