/**
 * Test support for the outlet gateway's own tests: a gateway on free ports in a
 * test namespace, and the admin API called as an operator would.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig } from "@herald/runtime";
import { outletGatewayEnv } from "./config";
import { type OutletGatewayService, startOutletGateway } from "./service";

export const ADMIN_TOKEN = "outlet-admin-test-token";
export const INVENTORY_TOKEN = "outlet-inventory-test-token";

function tokenFile(entry: Record<string, unknown>, token: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "herald-outlet-tokens-")), "tokens.json");
  const sha256 = createHash("sha256").update(token, "utf8").digest("hex");
  writeFileSync(path, JSON.stringify({ tokens: [{ ...entry, sha256 }] }), { mode: 0o600 });
  return path;
}

export async function startTestGateway(options: {
  brokers: readonly string[];
  mongoUrl: string;
  topicPrefix: string;
  dbName: string;
  groupPrefix: string;
  env?: Record<string, string>;
}): Promise<OutletGatewayService> {
  const config = loadConfig(outletGatewayEnv, {
    KAFKA_BROKERS: options.brokers.join(","),
    MONGO_URL: options.mongoUrl,
    HERALD_TOPIC_PREFIX: options.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "3",
    OUTLET_DB: options.dbName,
    OUTLET_GRPC_PORT: "0",
    OUTLET_HTTP_PORT: "0",
    OUTLET_GROUP_PREFIX: options.groupPrefix,
    OUTLET_ADMIN_TOKENS_FILE: tokenFile({ name: "test-admin", roles: ["admin"] }, ADMIN_TOKEN),
    OUTLET_INVENTORY_TOKENS_FILE: tokenFile({ name: "test-auditor" }, INVENTORY_TOKEN),
    OUTLET_ACK_DEADLINE_MS: "2000",
    OUTLET_HEARTBEAT_MS: "500",
    OUTLET_RETRY_INITIAL_MS: "200",
    OUTLET_RETRY_MAX_MS: "1000",
    OUTLET_IDLE_LEAVE_MS: "0",
    OUTLET_REGISTRY_POLL_MS: "500",
    OUTLET_INVENTORY_TIMEOUT_MS: "3000",
    LOG_LEVEL: "silent",
    ...options.env,
  });
  return startOutletGateway(
    config,
    createLogger({ service: "outlet-gateway", level: config.LOG_LEVEL }),
  );
}

/** Calls the admin API with the test's admin token. */
export async function admin<T = Record<string, unknown>>(
  gateway: OutletGatewayService,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`http://127.0.0.1:${gateway.httpPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}
