import { callJson } from "../http/json-call";
import { stackSettings } from "../stack/settings";
import { CommandError } from "./errors";
import { readLocalTokens } from "./secrets";
import { contentSettings } from "./settings";

/** Where the content commands send requests, and as whom. */
export interface ContentTarget {
  url: string;
  token: string;
}

/**
 * The content service and token to use: HERALD_CONTENT_URL and HERALD_TOKEN where
 * set, else the local credentials `herald up` wrote (the admin token).
 */
export function contentTarget(environment: NodeJS.ProcessEnv = process.env): ContentTarget {
  const url = environment.HERALD_CONTENT_URL?.trim();
  const token = environment.HERALD_TOKEN?.trim();
  if (url && token) return { url: url.replace(/\/+$/, ""), token };
  const file = contentSettings(stackSettings(environment), environment).secrets.tokensFile;
  const local = readLocalTokens(file);
  return { url: (url || local.contentUrl).replace(/\/+$/, ""), token: token || local.tokens.admin };
}

/** One rule an item breaks, as the service reports it (HTTP 422, or 413 for its size). */
export interface Violation {
  field: string;
  rule: string;
  message: string;
  excerpt?: string;
}

/** A refusal the service explained; `violations` only for invalid input. */
export class ContentRequestError extends CommandError {
  override name = "ContentRequestError";
  constructor(
    message: string,
    readonly status: number,
    readonly violations: readonly Violation[] = [],
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: string;
  message?: string;
  violations?: Violation[];
}

function refusal(status: number, body: ErrorBody | undefined, text: string): ContentRequestError {
  const message = body?.message ?? (text.trim().slice(0, 300) || "no explanation given");
  if ((status === 422 || status === 413) && body?.violations?.length) {
    // A violation of the whole item (its size) names no field.
    const lines = body.violations.map(
      (v) => `  ${v.field || "(the item)"}: ${v.message} [${v.rule}]`,
    );
    const count = body.violations.length;
    return new ContentRequestError(
      [`the item was refused (${count} problem${count === 1 ? "" : "s"}):`, ...lines].join("\n"),
      status,
      body.violations,
    );
  }
  const hint =
    status === 401
      ? "; check HERALD_TOKEN, or the tokens file `herald up` wrote under .herald/secrets/"
      : "";
  const code = body?.error ? ` ${body.error}` : "";
  return new ContentRequestError(
    `the content service answered ${status}${code}: ${message}${hint}`,
    status,
  );
}

/** Calls the editors' API (`/api…`) and returns the JSON answer; throws on any failure. */
export function callContent<T>(
  target: ContentTarget,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<T> {
  return callJson<T>(
    {
      service: "the content service",
      url: target.url,
      token: target.token,
      method,
      path: `/api${path}`,
      ...(body === undefined ? {} : { body }),
    },
    (status, json, text) => refusal(status, json as ErrorBody | undefined, text),
  );
}
