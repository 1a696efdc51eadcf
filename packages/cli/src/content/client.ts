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

/** One rule an item breaks, as the service reports it (HTTP 422). */
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
  if (status === 422 && body?.violations?.length) {
    const lines = body.violations.map((v) => `  ${v.field}: ${v.message} [${v.rule}]`);
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

function unreachable(url: string, error: unknown): CommandError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return new CommandError(`the content service at ${url} did not answer within 30 s`);
  }
  if (cause?.code === "ECONNREFUSED") {
    return new CommandError(
      `the content service is not running at ${url} (connection refused); start it with \`./herald up\``,
    );
  }
  const reason = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new CommandError(`cannot reach the content service at ${url}: ${reason}`);
}

/** Calls the editors' API (`/api…`) and returns the JSON answer; throws on any failure. */
export async function callContent<T>(
  target: ContentTarget,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${target.url}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw unreachable(target.url, error);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) throw refusal(response.status, json as ErrorBody | undefined, text);
  if (json === undefined) {
    throw new CommandError(`the content service answered ${response.status} without JSON`);
  }
  return json as T;
}
