import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import type * as grpc from "@grpc/grpc-js";
import { createCalendar, loadCalendarOverrides } from "@herald/calendar";
import { Topics } from "@herald/contracts";
import {
  type ConfigOf,
  type Logger,
  connectMongo,
  createKafkaClient,
  createProducer,
  ensureTopics,
} from "@herald/runtime";
import { OperatorTokens } from "./auth";
import { Auditor } from "./auditor";
import { ChannelRegistry, parseChannelList } from "./channels";
import type { reconcilerEnv } from "./config";
import { Engine } from "./engine";
import { createReconcilerGrpc, startReconcilerGrpc } from "./grpc";
import { createReconcilerApp } from "./http";
import { Ledger } from "./ledger";
import type { AuditReport, OperatorActions, ReconcilerQueries } from "./model";
import { Queries } from "./queries";
import { Repairer } from "./repairer";
import { Streams } from "./streams";

export type ReconcilerConfig = ConfigOf<typeof reconcilerEnv>;

export interface StartReconcilerOptions {
  /** The clock findings, deadlines and repairs run on (tests move it). */
  now?: () => number;
  /** Jitter source for repair backoff (tests make it predictable). */
  random?: () => number;
}

export interface ReconcilerService {
  httpPort: number;
  grpcPort: number;
  queries: ReconcilerQueries;
  actions: OperatorActions;
  /** Evaluates every pair and sends the repairs that are due, now. */
  tick(): Promise<void>;
  ready(): { ok: boolean; detail: string };
  /** Prometheus text for `/metrics`. */
  metricsText(): string;
  stop(): Promise<void>;
}

