import { createServer, type Server } from "node:http";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import type * as grpc from "@grpc/grpc-js";
import { InventoryTokens } from "@herald/channel-kit";
import { type ChannelAnnouncement, Topics } from "@herald/contracts";
import {
  type ConfigOf,
  type Logger,
  connectMongo,
  createKafkaClient,
  createProducer,
  ensureServiceTopics,
  topicName,
} from "@herald/runtime";
import { adminHandler } from "./admin-http";
import { AdminTokens } from "./admin-tokens";
import type { outletGatewayEnv } from "./config";
import { Gateway } from "./gateway";
import { startGrpc } from "./grpc";
import { outletLags } from "./lag";
import { channelOf } from "./policy";
import { contentSourceOf, startRedeliveryReader } from "./redeliveries";
import { type OutletRegistration, OutletRegistry } from "./registry";
import { RenewingProducer } from "./renewing-producer";

export type OutletGatewayConfig = ConfigOf<typeof outletGatewayEnv>;

export interface OutletGatewayService {
  grpcPort: number;
  httpPort: number;
  /** host:port outlets and auditors dial; the announcements' inventory_address. */
  address: string;
  registry: OutletRegistry;
  gateway: Gateway;
  ready(): { ok: boolean; detail: string };
  metricsText(): string;
  stop(): Promise<void>;
}

