/**
 * Test support shared with channel services' tests (`@herald/channel-kit/testing`).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Writes an inventory token file (mode 0600) for `tokens` (name → token) into a new temporary folder. */
export function writeInventoryTokenFile(tokens: Record<string, string>): string {
  const file = {
    tokens: Object.entries(tokens).map(([name, token]) => ({
      name,
      sha256: createHash("sha256").update(token, "utf8").digest("hex"),
    })),
  };
  const path = join(mkdtempSync(join(tmpdir(), "herald-inventory-tokens-")), "tokens.json");
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
  return path;
}

/** Environment for a channel in a test: free ports, quick retries and lag checks. */
export function testChannelEnv(options: {
  brokers: readonly string[];
  mongoUrl: string;
  topicPrefix: string;
  dbName: string;
  inventoryTokensFile: string;
}): Record<string, string> {
  return {
    KAFKA_BROKERS: options.brokers.join(","),
    MONGO_URL: options.mongoUrl,
    HERALD_TOPIC_PREFIX: options.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "3",
    CHANNEL_DB: options.dbName,
    CHANNEL_INVENTORY_PORT: "0",
    CHANNEL_INVENTORY_TOKENS_FILE: options.inventoryTokensFile,
    CHANNEL_RETRY_INITIAL_MS: "200",
    CHANNEL_RETRY_MAX_MS: "1000",
    CHANNEL_LAG_INTERVAL_MS: "500",
    CHANNEL_SESSION_TIMEOUT_MS: "10000",
    LOG_LEVEL: "silent",
  };
}
