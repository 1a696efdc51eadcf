/**
 * The channel runtime's bounds, driven on the real stack: a channel on
 * `@herald/channel-kit` in this process, with an adapter the benchmark switches
 * between answering, failing (a platform that is down) and hanging (a platform
 * that does not answer).
 */
import * as grpc from "@grpc/grpc-js";
import {
  ChannelInventoryClient,
  DeliveryOutcome,
  type ListHoldingsResponse,
  Topics,
} from "@herald/contracts";
import { type ChannelRuntime, channelEnv, startChannel } from "@herald/channel-kit";
import { itemState, testChannelEnv, writeInventoryTokenFile } from "@herald/channel-kit/testing";
import { type HeraldProducer, type Logger, loadConfig, topicName } from "@herald/runtime";
import { waitFor } from "@herald/test-harness";
import type { Kafka } from "kafkajs";
import { BenchPlatform, CHANNEL } from "./bounds-platform";
import { type BoundSpec, metricOf, watchHighest } from "./bounds-rounds";

export interface ChannelBench {
  runtime: ChannelRuntime;
  /** What the channel's inventory accepts. */
  inventoryToken: string;
  bounds: BoundSpec[];
  stop: () => Promise<void>;
}

export interface ChannelBenchOptions {
  kafka: Kafka;
  brokers: readonly string[];
  mongoUrl: string;
  prefix: string;
  dbName: string;
  producer: HeraldProducer;
  logger: Logger;
  /** Items past the retry queue's limit each round. */
  overflow: number;
}

