import type { IncomingMessage, ServerResponse } from "node:http";
import * as grpc from "@grpc/grpc-js";
import type { ReconcilerServer } from "@herald/contracts";

/** Thrown by a read or an action asked of a reconciler that does not lead. */
export class StandbyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StandbyError";
  }
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/**
 * What a standby's HTTP port answers: 503 with the reason, naming the leader, as
 * JSON under /api and as a short page elsewhere. Its model is not kept (only the
 * leader reads the receipts), so it has nothing true to show.
 */
export function standbyReply(req: IncomingMessage, res: ServerResponse, why: string): void {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  res.statusCode = 503;
  res.setHeader("Retry-After", "5");
  res.setHeader("Cache-Control", "no-store");
  if (path.startsWith("/api")) {
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.end(JSON.stringify({ error: { code: "unavailable", message: why } }));
    return;
  }
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Content-Security-Policy", "default-src 'none'");
  // No `meta refresh`: a page that reloads itself on a timer it cannot stop fails
  // WCAG 2.2.1. The operator reloads with the link when they choose.
  res.end(
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">` +
      `<meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>备用实例 · Herald</title></head>` +
      `<body><main><h1>本实例为备用实例（standby）</h1><p>${escapeHtml(why)}</p>` +
      `<p>请打开主实例的仪表板；主实例停止后，本实例会在租约到期时接管。` +
      `<a href="${escapeHtml(path)}">重新载入本页</a></p></main></body></html>`,
  );
}

/** The gRPC service, answering UNAVAILABLE with the reason while `standing()` gives one. */
export function gateGrpc(
  server: ReconcilerServer,
  standing: () => string | undefined,
): ReconcilerServer {
  const gated: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(server)) {
    gated[name] = (
      call: unknown,
      callback: (error: Partial<grpc.StatusObject> | null) => void,
    ): void => {
      const why = standing();
      if (why) callback({ code: grpc.status.UNAVAILABLE, details: why });
      else (handler as (call: unknown, callback: unknown) => void)(call, callback);
    };
  }
  return gated as ReconcilerServer;
}
