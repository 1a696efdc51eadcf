import { hostname } from "node:os";
import { env, kafkaEnv, mongoEnv, processEnv } from "@herald/runtime";
import { z } from "zod";
import { KINDS } from "./domain/item";

const kindList = z.string().transform((value, ctx) => {
  const kinds = value
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
  if (unknown.length) {
    ctx.addIssue({
      code: "custom",
      message: `unknown kind(s) ${unknown.join(", ")}; kinds are ${KINDS.join(", ")}`,
    });
    return z.NEVER;
  }
  return kinds as (typeof KINDS)[number][];
});

/** A comma-separated list of host names, lower-cased. */
const hostList = z.string().transform((value, ctx) => {
  const hosts = value
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const bad = hosts.filter(
    (h) => !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(h),
  );
  if (bad.length) {
    ctx.addIssue({ code: "custom", message: `not host names: ${bad.join(", ")}` });
    return z.NEVER;
  }
  return hosts;
});

/** Everything the content service reads from its environment, one line per variable. */
export const contentEnv = {
  ...kafkaEnv,
  ...mongoEnv,
  ...processEnv,
  /** The service's own database. */
  CONTENT_DB: env.identifier().default("herald_content").describe("database name"),
  /** Editors' HTTP API. */
  CONTENT_HTTP_PORT: env.port().default(4000).describe("HTTP API port"),
  CONTENT_HTTP_HOST: env.string().default("127.0.0.1").describe("HTTP API bind address"),
  /** gRPC ContentService for upstream systems and channels. */
  CONTENT_GRPC_PORT: env.port().default(50051).describe("gRPC port"),
  CONTENT_GRPC_HOST: env.string().default("127.0.0.1").describe("gRPC bind address"),
  /** PEM files for gRPC over TLS; without them gRPC is plaintext (local use only). */
  CONTENT_GRPC_TLS_CERT: env.string().optional().describe("gRPC TLS certificate (PEM file)"),
  CONTENT_GRPC_TLS_KEY: env.string().optional().describe("gRPC TLS private key (PEM file)"),
  /** JSON file of token hashes and roles (see services/content/README.md). */
  CONTENT_TOKENS_FILE: env.string().describe("path to the token file"),
  /** Kinds exempt from the four-eyes rule (comma-separated); by default every kind needs a second person. */
  CONTENT_FOUR_EYES_EXEMPT: kindList.default([]).describe("kinds without four-eyes review"),
  /** Hosts a body's images may come from (comma-separated); by default none, so bodies carry no images. */
  CONTENT_IMAGE_HOSTS: hostList.default([]).describe("allowed image hosts"),
  /** Default interval of the periodic review of undisclosed items. */
  CONTENT_REVIEW_INTERVAL_DAYS: env.int({ min: 1, max: 3650 }).default(365).describe("days"),
  /** How often the outbox is scanned for events from other instances or before a crash. */
  CONTENT_RELAY_POLL_MS: env.int({ min: 10, max: 60_000 }).default(500).describe("milliseconds"),
  CONTENT_RELAY_BATCH: env.int({ min: 1, max: 10_000 }).default(500).describe("revisions per pass"),
  /** When the relay first tries a set-aside item again on its own; doubled after each failure, up to 16 times. */
  CONTENT_RELAY_RETRY_MS: env
    .int({ min: 100, max: 3_600_000 })
    .default(120_000)
    .describe("milliseconds"),
  CONTENT_RELAY_LEASE_MS: env
    .int({ min: 1000, max: 600_000 })
    .default(10_000)
    .describe("milliseconds"),
  /** How often scheduled publications and expiries are checked. */
  CONTENT_SCHEDULER_INTERVAL_MS: env
    .int({ min: 50, max: 600_000 })
    .default(1000)
    .describe("milliseconds"),
  /** How often the due index checks (one read by _id) whether other instances scheduled something. */
  CONTENT_SCHEDULER_RELOAD_MS: env
    .int({ min: 100, max: 3_600_000 })
    .default(10_000)
    .describe("milliseconds"),
  /** Names this instance in the relay lease and logs. */
  CONTENT_INSTANCE_ID: env
    .identifier()
    .default(`${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, "-"))
    .describe("instance id"),
  /** A JSON file adding or correcting holiday years (see packages/calendar/README.md). */
  HERALD_CALENDAR_FILE: env.string().optional().describe("calendar overrides file"),
  /** Deadline rules (working days, or hours for urgent items). */
  CONTENT_DEADLINE_INTERPRETATION_DAYS: env
    .int({ min: 0, max: 365 })
    .default(3)
    .describe("working days"),
  CONTENT_DEADLINE_DECISION_DAYS: env.int({ min: 0, max: 365 }).default(7).describe("working days"),
  CONTENT_DEADLINE_PROACTIVE_DAYS: env
    .int({ min: 0, max: 365 })
    .default(20)
    .describe("working days"),
  CONTENT_DEADLINE_REVOKED_PENALTY_DAYS: env
    .int({ min: 0, max: 365 })
    .default(3)
    .describe("working days"),
  CONTENT_DEADLINE_URGENT_HOURS: env.int({ min: 1, max: 720 }).default(5).describe("hours"),
};
