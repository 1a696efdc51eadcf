import { env, kafkaEnv, mongoEnv, processEnv } from "@herald/runtime";

/** Everything the reconciler reads from its environment, one line per variable. */
export const reconcilerEnv = {
  ...kafkaEnv,
  ...mongoEnv,
  ...processEnv,
  /** The consumer group that reads receipts (its offsets are where a restart resumes). */
  RECONCILER_GROUP: env.identifier().default("herald-reconciler").describe("consumer group"),
  /** The reconciler's own database. */
  RECONCILER_DB: env.identifier().default("herald_reconciler").describe("database name"),
  /** The HTTP API and the operators' dashboard. */
  RECONCILER_HTTP_PORT: env.port().default(4500).describe("HTTP port"),
  RECONCILER_HTTP_HOST: env.string().default("127.0.0.1").describe("HTTP bind address"),
  /** The gRPC Reconciler service. */
  RECONCILER_GRPC_PORT: env.port().default(50070).describe("gRPC port"),
  RECONCILER_GRPC_HOST: env.string().default("127.0.0.1").describe("gRPC bind address"),
  /** JSON file `{"tokens":[{"name":…,"roles":["operator"],"sha256":…}]}` of who may operate. */
  RECONCILER_TOKENS_FILE: env.string().describe("operator token file"),
  /** Key that signs dashboard sessions (at least 32 characters); unset makes one per start. */
  RECONCILER_SESSION_SECRET_FILE: env.string().optional().describe("session secret file"),
  /**
   * Reverse proxies believed about the client's address (sign-in throttling)
   * and TLS (Secure cookies): off (default), a number of hops, or addresses,
   * subnets and loopback/linklocal/uniquelocal, comma-separated.
   */
  RECONCILER_TRUST_PROXY: env.string().default("").describe("off, hops, or proxy addresses"),
  /** File holding the bearer token the channels' ChannelInventory accepts. */
  RECONCILER_INVENTORY_TOKEN_FILE: env.string().describe("inventory token file"),
  /**
   * Channels that must exist even before they announce themselves, as
   * `name` or `name=host:port` (inventory address), comma-separated.
   */
  RECONCILER_CHANNELS: env.string().default("").describe("expected channels"),
  /** How often every channel is audited. */
  RECONCILER_AUDIT_INTERVAL_MS: env
    .int({ min: 1000, max: 86_400_000 })
    .default(60_000)
    .describe("milliseconds"),
  /** Holdings asked for per ListHoldings page. */
  RECONCILER_AUDIT_PAGE_SIZE: env.int({ min: 1, max: 5000 }).default(2000).describe("holdings"),
  /** How long a channel may take to hold a new version before it counts as a finding. */
  RECONCILER_GRACE_MS: env
    .int({ min: 0, max: 86_400_000 })
    .default(30_000)
    .describe("milliseconds"),
  /** First wait between redeliveries of one finding; doubles each time, with jitter. */
  RECONCILER_REPAIR_INITIAL_MS: env
    .int({ min: 100, max: 86_400_000 })
    .default(30_000)
    .describe("milliseconds"),
  RECONCILER_REPAIR_MAX_MS: env
    .int({ min: 100, max: 604_800_000 })
    .default(1_800_000)
    .describe("milliseconds"),
  /** Redeliveries of one finding before it becomes a problem for an operator. */
  RECONCILER_REPAIR_CAP: env.int({ min: 0, max: 100 }).default(5).describe("attempts"),
  /** Redeliveries asked of one channel per pass at most, so a lagging channel is not flooded. */
  RECONCILER_REPAIR_BATCH: env.int({ min: 1, max: 100_000 }).default(500).describe("requests"),
  /** How often findings are evaluated and repairs sent between audits. */
  RECONCILER_EVALUATE_INTERVAL_MS: env
    .int({ min: 100, max: 600_000 })
    .default(5000)
    .describe("milliseconds"),
  /**
   * Ledger writes queued at most: beyond it the reconciler stops reading the
   * topics until the database has taken them (backpressure, not growth).
   */
  RECONCILER_LEDGER_MAX_PENDING: env
    .int({ min: 10, max: 10_000_000 })
    .default(20_000)
    .describe("queued writes"),
  /** This instance's name among the reconcilers sharing a database (default: host and pid). */
  RECONCILER_INSTANCE: env.identifier().optional().describe("instance name"),
  /** How long the leader's lease lasts unrenewed: a killed leader's successor waits this long at most. */
  RECONCILER_LEASE_TTL_MS: env
    .int({ min: 1000, max: 600_000 })
    .default(5000)
    .describe("milliseconds"),
  /** How often the leader renews its lease and a standby tries to take it. */
  RECONCILER_LEASE_RENEW_MS: env
    .int({ min: 100, max: 60_000 })
    .default(1000)
    .describe("milliseconds"),
  /**
   * The content service's gRPC address (host:port): watched with ListAnnouncements
   * so a version it accepted but never put on herald.items.v1 is found. Unset: not watched.
   */
  RECONCILER_CONTENT_ADDRESS: env.string().optional().describe("host:port"),
  /** File holding a content-service token of role `channel` (read-only). */
  RECONCILER_CONTENT_TOKEN_FILE: env.string().optional().describe("content token file"),
  /** How often ListAnnouncements is asked. */
  RECONCILER_ANNOUNCE_POLL_MS: env
    .int({ min: 100, max: 3_600_000 })
    .default(10_000)
    .describe("milliseconds"),
  /** How long after acceptance a version may take to reach herald.items.v1. */
  RECONCILER_ANNOUNCE_GRACE_MS: env
    .int({ min: 0, max: 86_400_000 })
    .default(30_000)
    .describe("milliseconds"),
  /** JSON file of calendar additions and corrections (see @herald/calendar). */
  HERALD_CALENDAR_FILE: env.string().optional().describe("calendar overrides file"),
};
