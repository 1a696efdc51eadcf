import type { Logger } from "@herald/runtime";
import type { ErrorRequestHandler } from "express";
import type { z } from "zod";
import { ActionError, ProblemNotFoundError } from "../model";

/** The largest request body accepted, JSON or form. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** Stable error codes of the API, named as the gRPC service names its status codes. */
export type ErrorCode =
  | "invalid_argument"
  | "unauthenticated"
  | "permission_denied"
  | "not_found"
  | "failed_precondition"
  | "payload_too_large"
  | "internal";

/** An answer other than success, as the API and the dashboard both report it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** The request field (or, for a conflict, the problem's field) at fault. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "HttpError";
  }

  /** The JSON body: `{"error":{"code","message","field"?}}`. */
  body(): { error: { code: ErrorCode; message: string; field?: string } } {
    return {
      error: {
        code: this.code,
        ...(this.field !== undefined ? { field: this.field } : {}),
        message: this.message,
      },
    };
  }
}

/** The first problem zod found, as a 400 naming its field ("channels.1", "note"). */
export function validationError(error: z.ZodError): HttpError {
  const issue = error.issues[0];
  if (!issue) return new HttpError(400, "invalid_argument", "invalid request");
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const field = [...path, key].join(".");
    return new HttpError(400, "invalid_argument", `unknown field ${JSON.stringify(field)}`, field);
  }
  const field = path.join(".") || "body";
  const message = issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
  return new HttpError(400, "invalid_argument", message, field);
}

/** Parses request input or throws a 400 that names the field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error);
  return result.data;
}

function isBodyParserError(error: unknown): error is { status: number; type: string } {
  const e = error as { type?: unknown; status?: unknown } | null;
  return typeof e?.type === "string" && typeof e.status === "number" && e.status < 500;
}

/**
 * An error as an HttpError. An ActionError about a field of the request
 * (`requestFields`) is the caller's mistake (400); about anything else it is
 * the problem's state that does not allow the action (409).
 */
export function toHttpError(error: unknown, requestFields: readonly string[] = []): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ProblemNotFoundError) {
    return new HttpError(404, "not_found", error.message, "id");
  }
  if (error instanceof ActionError) {
    return requestFields.includes(error.field)
      ? new HttpError(400, "invalid_argument", error.message, error.field)
      : new HttpError(409, "failed_precondition", error.message, error.field);
  }
  if (isBodyParserError(error)) {
    if (error.status === 413) {
      return new HttpError(
        413,
        "payload_too_large",
        `the request body is larger than ${BODY_LIMIT_BYTES / 1024} KB`,
      );
    }
    return new HttpError(
      400,
      "invalid_argument",
      error.type === "entity.parse.failed"
        ? "the request body is not valid JSON"
        : "the request body cannot be read",
      "body",
    );
  }
  return new HttpError(500, "internal", "internal error; nothing was changed");
}

/** Runs an operator action, mapping its domain errors with the route's request fields. */
export async function act<T>(requestFields: readonly string[], action: () => Promise<T>) {
  try {
    return await action();
  } catch (error) {
    throw toHttpError(error, requestFields);
  }
}

/** The last handler of the JSON API: every failure becomes `{"error":{…}}`. */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const http = toHttpError(error);
    if (http.status >= 500) logger.error({ err: error, path: req.path }, "API request failed");
    if (http.status === 401) res.set("WWW-Authenticate", 'Bearer realm="herald-reconciler"');
    res.status(http.status).json(http.body());
  };
}
