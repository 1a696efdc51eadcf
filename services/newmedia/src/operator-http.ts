import type { IncomingMessage, ServerResponse } from "node:http";
import { type Logger, type TokenFileRules, TokenStore } from "@herald/runtime";
import { z } from "zod";
import { NewmediaRequestError, type NewmediaService } from "./service";

/** Who may list accounts and close operator tasks: the runtime's token-file format, role `operator`. */
export const OPERATOR_TOKEN_RULES: TokenFileRules = {
  label: "newmedia operator token file",
  roles: ["operator"],
};

const doneSchema = z.strictObject({
  outletId: z.string({ error: "outletId: the account's outlet id, e.g. weibo:demo" }).min(1),
  itemId: z.string({ error: "itemId: the item whose post was deleted by hand" }).min(1),
});

/** The largest body the API reads: a task reference, nothing more. */
const MAX_BODY_BYTES = 16 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse((await readText(req)) || "{}");
  } catch (error) {
    if (error instanceof NewmediaRequestError) throw error;
    throw new NewmediaRequestError(400, "body.not_json", "the body is not JSON");
  }
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new NewmediaRequestError(
        413,
        "body.too_large",
        `the body exceeds ${MAX_BODY_BYTES} bytes`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

/**
 * Health, metrics and the operators' API on one port:
 *   GET  /livez, /readyz, /metrics
 *   GET  /api/v1/accounts             every account: holdings, last post, freshness, quotas, open tasks
 *   GET  /api/v1/tasks?state=open|all takedowns waiting on an operator
 *   POST /api/v1/tasks/done           {outletId, itemId}: the post was deleted by hand
 *   GET|POST /wechat/events/<account> the platform's pushes (PUBLISHJOBFINISH), signed with
 *                                     the account's event token instead of a bearer token
 * The API needs `Authorization: Bearer <token>` of role operator.
 */
export function operatorHandler(options: {
  service: NewmediaService;
  tokensFile: string;
  logger: Logger;
}) {
  const { service, logger } = options;
  const tokens = TokenStore.open(options.tokensFile, OPERATOR_TOKEN_RULES, (e) => e.name, {
    logger,
  });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://newmedia");
    const path = url.pathname;
    if (req.method === "GET" && path === "/livez") return send(res, 200, { ok: true });
    if (req.method === "GET" && path === "/readyz") {
      const ready = service.ready();
      return send(res, ready.ok ? 200 : 503, ready);
    }
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(service.metricsText());
      return;
    }
    // The platform's pushes carry its signature, not an operator's token.
    const push = /^\/wechat\/events\/([a-z0-9-]+)$/.exec(path);
    if (push) {
      const account = push[1]!;
      if (req.method === "GET") {
        // The platform checks the server URL once, when an operator configures it.
        const ok = service.wechatPush(account, url.searchParams, "");
        res.writeHead(ok ? 200 : 403, { "content-type": "text/plain; charset=utf-8" });
        res.end(ok ? (url.searchParams.get("echostr") ?? "") : "signature refused");
        return;
      }
      if (req.method === "POST") {
        const ok = service.wechatPush(account, url.searchParams, await readText(req));
        res.writeHead(ok ? 200 : 403, { "content-type": "text/plain; charset=utf-8" });
        // "success" tells the platform the push was taken, so it does not send it again.
        res.end(ok ? "success" : "signature refused");
        return;
      }
    }
    if (!path.startsWith("/api/v1/")) {
      throw new NewmediaRequestError(404, "route.not_found", `no route ${path}`);
    }
    const operator = tokens.authenticate(req.headers.authorization);
    if (!operator) {
      throw new NewmediaRequestError(
        401,
        "unauthenticated",
        "send Authorization: Bearer <token> with an operator token",
      );
    }
    if (req.method === "GET" && path === "/api/v1/accounts") {
      return send(res, 200, { accounts: await service.accounts() });
    }
    if (req.method === "GET" && path === "/api/v1/tasks") {
      const state = url.searchParams.get("state") ?? "open";
      if (state !== "open" && state !== "all") {
        throw new NewmediaRequestError(400, "state.invalid", "state must be open or all");
      }
      return send(res, 200, { tasks: await service.tasks(state) });
    }
    if (req.method === "POST" && path === "/api/v1/tasks/done") {
      const parsed = doneSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => i.message);
        throw new NewmediaRequestError(400, "body.invalid", problems.join("; "));
      }
      const task = await service.completeTask(parsed.data.outletId, parsed.data.itemId, operator);
      logger.info({ task: task.id, by: operator }, "operator task done");
      return send(res, 200, { task });
    }
    throw new NewmediaRequestError(404, "route.not_found", `no route ${req.method} ${path}`);
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof NewmediaRequestError) {
        send(res, error.status, { error: { code: error.code, message: error.message } });
        return;
      }
      // A pipeline refusing to close a task says why (the post is still visible, no such task).
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && code.startsWith("task.")) {
        const status = code === "task.not_found" ? 404 : 409;
        send(res, status, { error: { code, message: (error as Error).message } });
        return;
      }
      logger.error({ err: error }, "operator API request failed");
      send(res, 500, {
        error: { code: "internal", message: "the request failed; see the service log" },
      });
    });
  };
}
