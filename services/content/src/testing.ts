/**
 * Test support shared with other packages' tests (`@herald/content/testing`): a
 * content service in process, on free ports, with a token file of given users.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Logger, tokenFileOf, writeTokenFile } from "@herald/runtime";
import { contentEnv } from "./config";
import type { Kind, Role } from "./domain/item";
import type { RelayFaults } from "./outbox/relay";
import { type ContentService, startContentService } from "./service";

export interface TestUser {
  roles: Role[];
  kinds?: Kind[];
  token: string;
}

export interface TestContentOptions {
  brokers: readonly string[];
  mongoUrl: string;
  topicPrefix: string;
  dbName: string;
  users: Record<string, TestUser>;
  logger: Logger;
  /** More environment, e.g. `CONTENT_RELAY_LEASE_MS`. */
  env?: Record<string, string>;
  /** The service's clock, for expectations that depend on the date. */
  now?: () => Date;
  /** Faults put in the outbox relay's way. */
  relayFaults?: RelayFaults;
}

/** Writes a token file (mode 0600) for `users` into a new temporary folder. */
export function writeTestTokenFile(users: Record<string, TestUser>): string {
  const path = join(mkdtempSync(join(tmpdir(), "herald-content-tokens-")), "tokens.json");
  writeTokenFile(path, tokenFileOf(users));
  return path;
}

/** Starts a content service for a test: free ports, quick relay and scheduler polls, silent. */
export function startTestContentService(options: TestContentOptions): Promise<ContentService> {
  const config = loadConfig(contentEnv, {
    KAFKA_BROKERS: options.brokers.join(","),
    MONGO_URL: options.mongoUrl,
    HERALD_TOPIC_PREFIX: options.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "3",
    CONTENT_DB: options.dbName,
    CONTENT_HTTP_PORT: "0",
    CONTENT_GRPC_PORT: "0",
    CONTENT_TOKENS_FILE: writeTestTokenFile(options.users),
    CONTENT_RELAY_POLL_MS: "100",
    CONTENT_SCHEDULER_INTERVAL_MS: "100",
    LOG_LEVEL: "silent",
    ...options.env,
  });
  return startContentService(config, options.logger, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.relayFaults ? { relayFaults: options.relayFaults } : {}),
  });
}
