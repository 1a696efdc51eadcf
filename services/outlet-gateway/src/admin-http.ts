import type { IncomingMessage, ServerResponse } from "node:http";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "@herald/runtime";
import { z } from "zod";
import type { AdminTokens } from "./admin-tokens";
import type { Gateway } from "./gateway";
import {
  AUDIENCE_NAMES,
  KIND_NAMES,
  audienceFromName,
  channelOf,
  kindFromName,
  type OutletPolicyData,
} from "./policy";
import { type OutletRegistration, RegistrationError } from "./registry";
import { kindName } from "@herald/channel-kit";
import { Audience } from "@herald/contracts";

export interface AdminHttpOptions {
  gateway: Gateway;
  tokens: AdminTokens;
  logger: Logger;
  /** Publishes the outlet's ChannelAnnouncement. */
  announce(registration: OutletRegistration): Promise<void>;
  /** Tombstones the revoked outlet's announcement, so the reconciler owes it nothing. */
  retire(name: string): Promise<void>;
  ready(): { ok: boolean; detail: string };
  metrics(): string;
  /** host:port outlets dial (the advertised gRPC address), told to operators with each credential. */
  address: string;
  /**
   * Messages each named outlet's group has yet to settle on the items topic; the
   * listing shows null for an outlet it has no figure for (Kafka not answering).
   */
  lags?(outlets: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

const addSchema = z.strictObject({
  name: z.string(),
  kinds: z
    .array(
      z.enum(KIND_NAMES as [string, ...string[]], {
        error: `expected one of ${KIND_NAMES.join(", ")}`,
      }),
    )
    .optional(),
  audiences: z
    .array(
      z.enum(AUDIENCE_NAMES as [string, ...string[]], {
        error: `expected one of ${AUDIENCE_NAMES.join(", ")}`,
      }),
    )
    .min(1, "leave audiences out to mean the public only")
    .optional(),
  keepsWithdrawn: z.boolean().optional(),
  keepsExpired: z.boolean().optional(),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function view(registration: OutletRegistration, gateway: Gateway) {
  const activity = gateway.activity(registration.name);
  return {
    name: registration.name,
    channel: channelOf(registration.name),
    policy: {
      kinds: registration.policy.kinds.map((k) => kindName(k)),
      audiences: registration.policy.audiences.map((a) =>
        Audience[a].replace("AUDIENCE_", "").toLowerCase(),
      ),
      keepsWithdrawn: registration.policy.keepsWithdrawn,
      keepsExpired: registration.policy.keepsExpired,
    },
    registeredAt: registration.registeredAt.toISOString(),
    rotatedAt: registration.rotatedAt?.toISOString() ?? null,
    revokedAt: registration.revokedAt?.toISOString() ?? null,
    connected: activity.instances,
    inFlight: activity.inFlight,
    pending: activity.pending,
    backfilling: activity.backfilling,
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new HttpError(413, "too_large", "the body is over 64 KiB");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    throw new HttpError(400, "invalid_argument", "the body is not JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

const REGISTRATION_STATUS: Record<RegistrationError["code"], number> = {
  invalid_argument: 400,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 409,
};

/**
 * Health, metrics and the admin API on one port:
 *   GET  /livez, /readyz, /metrics
 *   POST /admin/outlets                 {name, kinds?, audiences?, keepsWithdrawn?, keepsExpired?}
 *   GET  /admin/outlets                 {gateway, outlets}, each outlet with its lag (src/lag.ts)
 *   POST /admin/outlets/<name>/revoke   cuts the outlet's streams with PERMISSION_DENIED
 *   POST /admin/outlets/<name>/rotate   a new credential; the old one's streams are cut
 * The admin API needs `Authorization: Bearer <token>` of role admin. A credential
 * is in the response of add and rotate only.
 */
export function adminHandler(options: AdminHttpOptions) {
  const { gateway } = options;
  // The listing still answers when Kafka does not; the lag is then unknown (null).
  const lagsOf = async (all: readonly OutletRegistration[]) => {
    if (!options.lags) return undefined;
    try {
      return await options.lags(all.filter((r) => !r.revokedAt).map((r) => r.name));
    } catch (error) {
      options.logger.warn({ err: error }, "outlet lag unknown: Kafka did not answer");
      return undefined;
    }
  };
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const path = url.pathname;
    if (req.method === "GET" && path === "/livez") return send(res, 200, { ok: true });
    if (req.method === "GET" && path === "/readyz") {
      const ready = options.ready();
      return send(res, ready.ok ? 200 : 503, ready);
    }
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(options.metrics());
      return;
    }
    if (!path.startsWith("/admin/")) throw new HttpError(404, "not_found", `no route ${path}`);
    const admin = options.tokens.authenticate(req.headers.authorization);
    if (!admin) {
      throw new HttpError(
        401,
        "unauthenticated",
        "send Authorization: Bearer <token> with an admin token",
      );
    }
    const registry = gateway.registry;
    if (path === "/admin/outlets" && req.method === "GET") {
      const all = await registry.list();
      const lags = await lagsOf(all);
      return send(res, 200, {
        gateway: options.address,
        outlets: all.map((r) => ({ ...view(r, gateway), lag: lags?.get(r.name) ?? null })),
      });
    }
    if (path === "/admin/outlets" && req.method === "POST") {
      const parsed = addSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (i) => `${i.path.join(".") || "body"}: ${i.message}`,
        );
        throw new HttpError(400, "invalid_argument", problems.join("; "));
      }
      const body = parsed.data;
      const policy: OutletPolicyData = {
        kinds: (body.kinds ?? []).map((k) => kindFromName(k)!),
        audiences: (body.audiences ?? []).map((a) => audienceFromName(a)!),
        keepsWithdrawn: body.keepsWithdrawn ?? false,
        keepsExpired: body.keepsExpired ?? false,
      };
      const { registration, credential } = await registry.add(body.name, policy);
      options.logger.info({ outlet: registration.name, by: admin }, "outlet registered");
      await options.announce(registration);
      return send(res, 201, {
        ...view(registration, gateway),
        credential,
        gateway: options.address,
      });
    }
    const action = /^\/admin\/outlets\/([^/]+)\/(revoke|rotate)$/.exec(path);
    if (action && req.method === "POST") {
      const name = decodeURIComponent(action[1]!);
      if (action[2] === "revoke") {
        const registration = await registry.revoke(name);
        const cut = gateway.cut(name, grpc.status.PERMISSION_DENIED, `outlet ${name} was revoked`);
        // Also at every gateway start: a failure here is logged, and the revoke stands.
        await options
          .retire(name)
          .catch((error: unknown) =>
            options.logger.error(
              { err: error, outlet: name },
              "could not retire the outlet's channel",
            ),
          );
        options.logger.info({ outlet: name, by: admin, cut }, "outlet revoked");
        return send(res, 200, view(registration, gateway));
      }
      const { registration, credential } = await registry.rotate(name);
      const cut = gateway.cut(
        name,
        grpc.status.PERMISSION_DENIED,
        `outlet ${name}'s credential was rotated; connect with the new credential`,
      );
      options.logger.info({ outlet: name, by: admin, cut }, "outlet credential rotated");
      return send(res, 200, {
        ...view(registration, gateway),
        credential,
        gateway: options.address,
      });
    }
    throw new HttpError(404, "not_found", `no route ${req.method} ${path}`);
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        send(res, error.status, { error: { code: error.code, message: error.message } });
      } else if (error instanceof RegistrationError) {
        send(res, REGISTRATION_STATUS[error.code], {
          error: { code: error.code, message: error.message },
        });
      } else {
        options.logger.error({ err: error }, "admin request failed");
        send(res, 500, {
          error: { code: "internal", message: "internal error; see the gateway log" },
        });
      }
    });
  };
}
