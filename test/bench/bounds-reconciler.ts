/**
 * The reconciler's bounds, driven on the real stack: a reconciler in this
 * process (`@herald/reconciler/testing`) on topics of its own, auditing the
 * benchmark's channel through its ChannelInventory.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { ChannelRuntime } from "@herald/channel-kit";
import { itemState } from "@herald/channel-kit/testing";
import { Topics } from "@herald/contracts";
import type { ReconcilerService } from "@herald/reconciler";
import { startTestReconciler } from "@herald/reconciler/testing";
import { type HeraldProducer, type Logger, createProducer, ensureTopics } from "@herald/runtime";
import { waitFor } from "@herald/test-harness";
import type { Kafka } from "kafkajs";
import type { MongoClient } from "mongodb";
import { type BoundSpec, metricOf, watchHighest } from "./bounds-rounds";
import { CHANNEL } from "./bounds-platform";

export interface ReconcilerBenchOptions {
  kafka: Kafka;
  brokers: readonly string[];
  mongo: MongoClient;
  mongoUrl: string;
  /** Topics of the reconciler's own: the ledger's receipts do not reach the channel. */
  prefix: string;
  dbName: string;
  groupId: string;
  /** The channel to audit, and the token its inventory accepts. */
  channel: ChannelRuntime;
  inventoryToken: string;
  /** RECONCILER_LEDGER_MAX_PENDING for the run. */
  ledgerBound: number;
  logger: Logger;
}

export interface ReconcilerBench {
  reconciler: ReconcilerService;
  bounds: BoundSpec[];
  stop: () => Promise<void>;
}

export async function startReconcilerBench(
  options: ReconcilerBenchOptions,
): Promise<ReconcilerBench> {
  const { kafka, prefix, ledgerBound } = options;
  const producer: HeraldProducer = createProducer(kafka, {
    logger: options.logger,
    topicPrefix: prefix,
  });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  // The reconciler creates its topics as it starts; the expected states go on before it does.
  await ensureTopics(admin, [Topics.items, Topics.receipts], { prefix, partitions: 3 });
  // What the channel holds is what the reconciler expects: its audits find it delivered.
  const held = options.channel.holdings();
  for (let i = 0; i < held.length; i += 500) {
    await producer.send(
      Topics.items,
      held.slice(i, i + 500).map((h) => ({ key: h.itemId, value: itemState(h.itemId, h.version) })),
    );
  }
  const reconciler = await startTestReconciler({
    brokers: options.brokers,
    mongoUrl: options.mongoUrl,
    topicPrefix: prefix,
    dbName: options.dbName,
    groupId: options.groupId,
    inventoryToken: options.inventoryToken,
    logger: options.logger,
    env: {
      RECONCILER_CHANNELS: `${CHANNEL}=127.0.0.1:${options.channel.inventoryPort}`,
      RECONCILER_LEDGER_MAX_PENDING: String(ledgerBound),
      // The ledger's receipts are of items it was never told of: no finding while the run lasts.
      RECONCILER_GRACE_MS: "3600000",
    },
  });
  const metric = (name: string) => metricOf(reconciler.metricsText(), `herald_reconciler_${name}`);
  await waitFor(() => metric("ledger_pending") >= 0, {
    timeoutMs: 60_000,
    description: "the reconciler to lead",
  });
  const items = options.mongo
    .db(options.dbName)
    .collection<{ _id: string; events?: unknown }>("items");
  // Two writes an item (its record and its "published" event): this many fill the ledger 1.5 times.
  const versions = Math.ceil(ledgerBound * 0.75);
  const ids = Array.from({ length: versions }, (_, i) => `ledger-${String(i).padStart(6, "0")}`);
  const poisoned = ids[0]!;
  /** Items the reconciler has read at `version`. */
  const readAt = (version: number) =>
    ids.filter((id) => reconciler.queries.itemStatus(id)?.version === version).length;

  const ledger: BoundSpec = {
    name: "reconciler ledger pending writes",
    gaugeName: "herald_reconciler_ledger_pending",
    limitOf: "queued writes (RECONCILER_LEDGER_MAX_PENDING)",
    limit: ledgerBound,
    behaviour: `the database refuses the ledger's writes while ${versions} item versions arrive: reading stops at the bound (ledger_full_waits_total) and the rest waits in Kafka; all are read once the database takes the writes`,
    async round(round) {
      const version = round + 1;
      // One timeline that cannot be written fails every flush with it: a refusing database.
      await items.updateOne(
        { _id: poisoned },
        { $set: { events: "not an array" } },
        { upsert: true },
      );
      const failuresBefore = metric("ledger_flush_failures_total");
      const waitsBefore = metric("ledger_full_waits_total");
      const watch = watchHighest(() => metric("ledger_pending"));
      for (let i = 0; i < ids.length; i += 500) {
        await producer.send(
          Topics.items,
          ids.slice(i, i + 500).map((id) => ({
            key: id,
            // Aimed at no channel that runs: the audits that follow find nothing owed.
            value: itemState(id, version, { targeting: { channels: ["elsewhere"] } }),
          })),
        );
      }
      const stopped = await waitFor(
        () =>
          metric("ledger_pending") >= ledgerBound &&
          metric("ledger_flush_failures_total") >= failuresBefore + 2,
        { timeoutMs: 120_000, description: "reading to stop at the ledger's bound" },
      ).catch(() => false);
      const unread = versions - readAt(version);
      await items.updateOne({ _id: poisoned }, { $unset: { events: "" } });
      await waitFor(() => readAt(version) === versions && metric("ledger_pending") === 0, {
        timeoutMs: 300_000,
        intervalMs: 250,
        description: "every version read and written",
      });
      const highest = watch.stop();
      const waits = metric("ledger_full_waits_total") - waitsBefore;
      return {
        gauge: highest,
        observed: { waits, unreadAtBound: unread },
        // An evaluation may add one event per (channel, item) pair above the bound (ADR 005):
        // the one channel times every item the reconciler knows. Only new pairs add one (warm-up).
        ...(!stopped || highest > ledgerBound + held.length + versions || waits < 1 || unread < 1
          ? { problem: `highest pending ${highest}, waits ${waits}, unread ${unread}` }
          : {}),
      };
    },
  };

  const asked = 10;
  const audits: BoundSpec = {
    name: "reconciler pending audits",
    gaugeName: "herald_reconciler_audits_queued",
    limitOf: "audit waiting",
    limit: 1,
    behaviour: `${asked} audits asked at once: one runs, one waits, the others join the waiting one (audits_joined_total)`,
    async round() {
      const joinedBefore = metric("audits_joined_total");
      let highest = 0;
      const reports: Promise<unknown>[] = [];
      for (let i = 0; i < asked; i += 1) {
        reports.push(reconciler.actions.runAudit([CHANNEL]));
        // Each request reaches the auditor after the ledger's room check.
        await yieldToLoop();
        highest = Math.max(highest, metric("audits_queued"));
      }
      await Promise.all(reports);
      const joined = metric("audits_joined_total") - joinedBefore;
      return {
        gauge: highest,
        observed: { joined, ran: asked - joined },
        ...(highest > 1 || joined < 1 ? { problem: `queued ${highest}, joined ${joined}` } : {}),
      };
    },
  };

  return {
    reconciler,
    bounds: [ledger, audits],
    async stop() {
      await items.updateOne({ _id: poisoned }, { $unset: { events: "" } }).catch(() => undefined);
      await reconciler.stop();
      await admin.disconnect().catch(() => undefined);
      await producer.disconnect();
    },
  };
}
