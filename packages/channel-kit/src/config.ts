import { hostname } from "node:os";
import { type ConfigOf, env, kafkaEnv, mongoEnv, processEnv } from "@herald/runtime";

/**
 * What every channel process reads from its environment, one line per variable.
 * A channel service spreads this into its own schema and adds its own variables.
 */
export const channelEnv = {
  ...kafkaEnv,
  ...mongoEnv,
  ...processEnv,
  /** The channel's own database; default `herald_<channel>`. */
  CHANNEL_DB: env.identifier().optional().describe("database name"),
  /** The consumer group of the item stream; default `herald-<channel>`. Instances of one channel share it. */
  CHANNEL_GROUP: env.identifier().optional().describe("consumer group"),
  /** Names this instance in logs and in its peer-sync group. */
  CHANNEL_INSTANCE_ID: env
    .identifier()
    .default(`${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, "-"))
    .describe("instance id"),
  /** gRPC ChannelInventory for the reconciler's audits. */
  CHANNEL_INVENTORY_PORT: env.port().describe("ChannelInventory gRPC port"),
  CHANNEL_INVENTORY_HOST: env
    .string()
    .default("127.0.0.1")
    .describe("ChannelInventory bind address"),
  /** Host the reconciler dials for this instance's inventory, as announced on herald.channels.v1; default the bind address, or 127.0.0.1 when that is 0.0.0.0 or ::. */
  CHANNEL_INVENTORY_ADVERTISED_HOST: env
    .string()
    .optional()
    .describe("ChannelInventory host to announce"),
  /** JSON file `{"tokens":[{"name":…,"sha256":…}]}` of who may call ListHoldings. */
  CHANNEL_INVENTORY_TOKENS_FILE: env.string().describe("inventory token file"),
  /** host:port of the content service's gRPC, where redeliveries fetch the current state. */
  CHANNEL_CONTENT_GRPC: env.string().optional().describe("content service gRPC address"),
  /** File holding the channel's content-service token (role `channel`). */
  CHANNEL_CONTENT_TOKEN_FILE: env.string().optional().describe("content token file"),
  /** Messages applied and committed together. */
  CHANNEL_CHUNK_SIZE: env.int({ min: 1, max: 10_000 }).default(200).describe("messages"),
  /** Items of one chunk applied at once. */
  CHANNEL_APPLY_CONCURRENCY: env.int({ min: 1, max: 256 }).default(8).describe("items"),
  /** Attempts in place before an item waits for a deferred retry. */
  CHANNEL_RETRY_INLINE: env.int({ min: 1, max: 10 }).default(3).describe("attempts"),
  /** Deferred retries before an item is left to the reconciler's redelivery. */
  CHANNEL_RETRY_DEFERRED: env.int({ min: 0, max: 100 }).default(8).describe("attempts"),
  /** Items waiting for a deferred retry at once; one more gets none and is left to the reconciler's redelivery. */
  CHANNEL_RETRY_MAX_PENDING: env.int({ min: 1, max: 1_000_000 }).default(1000).describe("items"),
  /** Items being applied (or queued behind one of their own) at once; applies of other items wait. */
  CHANNEL_APPLY_MAX_IN_FLIGHT: env.int({ min: 1, max: 10_000 }).default(64).describe("items"),
  /** Inventory listings kept for paging at once; one more drops the oldest. */
  CHANNEL_INVENTORY_SNAPSHOTS: env.int({ min: 1, max: 100 }).default(4).describe("listings"),
  /** How long a kept inventory listing serves its next pages. */
  CHANNEL_INVENTORY_SNAPSHOT_MS: env
    .int({ min: 1000, max: 3_600_000 })
    .default(600_000)
    .describe("milliseconds"),
  CHANNEL_RETRY_INITIAL_MS: env
    .int({ min: 1, max: 600_000 })
    .default(1000)
    .describe("milliseconds"),
  CHANNEL_RETRY_MAX_MS: env
    .int({ min: 1, max: 3_600_000 })
    .default(60_000)
    .describe("milliseconds"),
  /** Not ready when there is lag and nothing was applied for this long. */
  CHANNEL_STALL_MS: env.int({ min: 1000, max: 3_600_000 }).default(60_000).describe("milliseconds"),
  /** How often the lag of the item stream is measured. */
  CHANNEL_LAG_INTERVAL_MS: env
    .int({ min: 100, max: 600_000 })
    .default(5000)
    .describe("milliseconds"),
  CHANNEL_SESSION_TIMEOUT_MS: env
    .int({ min: 6000, max: 300_000 })
    .default(30_000)
    .describe("milliseconds"),
};

export type ChannelConfig = ConfigOf<typeof channelEnv>;
