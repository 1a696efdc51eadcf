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

/** Calls a service with a bearer token and returns its JSON answer; throws a CommandError on any failure. */
export async function callJson<T>(call: JsonCall, refusal: Refusal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${call.url}${call.path}`, {
      method: call.method,
      headers: {
        authorization: `Bearer ${call.token}`,
        accept: "application/json",
        ...(call.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal: AbortSignal.timeout(call.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw unreachable(call, error);
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
