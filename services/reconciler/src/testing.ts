/**
 * Test support shared with other packages' tests (`@herald/reconciler/testing`):
 * a reconciler in process, on free ports, with an operator token of its own.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Logger, loadConfig, tokenFileOf, writeTokenFile } from "@herald/runtime";
import { reconcilerEnv } from "./config";
import { type ReconcilerService, type StartReconcilerOptions, startReconciler } from "./service";

export const TEST_OPERATOR_TOKEN = "test-operator-token";

export interface TestReconcilerOptions extends StartReconcilerOptions {
  brokers: readonly string[];
  mongoUrl: string;
  topicPrefix: string;
  dbName: string;
  /** The receipts' consumer group: unique per test file. */
  groupId: string;
  /** The token the channels' inventories accept. */
  inventoryToken: string;
  logger: Logger;
  /** More environment, e.g. `RECONCILER_REPAIR_CAP`. */
  env?: Record<string, string>;
}

function writeTemp(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "herald-reconciler-")), name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** Writes an operator token file naming each user with the operator role. */
export function writeOperatorTokenFile(tokens: Record<string, string>): string {
  const path = join(mkdtempSync(join(tmpdir(), "herald-reconciler-")), "operators.json");
  writeTokenFile(
    path,
    tokenFileOf(
      Object.fromEntries(
        Object.entries(tokens).map(([name, token]) => [name, { token, roles: ["operator"] }]),
      ),
    ),
  );
  return path;
}

/**
 * The environment of a test reconciler: free ports, audits only when asked (the
 * test calls `actions.runAudit()` or `tick()`), no grace period and quick
 * repairs. A test that runs the reconciler as a process of its own uses it too.
 */
export function testReconcilerEnv(
  options: Omit<TestReconcilerOptions, "logger" | "now" | "random">,
): Record<string, string> {
  return {
    KAFKA_BROKERS: options.brokers.join(","),
    MONGO_URL: options.mongoUrl,
    HERALD_TOPIC_PREFIX: options.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "3",
    RECONCILER_DB: options.dbName,
    RECONCILER_GROUP: options.groupId,
    RECONCILER_HTTP_PORT: "0",
    RECONCILER_GRPC_PORT: "0",
    RECONCILER_TOKENS_FILE: writeOperatorTokenFile({ "test-operator": TEST_OPERATOR_TOKEN }),
    RECONCILER_INVENTORY_TOKEN_FILE: writeTemp("inventory-token", options.inventoryToken),
    RECONCILER_AUDIT_INTERVAL_MS: "86400000",
    RECONCILER_EVALUATE_INTERVAL_MS: "200",
    RECONCILER_GRACE_MS: "0",
    RECONCILER_REPAIR_INITIAL_MS: "200",
    RECONCILER_REPAIR_MAX_MS: "1000",
    LOG_LEVEL: "silent",
    ...options.env,
  };
}

/** Starts a reconciler for a test in this process, with `testReconcilerEnv`. */
export function startTestReconciler(options: TestReconcilerOptions): Promise<ReconcilerService> {
  const config = loadConfig(reconcilerEnv, testReconcilerEnv(options));
  const { now, random } = options;
  return startReconciler(config, options.logger, {
    ...(now ? { now } : {}),
    ...(random ? { random } : {}),
  });
}
