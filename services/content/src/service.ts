import { readFileSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createCalendar, loadCalendarOverrides } from "@herald/calendar";
import { Topics } from "@herald/contracts";
import {
  type ConfigOf,
  connectMongo,
  createKafkaClient,
  ensureServiceTopics,
  type Logger,
} from "@herald/runtime";
import * as grpc from "@grpc/grpc-js";
import { type Connection, ConnectionStates } from "mongoose";
import { TokenRegistry } from "./auth/tokens";
import type { contentEnv } from "./config";
import { ItemService } from "./domain/item-service";
import { createContentServiceImpl, startGrpcServer } from "./grpc/server";
import { createHttpApp } from "./http/app";
import { Lease } from "./outbox/lease";
import { OutboxRelay, type RelayFaults } from "./outbox/relay";
import { contentMetrics } from "./metrics";
import { Scheduler } from "./scheduler";
import { ItemStore } from "./store/item-store";
import { SetAsideStore } from "./store/set-aside";

export type ContentConfig = ConfigOf<typeof contentEnv>;

export interface ContentService {
  httpPort: number;
  grpcPort: number;
  items: ItemService;
  store: ItemStore;
  relay: OutboxRelay;
  setAside: SetAsideStore;
  scheduler: Scheduler;
  /** Component states for /readyz. */
  ready(): { ok: boolean; detail: string };
  /** The Prometheus text for /metrics. */
  metrics(): string;
  /** Stops taking requests, finishes the relay pass in hand, closes connections. */
  stop(): Promise<void>;
}

function grpcCredentials(config: ContentConfig): grpc.ServerCredentials {
  if (!config.CONTENT_GRPC_TLS_CERT || !config.CONTENT_GRPC_TLS_KEY) {
    return grpc.ServerCredentials.createInsecure();
  }
  return grpc.ServerCredentials.createSsl(null, [
    {
      cert_chain: readFileSync(config.CONTENT_GRPC_TLS_CERT),
      private_key: readFileSync(config.CONTENT_GRPC_TLS_KEY),
    },
  ]);
}

export interface ContentServiceOptions {
  /**
   * The service's clock: deadlines, scheduling and the audit trail read it. Tests
   * whose expectations depend on the date set it, so they pass on any day.
   */
  now?: () => Date;
  /** Faults for the outbox relay: tests only. */
  relayFaults?: RelayFaults;
}

/** Wires the content service from its config: connections, components, servers. */
export async function startContentService(
  config: ContentConfig,
  logger: Logger,
  options: ContentServiceOptions = {},
): Promise<ContentService> {
  const now = options.now ?? (() => new Date());
  const tokens = TokenRegistry.load(config.CONTENT_TOKENS_FILE, logger);
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
  await ensureServiceTopics(kafka, [Topics.items], config, logger);

  const connection: Connection = await connectMongo({
    url: config.MONGO_URL,
    dbName: config.CONTENT_DB,
    logger,
    appName: "herald-content",
  });
  const store = new ItemStore(connection);
  await store.init();
  await store.loadSchedule();
  const setAside = new SetAsideStore(connection);

  const relay = new OutboxRelay({
    store,
    setAside,
    lease: new Lease(
      connection,
      "outbox-relay",
      config.CONTENT_INSTANCE_ID,
      config.CONTENT_RELAY_LEASE_MS,
    ),
    kafka,
    logger,
    ...(topicPrefix ? { topicPrefix } : {}),
    transactionalId: `${topicPrefix ?? ""}herald-content-outbox-relay`,
    pollMs: config.CONTENT_RELAY_POLL_MS,
    batchSize: config.CONTENT_RELAY_BATCH,
    retryMs: config.CONTENT_RELAY_RETRY_MS,
    ...(options.relayFaults ? { faults: options.relayFaults } : {}),
  });
  const exempt = new Set(config.CONTENT_FOUR_EYES_EXEMPT);
  const items = new ItemService({
    store,
    calendar,
    deadlineRules: {
      interpretationWorkingDays: config.CONTENT_DEADLINE_INTERPRETATION_DAYS,
      decisionWorkingDays: config.CONTENT_DEADLINE_DECISION_DAYS,
      proactiveWorkingDays: config.CONTENT_DEADLINE_PROACTIVE_DAYS,
      revokedPenaltyTakedownWorkingDays: config.CONTENT_DEADLINE_REVOKED_PENALTY_DAYS,
      urgentHours: config.CONTENT_DEADLINE_URGENT_HOURS,
    },
    fourEyes: (kind) => !exempt.has(kind),
    imageHosts: config.CONTENT_IMAGE_HOSTS,
    reviewIntervalDays: config.CONTENT_REVIEW_INTERVAL_DAYS,
    onEvents: (record) => relay.notify(record),
    now,
  });
  const scheduler = new Scheduler({
    store,
    items,
    logger,
    intervalMs: config.CONTENT_SCHEDULER_INTERVAL_MS,
    reloadMs: config.CONTENT_SCHEDULER_RELOAD_MS,
    now,
  });

  const app = createHttpApp({ items, store, setAside, relay, tokens, logger, now });
  const http: HttpServer = await new Promise((resolve, reject) => {
    const server = app.listen(
      config.CONTENT_HTTP_PORT,
      config.CONTENT_HTTP_HOST,
      (error?: Error) => (error ? reject(error) : resolve(server)),
    );
  });
  const readiness = (): { ok: boolean; detail: string } => {
    const relayStatus = relay.status();
    const problems = [
      connection.readyState !== ConnectionStates.connected ? "database disconnected" : "",
      relayStatus.lastError ? `outbox relay: ${relayStatus.lastError}` : "",
      scheduler.lastError ? `scheduler: ${scheduler.lastError}` : "",
    ].filter(Boolean);
    // A set-aside item is the item's problem, not the service's: shown, never unready.
    const aside = relayStatus.setAside
      ? `; ${relayStatus.setAside} item(s) set aside since ${relayStatus.oldestSetAsideAt?.toISOString() ?? "?"} (GET /api/items/<id> says why)`
      : "";
    return {
      ok: problems.length === 0,
      detail:
        (problems.join("; ") || `relay ${relayStatus.leader ? "leading" : "standing by"}`) + aside,
    };
  };
  const grpcServer = await startGrpcServer(
    createContentServiceImpl({ items, store, setAside, tokens, logger, readiness }),
    config.CONTENT_GRPC_HOST,
    config.CONTENT_GRPC_PORT,
    grpcCredentials(config),
  );
  relay.start();
  scheduler.start();
  const httpPort = (http.address() as AddressInfo).port;
  logger.info({ http: httpPort, grpc: grpcServer.port }, "content service listening");

  return {
    httpPort,
    grpcPort: grpcServer.port,
    items,
    store,
    relay,
    setAside,
    scheduler,
    ready: readiness,
    metrics: () => contentMetrics(relay.status()),
    async stop() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await new Promise<void>((resolve) => grpcServer.server.tryShutdown(() => resolve()));
      await scheduler.stop();
      await relay.stop();
      await connection.close();
    },
  };
}