function advertised(bindHost: string, advertisedHost: string | undefined, port: number): string {
  const wildcard = ["0.0.0.0", "::", "[::]"].includes(bindHost);
  const host = advertisedHost ?? (wildcard ? "127.0.0.1" : bindHost);
  return `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

/**
 * The outlet gateway: registrations and the admin API, one stream per outlet
 * instance, a feed per connected outlet, receipts, announcements, and each
 * outlet's inventory asked of the outlet (ADR 007).
 */
export async function startOutletGateway(
  config: OutletGatewayConfig,
  logger: Logger,
): Promise<OutletGatewayService> {
  const adminTokens = AdminTokens.load(config.OUTLET_ADMIN_TOKENS_FILE, logger);
  const inventoryTokens = InventoryTokens.fromFile(config.OUTLET_INVENTORY_TOKENS_FILE, logger);
  // Read before connecting anything: a missing token file is a configuration error.
  const content = contentSourceOf(config.OUTLET_CONTENT_GRPC, config.OUTLET_CONTENT_TOKEN_FILE);
  const topicPrefix = config.HERALD_TOPIC_PREFIX;
  const instance =
    config.OUTLET_INSTANCE ?? `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, "-");
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    logger,
  });
  await ensureServiceTopics(
    kafka,
    [Topics.items, Topics.receipts, Topics.channels, Topics.redeliver],
    config,
    logger,
  );
  const connection = await connectMongo({
    url: config.MONGO_URL,
    dbName: config.OUTLET_DB,
    logger,
    appName: "herald-outlet-gateway",
  });
  const db = connection.db!;
  const producer = new RenewingProducer(
    () => createProducer(kafka, { logger, ...(topicPrefix ? { topicPrefix } : {}) }),
    logger,
  );
  await producer.connect();
  const registry = new OutletRegistry(db);
  const gateway = new Gateway({
    registry,
    kafka,
    db,
    producer,
    logger,
    limits: {
      ackDeadlineMs: config.OUTLET_ACK_DEADLINE_MS,
      heartbeatMs: config.OUTLET_HEARTBEAT_MS,
      maxInFlight: config.OUTLET_MAX_IN_FLIGHT,
      maxInstances: config.OUTLET_MAX_INSTANCES,
      inventoryTimeoutMs: config.OUTLET_INVENTORY_TIMEOUT_MS,
    },
    groupPrefix: config.OUTLET_GROUP_PREFIX,
    topicPrefix,
    retry: { initialMs: config.OUTLET_RETRY_INITIAL_MS, maxMs: config.OUTLET_RETRY_MAX_MS },
    maxPending: config.OUTLET_MAX_PENDING,
    idleLeaveMs: config.OUTLET_IDLE_LEAVE_MS,
    registryPollMs: config.OUTLET_REGISTRY_POLL_MS,
    sessionTimeoutMs: config.OUTLET_SESSION_TIMEOUT_MS,
  });

  const redeliveries = content
    ? startRedeliveryReader({
        kafka,
        gateway,
        content,
        groupId: `${config.OUTLET_GROUP_PREFIX}redeliver-${instance}`,
        topicPrefix,
        logger,
      })
    : undefined;
  if (!content) {
    logger.warn("OUTLET_CONTENT_GRPC is not set: redelivery requests for outlets are not read");
  }

  let grpcServer: grpc.Server | undefined;
  let httpServer: Server | undefined;
  const stop = async () => {
    if (redeliveries) {
      await redeliveries.stop().catch(() => undefined);
      // The group is this instance's own: leave no trace of it in Kafka.
      const groupAdmin = kafka.admin();
      await groupAdmin
        .connect()
        .then(() => groupAdmin.deleteGroups([redeliveries.status().groupId]))
        .catch(() => undefined)
        .finally(() => void groupAdmin.disconnect());
    }
    content?.close();
    await gateway.stop();
    if (grpcServer) {
      const server = grpcServer;
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
    if (httpServer) {
      const server = httpServer;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    await producer.disconnect().catch(() => undefined);
    await connection.close();
  };
  try {
    const grpcStarted = await startGrpc(
      {
        gateway,
        tokens: inventoryTokens,
        kafka,
        groupPrefix: config.OUTLET_GROUP_PREFIX,
        topicPrefix,
        logger,
      },
      config.OUTLET_GRPC_HOST,
      config.OUTLET_GRPC_PORT,
    );
    grpcServer = grpcStarted.server;
    const address = advertised(
      config.OUTLET_GRPC_HOST,
      config.OUTLET_ADVERTISED_HOST,
      grpcStarted.port,
    );
    const announce = async (registration: OutletRegistration) => {
      const p = registration.policy;
      const announcement: ChannelAnnouncement = {
        name: channelOf(registration.name),
        kinds: [...p.kinds],
        audiences: [...p.audiences],
        keepsWithdrawn: p.keepsWithdrawn,
        keepsExpired: p.keepsExpired,
        inventoryAddress: address,
        instance,
        announcedAt: new Date(),
        outletId: registration.name,
        categories: [],
        freshnessWarningDays: 0,
        freshnessFindingDays: 0,
      };
      await producer.send(Topics.channels, [{ key: announcement.name, value: announcement }]);
    };
    // A revoked outlet's announcement is tombstoned: the reconciler then owes it nothing.
    // HeraldProducer encodes every value, so the null value goes through kafkajs itself.
    const retire = async (name: string) => {
      const raw = kafka.producer();
      await raw.connect();
      try {
        await raw.send({
          topic: topicName(Topics.channels, topicPrefix),
          acks: -1,
          messages: [{ key: channelOf(name), value: null }],
        });
      } finally {
        await raw.disconnect();
      }
    };
    // Every registered outlet is announced at start, so the reconciler owes it items
    // even if the announcement at registration was compacted away or missed; every
    // revoked one is tombstoned again, in case the gateway stopped between the two.
    const registrations = await registry.list();
    for (const registration of registrations) {
      if (!registration.revokedAt) await announce(registration);
    }
    const revoked = registrations.filter((r) => r.revokedAt).map((r) => r.name);
    if (revoked.length > 0) await Promise.all(revoked.map((name) => retire(name)));
    await redeliveries?.start();
    const metricsText = () => metrics(gateway);
    const ready = () => ({ ok: true, detail: `serving outlets on ${address}` });
    const server = createServer(
      adminHandler({
        gateway,
        tokens: adminTokens,
        logger,
        announce,
        retire,
        ready,
        metrics: metricsText,
        address,
        lags: (outlets) =>
          outletLags(
            kafka,
            topicName(Topics.items, topicPrefix),
            new Map(outlets.map((name) => [name, `${config.OUTLET_GROUP_PREFIX}${name}`])),
          ),
      }),
    );
    httpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.OUTLET_HTTP_PORT, config.OUTLET_HTTP_HOST, () => resolve());
    });
    const httpPort = (server.address() as AddressInfo).port;
    logger.info({ grpcPort: grpcStarted.port, httpPort, address }, "outlet gateway listening");
    return {
      grpcPort: grpcStarted.port,
      httpPort,
      address,
      registry,
      gateway,
      ready,
      metricsText,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function metrics(gateway: Gateway): string {
  const lines = [
    "# HELP herald_outlet_instances Instances of the outlet connected to this gateway.",
    "# TYPE herald_outlet_instances gauge",
    "# HELP herald_outlet_in_flight Deliveries awaiting a result.",
    "# TYPE herald_outlet_in_flight gauge",
    "# HELP herald_outlet_pending Items read and not yet settled (pending, waiting or in flight).",
    "# TYPE herald_outlet_pending gauge",
    "# HELP herald_outlet_deliveries_total Deliveries sent, redeliveries included.",
    "# TYPE herald_outlet_deliveries_total counter",
    "# HELP herald_outlet_redeliveries_total Deliveries sent again (deadline, failure, reconnect).",
    "# TYPE herald_outlet_redeliveries_total counter",
    "# HELP herald_outlet_redelivery_requests_total Deliveries queued by redelivery requests (an audit found the item missing).",
    "# TYPE herald_outlet_redelivery_requests_total counter",
    "# HELP herald_outlet_results_total Results by outcome.",
    "# TYPE herald_outlet_results_total counter",
  ];
  for (const outlet of gateway.outletsWithFeeds()) {
    const a = gateway.activity(outlet);
    const l = `outlet="${outlet}"`;
    lines.push(`herald_outlet_instances{${l}} ${a.instances.length}`);
    lines.push(`herald_outlet_in_flight{${l}} ${a.inFlight}`);
    lines.push(`herald_outlet_pending{${l}} ${a.pending}`);
    if (a.counters) {
      lines.push(`herald_outlet_deliveries_total{${l}} ${a.counters.sent}`);
      lines.push(`herald_outlet_redeliveries_total{${l}} ${a.counters.redelivered}`);
      lines.push(`herald_outlet_redelivery_requests_total{${l}} ${a.counters.requested}`);
      for (const [outcome, n] of Object.entries(a.counters.results)) {
        lines.push(`herald_outlet_results_total{${l},outcome="${outcome}"} ${n}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
