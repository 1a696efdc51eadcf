import { CommandError } from "../content/errors";
import { readOperatorToken } from "../content/secrets";
import { localSecrets } from "../content/settings";
import { callJson } from "../http/json-call";
import { stackSettings } from "../stack/settings";
import { reconcilerSettings, reconcilerUrl } from "./settings";
import {
  type AuditReportView,
  type ChannelSummaryView,
  type ItemStatusView,
  type StatusSummary,
  formatNotConsuming,
} from "./views";

/** Where the reconciler commands send requests, and as whom. */
export interface ReconcilerTarget {
  url: string;
  token: string;
}

/**
 * The reconciler and operator token to use: HERALD_RECONCILER_URL and
 * HERALD_OPERATOR_TOKEN where set, else the address `herald up` runs it at
 * (HERALD_RECONCILER_PORT) and the operator token of the local credentials.
 */
export function reconcilerTarget(environment: NodeJS.ProcessEnv = process.env): ReconcilerTarget {
  const url = environment.HERALD_RECONCILER_URL?.trim();
  const token = environment.HERALD_OPERATOR_TOKEN?.trim();
  const stack = () => stackSettings(environment);
  return {
    url: (url || reconcilerUrl(reconcilerSettings(stack(), environment))).replace(/\/+$/, ""),
    token: token || readOperatorToken(localSecrets(stack()).tokensFile),
  };
}

/** A refusal the reconciler explained, with its stable error code (`not_found`…). */
export class ReconcilerRequestError extends CommandError {
  override name = "ReconcilerRequestError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    /** The request field at fault (`id` for an unknown item). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The reconciler's error body: `{"error":{"code","message","field"?}}`. */
interface ErrorBody {
  error?: { code?: string; message?: string; field?: string };
}

export function reconcilerRefusal(
  status: number,
  json: unknown,
  text: string,
): ReconcilerRequestError {
  const error = (json as ErrorBody | undefined)?.error;
  const message = error?.message ?? (text.trim().slice(0, 300) || "no explanation given");
  const hint =
    status === 401 || status === 403
      ? "; check HERALD_OPERATOR_TOKEN, or the operatorToken that `herald up` wrote to .herald/secrets/tokens.json"
      : status === 503 && error?.code === "unavailable"
        ? // A standby names the leader; only the leader keeps the model.
          "; point HERALD_RECONCILER_URL at the leader, or wait for this one to take over"
        : "";
  const code = error?.code ? ` ${error.code}` : "";
  return new ReconcilerRequestError(
    `the reconciler answered ${status}${code}: ${message}${hint}`,
    status,
    error?.code,
    error?.field,
  );
}

/** What `herald status` says of an id the reconciler does not know. */
export function unknownItemMessage(id: string, url: string): string {
  return `no item ${JSON.stringify(id)} on the reconciler at ${url}: it was never published, or the reconciler has not read it yet (\`./herald item ${id}\` asks the content service)`;
}

function callReconciler<T>(
  target: ReconcilerTarget,
  method: "GET" | "POST",
  path: string,
  options: { body?: unknown; timeoutMs?: number } = {},
): Promise<T> {
  return callJson<T>(
    {
      service: "the reconciler",
      url: target.url,
      token: target.token,
      method,
      path: `/api/v1${path}`,
      ...options,
    },
    reconcilerRefusal,
  );
}

/** An item's request, with a 404 turned into a message that names the item. */
async function itemCall<T>(target: ReconcilerTarget, id: string, view: string): Promise<T> {
  try {
    return await callReconciler<T>(target, "GET", `/items/${encodeURIComponent(id)}/${view}`);
  } catch (error) {
    // Only a 404 about the id: a 404 without a field is a route this reconciler lacks.
    if (error instanceof ReconcilerRequestError && error.status === 404 && error.field === "id") {
      throw new ReconcilerRequestError(unknownItemMessage(id, target.url), 404, error.code, "id");
    }
    throw error;
  }
}

/** `GET /api/v1/items/:id/summary`: each channel's state and version. */
export function itemSummary(target: ReconcilerTarget, id: string): Promise<StatusSummary> {
  return itemCall<StatusSummary>(target, id, "summary");
}

/** `GET /api/v1/items/:id/status`: the full status, with delivery times and findings. */
export function itemStatus(target: ReconcilerTarget, id: string): Promise<ItemStatusView> {
  return itemCall<ItemStatusView>(target, id, "status");
}

/**
 * How long `herald reconcile` waits: the reconciler audits every channel before it
 * answers, and a channel may take its full call deadline (30 s) per page.
 */
export const AUDIT_TIMEOUT_MS = 300_000;

/** `POST /api/v1/audits`: audits every channel (or the ones named) now and returns the findings. */
export function runAudit(
  target: ReconcilerTarget,
  channels?: readonly string[],
): Promise<AuditReportView> {
  return callReconciler<AuditReportView>(target, "POST", "/audits", {
    body: channels ? { channels } : {},
    timeoutMs: AUDIT_TIMEOUT_MS,
  });
}

/** `GET /api/v1/channels`: every channel at a glance. */
export function channelSummaries(target: ReconcilerTarget): Promise<ChannelSummaryView[]> {
  return callReconciler<ChannelSummaryView[]>(target, "GET", "/channels");
}

/**
 * The lines `herald status` adds for channels not consuming normally: nothing when
 * every channel is; a note, not a failure, when the list cannot be read (the
 * item's status stands without it).
 */
export async function notConsumingLines(target: ReconcilerTarget): Promise<string[]> {
  try {
    const channels = await channelSummaries(target);
    return formatNotConsuming(channels.flatMap((c) => (c.notConsuming ? [c.notConsuming] : [])));
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    return ["", `channels: not shown; ${error.message}`];
  }
}
