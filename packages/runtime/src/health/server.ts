import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logging/logger";

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** A readiness check: true/false or a result with a reason. */
export type HealthCheck = () => CheckResult | boolean | Promise<CheckResult | boolean>;

export interface HealthServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** Readiness checks by name; all must pass for /readyz to answer 200. */
  checks: Record<string, HealthCheck>;
  /** Serves `/metrics` in the Prometheus text format when given. */
  metrics?: () => string;
  /** How long one check may take before it counts as failed (default 2000 ms). */
  checkTimeoutMs?: number;
}

export interface HealthServer {
  /** The port it listens on (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, detail: `timed out after ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    const result = await Promise.race([Promise.resolve().then(check), timeout]);
    return typeof result === "boolean" ? { ok: result } : result;
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serves `/livez` (the process answers) and `/readyz` (every check passes) for
 * orchestrators' probes, and `/metrics` when given. They carry component states
 * and counts only, never data.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET" && req.method !== "HEAD")
      return reply(405, { error: "method not allowed" });
    if (path === "/livez") return reply(200, { status: "ok" });
    if (path === "/readyz" || path === "/healthz") {
      void (async () => {
        const entries = await Promise.all(
          Object.entries(options.checks).map(
            async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const,
          ),
        );
        const ok = entries.every(([, result]) => result.ok);
        reply(ok ? 200 : 503, {
          status: ok ? "ok" : "unavailable",
          checks: Object.fromEntries(entries),
        });
      })();
      return;
    }
    if (path === "/metrics" && options.metrics) {
      res.writeHead(200, {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        "cache-control": "no-store",
      });
      res.end(options.metrics());
      return;
    }
    return reply(404, {
      error: "not found",
      paths: ["/livez", "/readyz", ...(options.metrics ? ["/metrics"] : [])],
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port }, "health endpoint listening");
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
