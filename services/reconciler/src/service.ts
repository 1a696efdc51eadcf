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
  ensureServiceTopics,
} from "@herald/runtime";
import { parseTrustProxy } from "@herald/web";
import { OperatorTokens } from "./auth";
import { parseChannelList } from "./channels";
import type { reconcilerEnv } from "./config";
import { type Core, startCore } from "./core";
import { createReconcilerGrpc, startReconcilerGrpc } from "./grpc";
import { createReconcilerApp } from "./http";
import { Leadership } from "./leadership";
import type { OperatorActions, ReconcilerQueries } from "./model";
import { StandbyError, gateGrpc, standbyReply } from "./standby";

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
  /** Whether the instance answers as a standby ("standing by; the leader is …") or leads. */
  ready(): { ok: boolean; detail: string };
  /** True while this instance is the leader and serves. */
  leading(): boolean;
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
 * Of all instances sharing its database and group, one leads (ADR 005): the
 * others stand by, answer 503 naming the leader, and take over when its lease
 * runs out. Resolves once this instance leads or stands by.
 */
export async function startReconciler(
  config: ReconcilerConfig,
  logger: Logger,
  options: StartReconcilerOptions = {},
): Promise<ReconcilerService> {
  const now = options.now ?? Date.now;
  const tokens = OperatorTokens.load(config.RECONCILER_TOKENS_FILE, logger);
  const trustProxy = parseTrustProxy(config.RECONCILER_TRUST_PROXY, "RECONCILER_TRUST_PROXY");
  const inventoryToken = readSecret(config.RECONCILER_INVENTORY_TOKEN_FILE, "inventory token");
  const sessionSecret = config.RECONCILER_SESSION_SECRET_FILE
    ? Buffer.from(readSecret(config.RECONCILER_SESSION_SECRET_FILE, "session secret"), "utf8")
    : randomBytes(32);
  if (sessionSecret.length < 32) {
    throw new Error("RECONCILER_SESSION_SECRET_FILE: the secret must be at least 32 characters");
  }
  const contentToken = config.RECONCILER_CONTENT_TOKEN_FILE
    ? readSecret(config.RECONCILER_CONTENT_TOKEN_FILE, "content token")
    : undefined;
  if (config.RECONCILER_CONTENT_ADDRESS && !contentToken) {
    throw new Error(
      "RECONCILER_CONTENT_TOKEN_FILE: required with RECONCILER_CONTENT_ADDRESS (a token of role channel)",
    );
  }
  const configured = parseChannelList(config.RECONCILER_CHANNELS);
  const calendar = createCalendar(
    config.HERALD_CALENDAR_FILE
      ? { overrides: await loadCalendarOverrides(config.HERALD_CALENDAR_FILE) }
      : {},
  );
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    logger,
  });
  await ensureServiceTopics(
    kafka,
    [Topics.items, Topics.receipts, Topics.redeliver, Topics.channels],
    config,
    logger,
  );

  const connection = await connectMongo({
    url: config.MONGO_URL,
    dbName: config.RECONCILER_DB,
    logger,
    appName: "herald-reconciler",
  });
  const instance =
    config.RECONCILER_INSTANCE ?? `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, "-");
  const leadership = new Leadership({
    db: connection.db!,
    instance,
    ttlMs: config.RECONCILER_LEASE_TTL_MS,
    logger: logger.child({ component: "leadership" }),
  });

  let core: Core | undefined;
  let starting: Promise<void> | undefined;
  let leader: string | undefined;
  let changes = 0;
  let startError: Error | undefined;
  /** Why this instance does not serve, in a sentence for operators; undefined when it leads. */
  const standing = (): string | undefined => {
    if (core) return undefined;
    if (starting)
      return `taking over as leader (term ${leadership.term}): reading the topics and auditing`;
    return `standing by; the leader is ${leader ?? "(none yet: the lease is free or expiring)"}`;
  };
  const current = (): Core => {
    const c = core;
    if (!c) throw new StandbyError(standing() ?? "standing by");
    return c;
  };
  const queries: ReconcilerQueries = {
    itemStatus: (id) => current().queries.itemStatus(id),
    matrix: (q) => current().queries.matrix(q),
    findings: (o) => current().queries.findings(o),
    problems: (q) => current().queries.problems(q),
    problem: (id) => current().queries.problem(id),
    channels: () => current().queries.channels(),
    compliance: () => current().queries.compliance(),
    timeline: (id) => current().queries.timeline(id),
    content: () => current().queries.content?.(),
    ready: () => current().queries.ready(),
  };
  const actions: OperatorActions = {
    acknowledge: (id, by, note) => current().actions.acknowledge(id, by, note),
    resolve: (id, by, note) => current().actions.resolve(id, by, note),
    forceRedelivery: (id, by, note) => current().actions.forceRedelivery(id, by, note),
    runAudit: (channels) => current().actions.runAudit(channels),
  };

  const stepDown = async (why: string) => {
    const c = core;
    core = undefined;
    leader = undefined;
    changes += 1;
    logger.warn({ why, term: leadership.term }, "no longer the leader; standing by");
    leadership.term = 0;
    await c?.stop().catch((error: unknown) => logger.warn({ err: error }, "leader stop failed"));
  };
  const lead = async () => {
    try {
      const started = await startCore({
        config,
        logger,
        kafka,
        connection,
        configured,
        calendar,
        inventoryToken,
        contentToken,
        leadership,
        now,
        ...(options.random ? { random: options.random } : {}),
        onFenced: () => void stepDown("Kafka fenced this instance's producer"),
      });
      if (leadership.term === 0) {
        await started.stop(); // deposed while starting
        return;
      }
      core = started;
      changes += 1;
      leader = instance;
      logger.info({ term: leadership.term }, "leading");
    } catch (error) {
      startError = error instanceof Error ? error : new Error(String(error));
      logger.error({ err: error }, "could not take over; releasing the lease");
      await leadership.release().catch(() => undefined);
    }
  };
  /**
   * One turn of the leadership loop: a leader (or one starting) renews its lease
   * and steps down when it lost it; a standby tries to take it.
   */
  let turning = false;
  const turn = async () => {
    if (turning || stopping) return;
    turning = true;
    try {
      if (leadership.term > 0) {
        const held = await leadership.renew().catch((error: unknown) => {
          logger.warn({ err: error }, "could not renew the lease");
          // The database did not answer: lead on until the lease runs out on this clock
          // (no other instance can take it without the database either).
          return leadership.heldLocally();
        });
        if (!held && (core || !starting)) await stepDown("lost the lease or a newer term exists");
        else if (!held) leadership.term = 0;
      } else if (!starting) {
        if (await leadership.acquire()) {
          starting = lead().finally(() => (starting = undefined));
        } else {
          leader = await leadership.holder();
        }
      }
    } catch (error) {
      logger.warn({ err: error }, "leadership check failed");
    } finally {
      turning = false;
    }
  };
  let stopping = false;
  let httpServer: Server | undefined;
  let grpcServer: grpc.Server | undefined;
  let loop: NodeJS.Timeout | undefined;
  const stop = async () => {
    stopping = true;
    if (loop) clearInterval(loop);
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
    while (turning || starting) await (starting ?? new Promise((r) => setTimeout(r, 20)));
    const c = core;
    core = undefined;
    await c?.stop();
    if (leadership.term > 0) await leadership.release().catch(() => undefined);
    await connection.close();
  };

  try {
    // The loop runs from the start: a leader renews its lease while it is still taking over.
    loop = setInterval(() => void turn(), config.RECONCILER_LEASE_RENEW_MS);
    loop.unref();
    await turn();
    if (starting) await starting;
    // Failing to start as the first leader is a failure to start, not a standby.
    if (!core && startError) throw startError;
    const app = createReconcilerApp({
      queries,
      actions,
      tokens,
      sessionSecret,
      logger,
      trustProxy,
    });
    const server = createServer((req, res) => {
      const why = standing();
      if (why) standbyReply(req, res, why);
      else app(req, res);
    });
    httpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.RECONCILER_HTTP_PORT, config.RECONCILER_HTTP_HOST, () => resolve());
    });
    const grpcStarted = await startReconcilerGrpc(
      gateGrpc(createReconcilerGrpc({ queries, actions, tokens, logger }), standing),
      config.RECONCILER_GRPC_HOST,
      config.RECONCILER_GRPC_PORT,
    );
    grpcServer = grpcStarted.server;
    const httpPort = (server.address() as AddressInfo).port;
    logger.info({ httpPort, grpcPort: grpcStarted.port }, "reconciler listening");
    return {
      httpPort,
      grpcPort: grpcStarted.port,
      queries,
      actions,
      tick: () => current().tick(),
      ready: () => {
        const why = standing();
        if (!why) {
          const r = current().ready();
          return { ok: r.ok, detail: r.detail || `leader (term ${leadership.term})` };
        }
        // A standby is ready: it answers, naming the leader; one taking over is not yet.
        return { ok: !starting, detail: why };
      },
      leading: () => core !== undefined,
      metricsText: () =>
        [
          "# HELP herald_reconciler_leader 1 while this instance leads, 0 while it stands by.",
          "# TYPE herald_reconciler_leader gauge",
          `herald_reconciler_leader ${core ? 1 : 0}`,
          "# HELP herald_reconciler_term The term this instance leads in (0 on a standby).",
          "# TYPE herald_reconciler_term gauge",
          `herald_reconciler_term ${core ? leadership.term : 0}`,
          "# HELP herald_reconciler_leadership_changes_total Times this instance took or gave up leadership.",
          "# TYPE herald_reconciler_leadership_changes_total counter",
          `herald_reconciler_leadership_changes_total ${changes}`,
          ...(core ? [core.metricsText()] : []),
          "",
        ].join("\n"),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
