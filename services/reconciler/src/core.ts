import type { WorkingCalendar } from "@herald/calendar";
import type { Logger } from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { Connection } from "mongoose";
import { AnnouncementWatch } from "./announcements";
import { Auditor } from "./auditor";
import { ChannelRegistry, type ConfiguredChannel } from "./channels";
import type { reconcilerEnv } from "./config";
import { consumingMetrics } from "./consuming";
import { Engine } from "./engine";
import { FencedProducer } from "./fenced";
import type { Leadership } from "./leadership";
import { Ledger } from "./ledger";
import type { AuditReport, OperatorActions, ReconcilerQueries } from "./model";
import { Queries } from "./queries";
import { ReceiptReader } from "./receipts";
import { Repairer } from "./repairer";
import { Streams } from "./streams";
import type { ConfigOf } from "@herald/runtime";

export interface CoreDependencies {
  readonly config: ConfigOf<typeof reconcilerEnv>;
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly connection: Connection;
  readonly configured: readonly ConfiguredChannel[];
  readonly calendar: WorkingCalendar;
  readonly inventoryToken: string;
  /** The content service's token for ListAnnouncements, when it is watched. */
  readonly contentToken: string | undefined;
  readonly leadership: Leadership;
  readonly now: () => number;
  readonly random?: () => number;
  /** Called when Kafka says a newer leader exists: the core must stop. */
  readonly onFenced: (error: unknown) => void;
}

/** What the leader runs: the model, its evidence, repair and the operators' reads. */
export interface Core {
  readonly queries: ReconcilerQueries;
  readonly actions: OperatorActions;
  tick(): Promise<void>;
  ready(): { ok: boolean; detail: string };
  metricsText(): string;
  stop(): Promise<void>;
}

/**
 * Starts the leader's part, after this instance took a term: fences older
 * producers, reads the ledger as the last leader left it, reads the topics,
 * audits every channel, and then evaluates and repairs on a schedule.
 */
