import { env, kafkaEnv, mongoEnv, processEnv } from "@herald/runtime";

/** Everything the outlet gateway reads from its environment, one line per variable. */
export const outletGatewayEnv = {
  ...kafkaEnv,
  ...mongoEnv,
  ...processEnv,
  /** The gateway's own database: registrations and each outlet's results. */
  OUTLET_DB: env.identifier().default("herald_outlet_gateway").describe("database name"),
  /** The OutletGateway and ChannelInventory gRPC services. */
  OUTLET_GRPC_PORT: env.port().default(50060).describe("gRPC port"),
  OUTLET_GRPC_HOST: env.string().default("127.0.0.1").describe("gRPC bind address"),
  /** Host auditors and outlets dial (the announcement's inventory_address); default: the bind host. */
  OUTLET_ADVERTISED_HOST: env.string().optional().describe("advertised host"),
  /** Health (/livez, /readyz), /metrics and the admin API. */
  OUTLET_HTTP_PORT: env.port().default(4700).describe("HTTP port"),
  OUTLET_HTTP_HOST: env.string().default("127.0.0.1").describe("HTTP bind address"),
  /** JSON file `{"tokens":[{"name":…,"roles":["admin"],"sha256":…}]}` of who may manage outlets. */
  OUTLET_ADMIN_TOKENS_FILE: env.string().describe("admin token file"),
  /** JSON file `{"tokens":[{"name":…,"sha256":…}]}` of auditors that may call ListHoldings. */
  OUTLET_INVENTORY_TOKENS_FILE: env.string().describe("inventory token file"),
  /** Prefix of each outlet's consumer group: `<prefix><outlet name>`. */
  OUTLET_GROUP_PREFIX: env.identifier().default("herald-outlet-").describe("group prefix"),
  /** How long an outlet has to answer a delivery before it is sent again. */
  OUTLET_ACK_DEADLINE_MS: env.int({ min: 100, max: 3_600_000 }).default(30_000).describe("ms"),
  /** How often both sides send a heartbeat; three missed ones end the stream. */
  OUTLET_HEARTBEAT_MS: env.int({ min: 50, max: 600_000 }).default(10_000).describe("ms"),
  /** The most deliveries one stream may have in flight, whatever its credit says. */
  OUTLET_MAX_IN_FLIGHT: env.int({ min: 1, max: 10_000 }).default(1000).describe("deliveries"),
  /** First wait before a delivery returns after its deadline or a retryable failure; doubles, with jitter. */
  OUTLET_RETRY_INITIAL_MS: env.int({ min: 10, max: 3_600_000 }).default(1000).describe("ms"),
  OUTLET_RETRY_MAX_MS: env.int({ min: 10, max: 86_400_000 }).default(60_000).describe("ms"),
  /** Items of one outlet held in memory (pending or in flight) before reading Kafka pauses. */
  OUTLET_MAX_PENDING: env.int({ min: 10, max: 1_000_000 }).default(5000).describe("items"),
  /**
   * How long the broker waits for a silent gateway before giving its outlets' partitions
   * to another: the pause a killed gateway costs its outlets (at least the broker's
   * group.min.session.timeout.ms, 6 s by default).
   */
  OUTLET_SESSION_TIMEOUT_MS: env.int({ min: 1000, max: 600_000 }).default(30_000).describe("ms"),
  /** How long a gateway stays in an outlet's group after its last instance left. */
  OUTLET_IDLE_LEAVE_MS: env.int({ min: 0, max: 3_600_000 }).default(5000).describe("ms"),
  /** How often registrations are re-read, so a revoke or rotation on another gateway cuts streams here. */
  OUTLET_REGISTRY_POLL_MS: env.int({ min: 100, max: 600_000 }).default(5000).describe("ms"),
  /** How long an outlet has to answer one inventory page before the audit reports it unreachable. */
  OUTLET_INVENTORY_TIMEOUT_MS: env.int({ min: 100, max: 600_000 }).default(30_000).describe("ms"),
  /** Instances of one outlet connected to this gateway at most. */
  OUTLET_MAX_INSTANCES: env.int({ min: 1, max: 1000 }).default(32).describe("instances"),
  /** host:port of the content service's gRPC: redelivery requests for outlets read current states there. */
  OUTLET_CONTENT_GRPC: env.string().optional().describe("content service gRPC address"),
  /** File holding a content-service token of role `channel`; required with OUTLET_CONTENT_GRPC. */
  OUTLET_CONTENT_TOKEN_FILE: env.string().optional().describe("content token file"),
  /** This gateway's name in announcements and logs (default: host and pid). */
  OUTLET_INSTANCE: env.identifier().optional().describe("instance name"),
};