function readSecret(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    throw new Error(`cannot read the ${what} file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The reconciler: reads the expected state and the receipts, audits every
 * channel's inventory on a schedule, repairs by redelivery, and serves operators.
 */
export async function startReconciler(
  config: ReconcilerConfig,
  logger: Logger,
  options: StartReconcilerOptions = {},
): Promise<ReconcilerService> {
  const now = options.now ?? Date.now;
  const tokens = OperatorTokens.load(config.RECONCILER_TOKENS_FILE);
  const inventoryToken = readSecret(config.RECONCILER_INVENTORY_TOKEN_FILE, "inventory token");
  const sessionSecret = config.RECONCILER_SESSION_SECRET_FILE
    ? Buffer.from(readSecret(config.RECONCILER_SESSION_SECRET_FILE, "session secret"), "utf8")
    : randomBytes(32);
  if (sessionSecret.length < 32) {
    throw new Error("RECONCILER_SESSION_SECRET_FILE: the secret must be at least 32 characters");
  }
  const configured = parseChannelList(config.RECONCILER_CHANNELS);
  const calendar = createCalendar(
    config.HERALD_CALENDAR_FILE
      ? { overrides: await loadCalendarOverrides(config.HERALD_CALENDAR_FILE) }
      : {},
  );
  const topicPrefix = config.HERALD_TOPIC_PREFIX;
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    logger,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [Topics.items, Topics.receipts, Topics.redeliver, Topics.channels], {
      partitions: config.HERALD_TOPIC_PARTITIONS,
      logger,
      ...(topicPrefix ? { prefix: topicPrefix } : {}),
      ...(config.HERALD_TOPIC_REPLICATION
        ? { replicationFactor: config.HERALD_TOPIC_REPLICATION }
        : {}),
    });
  } finally {
    await admin.disconnect();
  }

  const connection = await connectMongo({
    url: config.MONGO_URL,
    dbName: config.RECONCILER_DB,
    logger,
    appName: "herald-reconciler",
  });
  const ledger = new Ledger(connection.db!, logger.child({ component: "ledger" }), {
    maxPending: config.RECONCILER_LEDGER_MAX_PENDING,
  });
  const joined = new Map((await ledger.loadChannels()).map((c) => [c.name, c.joinedAt.getTime()]));
  const registry = new ChannelRegistry(configured, joined, now, (name, at) =>
    ledger.saveChannel({ name, joinedAt: new Date(at) }),
  );
  const engine = new Engine({
    channels: registry,
    ledger,
    calendar,
    graceMs: config.RECONCILER_GRACE_MS,
    now,
  });
  const restored = await ledger.loadDeliveries((itemId, version, deliveries) =>
    engine.restore(itemId, version, deliveries),
  );
  const producer = createProducer(kafka, { logger, ...(topicPrefix ? { topicPrefix } : {}) });
  await producer.connect();
  const repairer = new Repairer({
    engine,
    ledger,
    logger: logger.child({ component: "repair" }),
    send: async (requests) => {
      await producer.send(
        Topics.redeliver,
        requests.map((r) => ({ key: `${r.channel}/${r.itemId}`, value: r })),
      );
    },
    now,
    cap: config.RECONCILER_REPAIR_CAP,
    initialMs: config.RECONCILER_REPAIR_INITIAL_MS,
    maxMs: config.RECONCILER_REPAIR_MAX_MS,
    batch: config.RECONCILER_REPAIR_BATCH,
    ...(options.random ? { random: options.random } : {}),
  });
  repairer.restore(await ledger.loadRepairs(), await ledger.loadProblems());
  const queries = new Queries(engine, repairer, now);
  const auditor = new Auditor({
    engine,
    logger: logger.child({ component: "audit" }),
    inventoryToken,
    pageSize: config.RECONCILER_AUDIT_PAGE_SIZE,
    now,
  });
  ledger.start();
  const streams = new Streams({
    kafka,
    engine,
    ledger,
    topicPrefix,
    instanceId: `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, "-"),
    groupId: config.RECONCILER_GROUP,
    logger: logger.child({ component: "streams" }),
  });

  const runAudit = async (channels?: readonly string[]): Promise<AuditReport> => {
    // An audit can change every pair's state: it starts only when the ledger has room.
    await ledger.room();
    const runs = await auditor.audit(channels);
    await repairer.tick();
    return { runs, findings: queries.findings({}) };
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
  };

  let httpServer: Server | undefined;
  let grpcServer: grpc.Server | undefined;
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
    if (httpServer) {
      const server = httpServer;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    if (grpcServer) {
      const server = grpcServer;
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
    await streams.stop().catch(() => undefined);
    while (ticking) await ticking.catch(() => undefined);
    auditor.close();
    await ledger
      .stop()
      .catch((error: unknown) => logger.warn({ err: error }, "ledger not flushed"));
    await producer.disconnect();
    await connection.close();
  };

  try {
    await streams.start();
    engine.evaluate(true);
    logger.info(
      { items: engine.expected.size, restored, channels: registry.names() },
      "expected state read",
    );
    await runAudit();
    const app = createReconcilerApp({ queries: readModel, actions, tokens, sessionSecret, logger });
    const server = createServer(app);
    httpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.RECONCILER_HTTP_PORT, config.RECONCILER_HTTP_HOST, () => resolve());
    });
    const grpcStarted = await startReconcilerGrpc(
      createReconcilerGrpc({ queries: readModel, actions, tokens, logger }),
      config.RECONCILER_GRPC_HOST,
      config.RECONCILER_GRPC_PORT,
    );
    grpcServer = grpcStarted.server;
    const httpPort = (server.address() as AddressInfo).port;
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
    for (const t of timers) t.unref();
    logger.info({ httpPort, grpcPort: grpcStarted.port }, "reconciler listening");
    return {
      httpPort,
      grpcPort: grpcStarted.port,
      queries: readModel,
      actions,
      tick: () => tick(true),
      ready: () => streams.ready(),
      metricsText: () => metricsText(ledger, auditor),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function metricsText(ledger: Ledger, auditor: Auditor): string {
  const l = ledger.stats();
  const a = auditor.stats();
  return [
    "# HELP herald_reconciler_ledger_pending Ledger writes queued for the database.",
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
    "",
  ].join("\n");
}