const ids = (tag: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${tag}-${String(i).padStart(5, "0")}`);

export async function startChannelBench(options: ChannelBenchOptions): Promise<ChannelBench> {
  const { kafka, producer, prefix } = options;
  const token = "bounds-bench-inventory";
  const group = `${prefix}channel`;
  const platform = new BenchPlatform();
  const config = loadConfig(channelEnv, {
    ...testChannelEnv({
      brokers: options.brokers,
      mongoUrl: options.mongoUrl,
      topicPrefix: prefix,
      dbName: options.dbName,
      inventoryTokensFile: writeInventoryTokenFile({ reconciler: token }),
    }),
    CHANNEL_GROUP: group,
    CHANNEL_INSTANCE_ID: "bounds-bench",
    // One attempt in place, and deferred retries far enough off that the queue stays full.
    CHANNEL_RETRY_INLINE: "1",
    CHANNEL_RETRY_INITIAL_MS: "600000",
    CHANNEL_RETRY_MAX_MS: "3600000",
    // A chunk applies more at once than the in-flight limit lets through: the burst it bounds.
    CHANNEL_APPLY_CONCURRENCY: "128",
  });
  const runtime = await startChannel({ adapter: platform, config, logger: options.logger });
  await waitFor(() => runtime.ready().ok, { timeoutMs: 60_000, description: "the channel ready" });
  const gauge = (name: string) => metricOf(runtime.metricsText(), `herald_channel_${name}`);
  const admin = kafka.admin();
  await admin.connect();
  const itemsTopic = topicName(Topics.items, prefix);

  /** Every item produced so far is applied and committed by the channel's group. */
  const caughtUp = async () => {
    const ends = await admin.fetchTopicOffsets(itemsTopic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [itemsTopic] });
    const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.every((e) => (at.get(e.partition) ?? -1) >= Number(e.high));
  };
  const produce = async (itemIds: readonly string[], version: number) => {
    for (let i = 0; i < itemIds.length; i += 500) {
      await producer.send(
        Topics.items,
        itemIds.slice(i, i + 500).map((id) => ({ key: id, value: itemState(id, version) })),
      );
    }
  };
  const settle = (description: string) =>
    waitFor(caughtUp, { timeoutMs: 180_000, intervalMs: 200, description });

  const retryLimit = config.CHANNEL_RETRY_MAX_PENDING;
  const failing = ids("down", retryLimit + options.overflow);
  const retries: BoundSpec = {
    name: "channel retry queue",
    gaugeName: "herald_channel_retries_pending",
    limitOf: "items waiting for a retry",
    limit: retryLimit,
    behaviour: `the platform is down for ${failing.length} items a round: ${retryLimit} wait for a deferred retry, the others are shed (FAILED receipt kept, retries_shed_total)`,
    async round(round) {
      platform.mode = "down";
      const shedBefore = gauge("retries_shed_total");
      const watch = watchHighest(() => gauge("retries_pending"));
      await produce(failing, round + 1);
      await settle("the failing items read");
      const highest = watch.stop();
      const shed = gauge("retries_shed_total") - shedBefore;
      const pending = gauge("retries_pending");
      return {
        gauge: highest,
        observed: { pending, shed },
        ...(highest > retryLimit || pending !== retryLimit || shed < options.overflow
          ? { problem: `pending ${pending} (highest ${highest}), shed ${shed}` }
          : {}),
      };
    },
  };

  const inFlightLimit = config.CHANNEL_APPLY_MAX_IN_FLIGHT;
  const burst = ids("burst", inFlightLimit * 5);
  const inFlight: BoundSpec = {
    name: "channel applies in flight",
    gaugeName: "herald_channel_applies_in_flight",
    limitOf: "applies at once",
    limit: inFlightLimit,
    behaviour: `a hanging platform gets a burst of ${burst.length} items: ${inFlightLimit} applies run, the rest wait (applies_waiting), then all are applied`,
    async round(round) {
      platform.mode = "hang";
      await produce(burst, round + 1);
      const reached = await waitFor(
        () => gauge("applies_in_flight") >= inFlightLimit && gauge("applies_waiting") > 0,
        { timeoutMs: 60_000, description: "applies to reach their limit" },
      ).catch(() => false);
      const highest = gauge("applies_in_flight");
      const waiting = gauge("applies_waiting");
      platform.release();
      await settle("the burst applied");
      return {
        gauge: highest,
        observed: { waiting },
        ...(!reached || highest > inFlightLimit
          ? { problem: `in flight ${highest}, waiting ${waiting}` }
          : {}),
      };
    },
  };

  const snapshotLimit = config.CHANNEL_INVENTORY_SNAPSHOTS;
  const client = new ChannelInventoryClient(
    `127.0.0.1:${runtime.inventoryPort}`,
    grpc.credentials.createInsecure(),
  );
  const list = (pageToken: string) =>
    new Promise<ListHoldingsResponse>((resolve, reject) => {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${token}`);
      client.listHoldings({ outletId: "", pageSize: 100, pageToken }, metadata, (error, page) =>
        error ? reject(error) : resolve(page),
      );
    });
  const listings = snapshotLimit * 3;
  const snapshots: BoundSpec = {
    name: "channel inventory snapshots",
    gaugeName: "herald_channel_inventory_snapshots",
    limitOf: "listings kept",
    limit: snapshotLimit,
    behaviour: `${listings} listings a round: the ${snapshotLimit} newest are kept, an older one's next page is refused (FAILED_PRECONDITION)`,
    async round() {
      const tokens: string[] = [];
      for (let i = 0; i < listings; i += 1) tokens.push((await list("")).nextPageToken);
      const kept = gauge("inventory_snapshots");
      const holdings = gauge("inventory_snapshot_holdings");
      let refused = 0;
      let served = 0;
      for (const pageToken of tokens) {
        try {
          await list(pageToken);
          served += 1;
        } catch (error) {
          if ((error as grpc.ServiceError).code !== grpc.status.FAILED_PRECONDITION) throw error;
          refused += 1;
        }
      }
      return {
        gauge: kept,
        observed: { holdings, served, refused },
        ...(kept !== snapshotLimit || served !== snapshotLimit || refused !== listings - kept
          ? { problem: `kept ${kept}, served ${served}, refused ${refused}` }
          : {}),
      };
    },
  };

  const peerReceipts = (retryLimit + options.overflow) * 2;
  const peers: BoundSpec = {
    name: "channel peer sync",
    gaugeName: "herald_channel_peer_sync_lag_messages",
    limitOf: "receipt in memory (the backlog stays in Kafka)",
    limit: 1,
    behaviour: `${peerReceipts} receipts of another instance a round, read one at a time: the backlog waits in Kafka (peer_sync_lag_messages), each holding is read by id`,
    async round(round) {
      const before = platform.restores;
      const watch = watchHighest(() => gauge("peer_sync_lag_messages"), 50);
      for (let i = 0; i < peerReceipts; i += 500) {
        await producer.send(
          Topics.receipts,
          Array.from({ length: Math.min(500, peerReceipts - i) }, (_, j) => {
            const itemId = failing[(i + j) % failing.length]!;
            return {
              key: `${CHANNEL}/${itemId}`,
              value: {
                itemId,
                // Newer than what this instance holds (10,000): it reads the holding again.
                version: 20_000 + round,
                channel: CHANNEL,
                outletId: "",
                outcome: DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
                checksum: "",
                externalRef: "",
                attempt: 1,
                at: new Date(),
              },
            };
          }),
        );
      }
      await waitFor(() => platform.restores - before >= peerReceipts, {
        timeoutMs: 180_000,
        intervalMs: 100,
        description: "peer sync to read every receipt",
      });
      // The lag is measured every CHANNEL_LAG_INTERVAL_MS: wait for a measure after the last read.
      await waitFor(() => gauge("peer_sync_lag_messages") === 0, {
        timeoutMs: 30_000,
        description: "peer sync lag back to 0",
      });
      const highest = watch.stop();
      return { gauge: highest, observed: { read: platform.restores - before } };
    },
  };

  /**
   * Holdings for the listings and for peer sync to read again: every failing item
   * applied at version 10,000 once the platform answers again. Once, before
   * whichever of the two runs first.
   */
  let prepared: Promise<void> | undefined;
  const prepareHoldings = () =>
    (prepared ??= (async () => {
      platform.release();
      await produce(failing, 10_000);
      await settle("the failed items applied");
    })());

  return {
    runtime,
    inventoryToken: token,
    bounds: [
      inFlight,
      retries,
      { ...snapshots, round: withFirst(prepareHoldings, snapshots) },
      { ...peers, round: withFirst(prepareHoldings, peers) },
    ],
    async stop() {
      platform.release();
      client.close();
      await admin.disconnect().catch(() => undefined);
      await runtime.stop();
    },
  };
}

/** Runs `first` once before the bound's first round. */
function withFirst(first: () => Promise<void>, spec: BoundSpec): BoundSpec["round"] {
  let done = false;
  return async (round) => {
    if (!done) {
      done = true;
      await first();
    }
    return spec.round(round);
  };
}
