import { ItemState, Topics } from "@herald/contracts";
import {
  type Logger,
  connectMongo,
  createKafkaClient,
  createProducer,
  topicName,
} from "@herald/runtime";
import type { ChannelAdapter } from "./adapter";
import {
  announcementOf,
  checkAnnounceable,
  inventoryAddress,
  sendAnnouncement,
} from "./announcement";
import { Applier } from "./applier";
import { ChannelConsumer } from "./channel-consumer";
import { contentSource, ensureChannelTopics } from "./channel-setup";
import { ConsumedOffsets } from "./consumed-offsets";
import {
  type ChannelReadiness,
  type ConsumingStatus,
  consumingMetrics,
  consumingStatus,
  readiness,
} from "./consuming";
import { sendReceipts } from "./receipts";
import type { ChannelConfig } from "./config";
import type { CurrentStateSource } from "./content-client";
import { DeadLetters } from "./dead-letters";
import { type Holding, HoldingStore } from "./holdings";
import { InventoryTokens, createInventoryService, startInventoryServer } from "./inventory";
import { type InventorySnapshotOptions, InventorySnapshots } from "./inventory-snapshots";
import { LagMonitor } from "./lag-monitor";
import { ChannelMetrics } from "./metrics";
import { PeerSync } from "./peer-sync";
import { createRedeliveryRouter } from "./redelivery-router";
import { RetryQueue } from "./retry-queue";

/** A running channel: what its service wires into health, metrics and shutdown. */
export interface ChannelRuntime {
  readonly channel: string;
  readonly inventoryPort: number;
  readonly metrics: ChannelMetrics;
  /** Every holding this instance knows, in item id order. */
  holdings(): readonly Holding[];
  /** Partitions of the item stream this instance applies now. */
  partitions(): number[];
  /**
   * For /readyz: ready for traffic once the holdings were loaded (the inventory and
   * what the channel serves are complete); stays ready while consuming lags, stalls
   * or fails, which `consuming` reports alongside (and in the detail).
   */
  ready(): ChannelReadiness;
  /** Whether the channel consumes normally: `normal`, `starting`, `stalled`, `failing` or `crashed`. */
  consuming(): ConsumingStatus;
  /** The Prometheus text of the channel's counters and lag. */
  metricsText(): string;
  /** Stops consuming (finishing the chunk in hand), then closes everything. */
  stop(): Promise<void>;
}

export interface StartChannelOptions {
  adapter: ChannelAdapter;
  config: ChannelConfig;
  logger: Logger;
  /** Where redeliveries fetch current states; default: a client built from the config. */
  content?: CurrentStateSource;
  /** How long and how many inventory listings are kept for paging; default from the config (10 minutes, 4). */
  inventorySnapshots?: InventorySnapshotOptions;
}

const OUTLET_ID = /^[a-z0-9][a-z0-9:-]{0,62}$/;

/** The name of a channel's own topics, groups and database: `<channel>-<outlet>` for one of several outlets. */
export function channelLane(channel: string, outletId = ""): string {
  if (outletId && !OUTLET_ID.test(outletId)) {
    throw new RangeError(
      `outlet id ${JSON.stringify(outletId)} must match ${OUTLET_ID.source} (lower-case letters, digits, dashes and colons)`,
    );
  }
  return outletId ? `${channel}-${outletId.replace(/:/g, "-")}` : channel;
}

/**
 * Starts a channel on the runtime: topics, database, the item stream and the
 * channel's redelivery queue, peer sync, lag, and the ChannelInventory server.
 */