export async function startCore(deps: CoreDependencies): Promise<Core> {
  const { config, logger, kafka, connection, leadership, now } = deps;
  const topicPrefix = config.HERALD_TOPIC_PREFIX;
  // First of all: from here on, no older leader's redelivery or receipts commit lands.
  const producer = new FencedProducer(
    kafka,
    `${config.RECONCILER_GROUP}.leader`,
    topicPrefix,
    logger.child({ component: "fenced-producer" }),
    deps.onFenced,
  );
  await producer.connect();

  const ledger = new Ledger(connection.db!, logger.child({ component: "ledger" }), {
    maxPending: config.RECONCILER_LEDGER_MAX_PENDING,
    // Every command checks that this instance still leads: a deposed leader stops writing.
    fence: () => leadership.check(),
  });
  const joined = new Map((await ledger.loadChannels()).map((c) => [c.name, c.joinedAt.getTime()]));
  const registry = new ChannelRegistry(deps.configured, joined, now, (name, at) =>
    ledger.saveChannel({ name, joinedAt: new Date(at) }),
  );
  const engine = new Engine({
    channels: registry,
    ledger,
    calendar: deps.calendar,
    graceMs: config.RECONCILER_GRACE_MS,
    now,
  });
  const restored = await ledger.loadDeliveries((itemId, version, deliveries) =>
    engine.restore(itemId, version, deliveries),
  );
  const repairer = new Repairer({
    engine,
    ledger,
    logger: logger.child({ component: "repair" }),
    send: (requests) => producer.sendRedeliveries(requests),
    now,
    cap: config.RECONCILER_REPAIR_CAP,
    initialMs: config.RECONCILER_REPAIR_INITIAL_MS,
    maxMs: config.RECONCILER_REPAIR_MAX_MS,
    batch: config.RECONCILER_REPAIR_BATCH,
    ...(deps.random ? { random: deps.random } : {}),
  });
  repairer.restore(await ledger.loadRepairs(), await ledger.loadProblems());
  // A channel loading its holdings reads `starting` for a while: a finding only after 3 audits.
  const queries = new Queries(engine, repairer, now, 3 * config.RECONCILER_AUDIT_INTERVAL_MS);
  const auditor = new Auditor({
    engine,
    logger: logger.child({ component: "audit" }),
    inventoryToken: deps.inventoryToken,
    pageSize: config.RECONCILER_AUDIT_PAGE_SIZE,
    now,
  });
  const address = config.RECONCILER_CONTENT_ADDRESS;
  const watch =
    address && deps.contentToken
      ? new AnnouncementWatch({
          engine,
          logger: logger.child({ component: "announcements" }),
          address,
          token: deps.contentToken,
          graceMs: config.RECONCILER_ANNOUNCE_GRACE_MS,
          now,
        })
      : undefined;
  ledger.start();
  const streams = new Streams({
    kafka,
    engine,
    ledger,
    topicPrefix,
    instanceId: leadership.instance,
    receipts: new ReceiptReader({
      kafka,
      groupId: config.RECONCILER_GROUP,
      topicPrefix,
      engine,
      ledger,
      producer,
      logger: logger.child({ component: "receipts" }),
    }),
    logger: logger.child({ component: "streams" }),
  });

  const runAudit = async (channels?: readonly string[]): Promise<AuditReport> => {
    // An audit can change every pair's state: it starts only when the ledger has room.
    await ledger.room();
    const runs = await auditor.audit(channels);
    await repairer.tick();
    const stale = queries
      .channels()
      .filter((c) => c.freshness && c.freshness.level !== "ok")
      .map((c) => ({ channel: c.channel, freshness: c.freshness! }));
    const notConsuming = queries
      .channels()
      .flatMap((c) => (c.notConsuming ? [c.notConsuming] : []));
    return {
      runs,
      findings: queries.findings({}),
      ...(stale.length > 0 ? { stale } : {}),
      ...(notConsuming.length > 0 ? { notConsuming } : {}),
    };
  };
  const actions: OperatorActions = {
    acknowledge: (id, by, note) => repairer.acknowledge(id, by, note),
    resolve: (id, by, note) => repairer.resolve(id, by, note),
    forceRedelivery: (id, by, note) => repairer.forceRedelivery(id, by, note),
    runAudit,
  };
  const readModel: ReconcilerQueries = {
    itemStatus: (id) => queries.itemStatus(id),
    matrix: (q) => queries.matrix(q),
    findings: (o) => queries.findings(o),
    problems: (q) => repairer.list(q),
    problem: (id) => repairer.get(id),
    channels: () => queries.channels(),
    compliance: () => queries.compliance(),
    timeline: (id) => ledger.timeline(id),
    ready: () => streams.ready(),
    content: () => {
      if (!watch) return undefined;
      const status = watch.contentStatus();
      return { ...status, notAnnounced: engine.pendingAnnouncements().length };
    },
  };

  const timers: NodeJS.Timeout[] = [];
  let ticks = 0;
  let ticking: Promise<void> | undefined;
  const tick = async (full: boolean): Promise<void> => {
    while (ticking) await ticking;
    ticking = (async () => {
      engine.evaluate(full);
      await repairer.tick();
    })().finally(() => (ticking = undefined));
    await ticking;
  };
  // Deadlines and grace periods pass with time alone: every few ticks, look at every pair.
  const scheduledTick = () => tick(++ticks % 6 === 0);
  const stop = async () => {
    for (const t of timers) clearInterval(t);
    await streams.stop().catch(() => undefined);
    while (ticking) await ticking.catch(() => undefined);
    auditor.close();
    watch?.close();
    await ledger
      .stop()
      .catch((error: unknown) => logger.warn({ err: error }, "ledger not flushed"));
    await producer.disconnect().catch(() => undefined);
  };

  try {
    await streams.start();
    engine.evaluate(true);
    logger.info(
      { items: engine.expected.size, restored, channels: registry.names() },
      "expected state read",
    );
    // After the stream: a version read from it is not reported as unannounced.
    await watch?.poll();
    engine.evaluate(true);
    await runAudit();
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  timers.push(
    setInterval(
      () =>
        void scheduledTick().catch((e: unknown) => logger.error({ err: e }, "evaluation failed")),
      config.RECONCILER_EVALUATE_INTERVAL_MS,
    ),
    setInterval(
      () => void runAudit().catch((e: unknown) => logger.error({ err: e }, "audit failed")),
      config.RECONCILER_AUDIT_INTERVAL_MS,
    ),
  );
  if (watch) {
    timers.push(setInterval(() => void watch.poll(), config.RECONCILER_ANNOUNCE_POLL_MS));
  }
  for (const t of timers) t.unref();
  return {
    queries: readModel,
    actions,
    tick: () => tick(true),
    ready: () => streams.ready(),
    metricsText: () => `${coreMetrics(ledger, auditor)}\n${consumingMetrics(registry.all())}`,
    stop,
  };
}

function coreMetrics(ledger: Ledger, auditor: Auditor): string {
  const l = ledger.stats();
  const a = auditor.stats();
  return [
    "# HELP herald_reconciler_ledger_pending Ledger writes queued for the database or being written.",
    "# TYPE herald_reconciler_ledger_pending gauge",
    `herald_reconciler_ledger_pending ${l.pending}`,
    "# HELP herald_reconciler_ledger_max_pending Queued writes at which reading stops until the ledger drains.",
    "# TYPE herald_reconciler_ledger_max_pending gauge",
    `herald_reconciler_ledger_max_pending ${l.maxPending}`,
    "# HELP herald_reconciler_ledger_full_waits_total Times reading waited for the ledger to drain.",
    "# TYPE herald_reconciler_ledger_full_waits_total counter",
    `herald_reconciler_ledger_full_waits_total ${l.waits}`,
    "# HELP herald_reconciler_ledger_flush_failures_total Ledger flushes the database refused (retried).",
    "# TYPE herald_reconciler_ledger_flush_failures_total counter",
    `herald_reconciler_ledger_flush_failures_total ${l.flushFailures}`,
    "# HELP herald_reconciler_audits_queued Audits waiting behind the one running (at most 1).",
    "# TYPE herald_reconciler_audits_queued gauge",
    `herald_reconciler_audits_queued ${a.queued}`,
    "# HELP herald_reconciler_audits_joined_total Audit requests answered by an audit already waiting.",
    "# TYPE herald_reconciler_audits_joined_total counter",
    `herald_reconciler_audits_joined_total ${a.joined}`,
  ].join("\n");
}
