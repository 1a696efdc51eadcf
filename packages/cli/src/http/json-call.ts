import { CommandError } from "../content/errors";

/** One call to a Herald service's JSON API, as the commands make it. */
export interface JsonCall {
  /** How messages name the service, e.g. "the content service". */
  service: string;
  /** The service's base URL; messages name it. */
  url: string;
  token: string;
  method: "GET" | "POST";
  /** The path below `url`, e.g. `/api/items/x`. */
  path: string;
  body?: unknown;
  /** How long to wait for the answer; default 30 s. */
  timeoutMs?: number;
}

/** Turns an answer other than 2xx into the error the user sees. */
export type Refusal = (status: number, json: unknown, text: string) => CommandError;

/** Why a service could not be reached, in words that say what to do. */
export function unreachable(call: JsonCall, error: unknown): CommandError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof DOMException && error.name === "TimeoutError") {
    const seconds = Math.round((call.timeoutMs ?? 30_000) / 1000);
    return new CommandError(`${call.service} at ${call.url} did not answer within ${seconds} s`);
  }
  if (cause?.code === "ECONNREFUSED") {
    return new CommandError(
      `${call.service} is not running at ${call.url} (connection refused); start it with \`./herald up\``,
    );
  }
  const reason = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new CommandError(`cannot reach ${call.service} at ${call.url}: ${reason}`);
}

/** Whether the connection closed under the request before any answer came. */
export function closedBeforeAnswer(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (
    cause?.code === "UND_ERR_SOCKET" ||
    cause?.code === "ECONNRESET" ||
    /other side closed/i.test(cause?.message ?? "")
  );
}

/** Calls a service with a bearer token and returns its JSON answer; throws a CommandError on any failure. */
export async function callJson<T>(call: JsonCall, refusal: Refusal): Promise<T> {
  let response: Response | undefined;
  const signal = AbortSignal.timeout(call.timeoutMs ?? 30_000);
  for (let attempt = 1; response === undefined; attempt += 1) {
    try {
      response = await fetch(`${call.url}${call.path}`, {
        method: call.method,
        headers: {
          authorization: `Bearer ${call.token}`,
          accept: "application/json",
          ...(call.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal,
      });
    } catch (error) {
      // A kept-alive connection the service closed as it idled can be reused in
      // the same instant; the request then never reached the service. A GET is
      // asked again once on a new connection; a POST is not repeated blindly.
      if (call.method === "GET" && attempt === 1 && closedBeforeAnswer(error)) continue;
      throw unreachable(call, error);
    }
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) throw refusal(response.status, json, text);
  if (json === undefined) {
    throw new CommandError(`${call.service} answered ${response.status} without JSON`);
  }
  return json as T;
}

/** A refusal a service explained in `{error: {code, message}}`, with its status and code. */
export class ServiceRequestError extends CommandError {
  override name = "ServiceRequestError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * The refusal of a service that answers errors as `{error: {code, message}}`:
 * the status, the code and the message, and on 401 or 403 where the token comes
 * from (`tokenHint`). `make` builds the service's own error class.
 */
export function explainedRefusal<E extends ServiceRequestError>(
  service: string,
  tokenHint: string,
  make: (message: string, status: number, code: string | undefined) => E,
): (status: number, json: unknown, text: string) => E {
  return (status, json, text) => {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const message = error?.message ?? (text.trim().slice(0, 300) || "no explanation given");
    const hint = status === 401 || status === 403 ? `; check ${tokenHint}` : "";
    const code = error?.code ? ` ${error.code}` : "";
    return make(`${service} answered ${status}${code}: ${message}${hint}`, status, error?.code);
  };
}
