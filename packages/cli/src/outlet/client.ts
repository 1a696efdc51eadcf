import { readOutletAdminToken } from "../content/secrets";
import { localSecrets } from "../content/settings";
import { ServiceRequestError, callJson, explainedRefusal } from "../http/json-call";
import { stackSettings } from "../stack/settings";
import { outletGatewaySettings, outletGatewayUrl } from "./settings";

/** Where the outlet commands send requests, and as whom. */
export interface OutletGatewayTarget {
  url: string;
  token: string;
}

/**
 * The outlet gateway's admin API and token: HERALD_OUTLET_GATEWAY_URL and
 * HERALD_OUTLET_ADMIN_TOKEN where set, else the address `herald up` runs it at
 * (HERALD_OUTLET_GATEWAY_HTTP_PORT) and the outlet admin token of the local credentials.
 */
export function outletGatewayTarget(
  environment: NodeJS.ProcessEnv = process.env,
): OutletGatewayTarget {
  const url = environment.HERALD_OUTLET_GATEWAY_URL?.trim();
  const token = environment.HERALD_OUTLET_ADMIN_TOKEN?.trim();
  const stack = () => stackSettings(environment);
  return {
    url: (url || outletGatewayUrl(outletGatewaySettings(stack(), environment))).replace(/\/+$/, ""),
    token: token || readOutletAdminToken(localSecrets(stack()).tokensFile),
  };
}

/** The policy an outlet is registered with, as the admin API spells it. */
export interface OutletPolicyView {
  /** Empty: every kind. */
  kinds: string[];
  audiences: string[];
  keepsWithdrawn: boolean;
  keepsExpired: boolean;
}

/** One outlet as `GET /admin/outlets` lists it. */
export interface OutletView {
  name: string;
  /** The channel its receipts and announcement carry: `outlet-<name>`. */
  channel: string;
  policy: OutletPolicyView;
  registeredAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
  /** Its instances connected to this gateway. */
  connected: { instanceId: string; session: string }[];
  inFlight: number;
  pending: number;
  backfilling: boolean;
  /** Messages its group has yet to settle on the items topic; null when unknown. */
  lag?: number | null;
}

export interface OutletList {
  /** host:port outlets dial; absent from an older gateway. */
  gateway?: string;
  outlets: OutletView[];
}

/** What add and rotate answer: the outlet and its credential, shown once. */
export interface OutletCredential extends OutletView {
  credential: string;
  gateway?: string;
}

export interface OutletAddRequest {
  name: string;
  kinds: string[];
  audiences?: string[];
  keepsWithdrawn?: boolean;
  keepsExpired?: boolean;
}

/** A refusal the outlet gateway explained, with its code. */
export class OutletGatewayRequestError extends ServiceRequestError {
  override name = "OutletGatewayRequestError";
}

const refusal = explainedRefusal(
  "the outlet gateway",
  "HERALD_OUTLET_ADMIN_TOKEN, or the outletAdminToken that `herald up` wrote to .herald/secrets/tokens.json",
  (message, status, code) => new OutletGatewayRequestError(message, status, code),
);

function callGateway<T>(
  target: OutletGatewayTarget,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<T> {
  return callJson<T>(
    {
      service: "the outlet gateway",
      url: target.url,
      token: target.token,
      method,
      path: `/admin${path}`,
      ...(body === undefined ? {} : { body }),
    },
    refusal,
  );
}

export function listOutlets(target: OutletGatewayTarget): Promise<OutletList> {
  return callGateway<OutletList>(target, "GET", "/outlets");
}

export function addOutlet(
  target: OutletGatewayTarget,
  request: OutletAddRequest,
): Promise<OutletCredential> {
  return callGateway<OutletCredential>(target, "POST", "/outlets", request);
}

export function revokeOutlet(target: OutletGatewayTarget, name: string): Promise<OutletView> {
  return callGateway<OutletView>(target, "POST", `/outlets/${encodeURIComponent(name)}/revoke`, {});
}

export function rotateOutlet(target: OutletGatewayTarget, name: string): Promise<OutletCredential> {
  return callGateway<OutletCredential>(
    target,
    "POST",
    `/outlets/${encodeURIComponent(name)}/rotate`,
    {},
  );
}