export async function startChannel(options: StartChannelOptions): Promise<ChannelRuntime> {
  const { adapter, config, logger } = options;
  const channel = adapter.policy.name;
  // One of several outlets (policy.outletId) has its own consumer group, database,
  // redelivery queue and inventory; its receipts and announcement carry the outlet id.
  const outletId = adapter.policy.outletId ?? "";
  const lane = channelLane(channel, outletId);
  // Before anything starts: a policy the announcement cannot carry is refused.
  checkAnnounceable(adapter.policy);
  const log = logger.child(outletId ? { channel, outletId } : { channel });
  const prefix = config.HERALD_TOPIC_PREFIX;
  const groupId = config.CHANNEL_GROUP ?? `herald-${lane}`;
  const tokens = InventoryTokens.fromFile(config.CHANNEL_INVENTORY_TOKENS_FILE, log);
  const content = options.content ?? contentSource(config);
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    logger,
  });
  await ensureChannelTopics(kafka, lane, config, log);
  const connection = await connectMongo({
    url: config.MONGO_URL,
    dbName: config.CHANNEL_DB ?? `herald_${lane.replace(/-/g, "_")}`,
    logger: log,
    appName: `herald-${lane}`,
  });
  const holdings = new HoldingStore(connection, adapter.keepsContent ?? false);
  const metrics = new ChannelMetrics(channel, outletId);
  const producer = createProducer(kafka, {
    logger: log,
    ...(prefix ? { topicPrefix: prefix } : {}),
  });
  await producer.connect();
  const deadLetters = new DeadLetters(lane, producer);
  const applier = new Applier({
    adapter,
    holdings,
    metrics,
    logger: log,
    inlineAttempts: config.CHANNEL_RETRY_INLINE,
    maxInFlight: config.CHANNEL_APPLY_MAX_IN_FLIGHT,
  });
  const restore = (holding: Holding, state: ItemState | undefined) =>
    adapter.restore?.(holding, state);
  const retries = new RetryQueue({
    backoff: { initialMs: config.CHANNEL_RETRY_INITIAL_MS, maxMs: config.CHANNEL_RETRY_MAX_MS },
    maxAttempts: config.CHANNEL_RETRY_DEFERRED,
    maxPending: config.CHANNEL_RETRY_MAX_PENDING,
    run: async (state, attempt, partition) => {
      try {
        metrics.count("retried");
        const outcome = await applier.process(state, { source: "retry", attempt });
        const receipts: Parameters<ChannelConsumer["afterApply"]>[3] = [];
        await consumer.afterApply(outcome, state, partition, receipts, () =>
          deadLetters.send({
            topic: topicName(Topics.items, prefix),
            partition,
            offset: "",
            key: Buffer.from(state.id),
            value: Buffer.from(ItemState.encode(state).finish()),
            headers: {},
            reason: outcome.kind === "rejected" ? outcome.reason : outcome.kind,
          }),
        );
        await sendReceipts(producer, receipts, outletId);
      } catch (error) {
        log.warn({ err: error, itemId: state.id }, "deferred retry could not finish");
      }
    },
  });
  const consumer: ChannelConsumer = new ChannelConsumer({
    kafka,
    channel,
    lane,
    outletId,
    groupId,
    topicPrefix: prefix,
    applier,
    holdings,
    retries,
    deadLetters,
    producer,
    metrics,
    content,
    logger: log,
    chunkSize: config.CHANNEL_CHUNK_SIZE,
    concurrency: config.CHANNEL_APPLY_CONCURRENCY,
    sessionTimeoutMs: config.CHANNEL_SESSION_TIMEOUT_MS,
    restore,
    restored: () => adapter.restored?.(),
  });
  const router = createRedeliveryRouter({
    kafka,
    channel,
    lane,
    outletId,
    groupId: `${groupId}-redeliver`,
    topicPrefix: prefix,
    producer,
    deadLetters,
    metrics,
    logger: log,
  });
  const peers = new PeerSync({
    kafka,
    channel,
    outletId,
    instanceId: config.CHANNEL_INSTANCE_ID,
    groupPrefix: groupId,
    topicPrefix: prefix,
    holdings,
    ownPartitions: () => consumer.partitions(),
    onChange: restore,
    logger: log,
  });
  const lag = new LagMonitor({
    kafka,
    groupId,
    topic: topicName(Topics.items, prefix),
    intervalMs: config.CHANNEL_LAG_INTERVAL_MS,
    partitions: () => consumer.partitions(),
    report: (value) => metrics.setLag(value),
    logger: log,
  });
  // Peer sync handles one receipt at a time: when it falls behind, the backlog stays on
  // the receipts topic, not in memory. How far behind it is, is this gauge.
  let peerLag = 0;
  const peerLagMonitor = new LagMonitor({
    kafka,
    groupId: peers.groupId,
    topic: topicName(Topics.receipts, prefix),
    intervalMs: config.CHANNEL_LAG_INTERVAL_MS,
    report: (value) => {
      peerLag = [...value.values()].reduce((sum, v) => sum + v, 0);
    },
    logger: log,
  });
  const snapshots = new InventorySnapshots({
    max: config.CHANNEL_INVENTORY_SNAPSHOTS,
    lifetimeMs: config.CHANNEL_INVENTORY_SNAPSHOT_MS,
    ...options.inventorySnapshots,
  });
  const consuming = (): ConsumingStatus =>
    consumingStatus({
      consumer: consumer.state,
      consumerError: consumer.lastError,
      routerCrashed: router.status().state === "crashed",
      lag: metrics.lag(),
      idleMs: metrics.millisSinceProgress(),
      stallMs: config.CHANNEL_STALL_MS,
      lastFailure: metrics.lastFailure,
      lastSuccessAt: metrics.lastSuccessAt,
      retriesPending: retries.size,
      now: Date.now(),
    });
  const consumed = new ConsumedOffsets(kafka, groupId, topicName(Topics.items, prefix));
  const inventory = await startInventoryServer(
    createInventoryService({
      scan: () => holdings.scanDatabase(),
      consumed: () => consumed.read(),
      consuming,
      tokens,
      logger: log,
      snapshots,
    }),
    config.CHANNEL_INVENTORY_HOST,
    config.CHANNEL_INVENTORY_PORT,
  );
  // The inventory answers from the database, so the reconciler may audit at once.
  const address = inventoryAddress(
    config.CHANNEL_INVENTORY_HOST,
    config.CHANNEL_INVENTORY_ADVERTISED_HOST,
    inventory.port,
  );
  await sendAnnouncement(
    producer,
    announcementOf(adapter.policy, address, config.CHANNEL_INSTANCE_ID, new Date()),
  );
  // Where peer sync starts is fixed before anything is loaded; the groups then join together.
  await peers.prepare();
  await Promise.all([
    peers.start(),
    consumer.start(),
    router.start(),
    lag.start(),
    peerLagMonitor.start(),
  ]);
  log.info(
    { groupId, inventoryPort: inventory.port, inventoryAddress: address },
    "channel started",
  );

  return {
    channel,
    inventoryPort: inventory.port,
    metrics,
    holdings: () => holdings.sorted(),
    partitions: () => [...consumer.partitions()].sort((a, b) => a - b),
    ready: () => readiness(consumer.holdingsLoaded, consuming()),
    consuming,
    metricsText: () => {
      const applies = applier.inFlight();
      return (
        metrics.prometheus(
          {
            retries_pending: retries.size,
            retries_pending_limit: retries.limit,
            applies_in_flight: applies.items,
            applies_waiting: applies.waiting,
            applies_in_flight_limit: applies.limit,
            inventory_snapshots: snapshots.size,
            inventory_snapshots_limit: snapshots.max,
            inventory_snapshot_holdings: snapshots.holdings(),
            peer_sync_lag_messages: peerLag,
            ...prefixed(holdings.counts()),
          },
          { retries_shed: retries.shed },
        ) + consumingMetrics(metrics.label, consuming())
      );
    },
    async stop() {
      retries.stop();
      await lag.stop().catch(() => undefined);
      await peerLagMonitor.stop().catch(() => undefined);
      await Promise.all([router.stop(), consumer.stop(), peers.stop().catch(() => undefined)]);
      await new Promise<void>((resolve) => inventory.server.tryShutdown(() => resolve()));
      snapshots.clear();
      await consumed.stop().catch(() => undefined);
      content?.close();
      await producer.disconnect();
      await connection.close();
      log.info("channel stopped");
    },
  };
}

function prefixed(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`holdings_${k}`, v]));
}
