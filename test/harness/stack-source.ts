import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { freePorts } from "./ports";

/** Where the integration tests' Kafka and database come from. */
export interface StackSource {
  kind: "environment" | "testcontainers" | "herald-stack";
  brokers: string;
  mongoUrl: string;
  /** Undoes what the harness started; a no-op for a stack it found running. */
  stop(): Promise<void>;
}

export const ROOT = resolve(__dirname, "../..");

const CLI = [
  "--import",
  "tsx",
  "--conditions=herald-source",
  join(ROOT, "packages/cli/src/main.ts"),
];

/** Runs the herald CLI as a user would, from the repository root. */
export function herald(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Throws with what a CLI command printed unless it exited 0, so a failure says why. */
export function expectSucceeded(result: {
  status: number | null;
  stdout: string;
  stderr: string;
}): void {
  if (result.status !== 0) {
    throw new Error(
      `exit ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
}

/**
 * The environment of a stack of a test's own: its home, free ports for Kafka, its
 * controller and FerretDB, and the downloads of the main stack, so starting,
 * stopping or killing it cannot disturb the stack the other tests use.
 */
export async function privateStackEnv(home: string): Promise<{
  env: NodeJS.ProcessEnv;
  brokers: string[];
  mongoUrl: string;
}> {
  const [kafkaPort, controllerPort, ferretdbPort] = await freePorts(3);
  const env = {
    ...process.env,
    HERALD_HOME: home,
    HERALD_CACHE:
      process.env.HERALD_CACHE ?? join(process.env.HERALD_HOME ?? join(ROOT, ".herald"), "cache"),
    HERALD_KAFKA_PORT: String(kafkaPort),
    HERALD_KAFKA_CONTROLLER_PORT: String(controllerPort),
    HERALD_FERRETDB_PORT: String(ferretdbPort),
  };
  return {
    env,
    brokers: [`127.0.0.1:${kafkaPort}`],
    mongoUrl: `mongodb://127.0.0.1:${ferretdbPort}`,
  };
}

/**
 * Runs the herald CLI without blocking the event loop: for tests whose services
 * run in the test's own process and must keep answering while the CLI calls them.
 */
export function heraldAsync(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

interface StatusJson {
  kafka: { running: boolean; ready: boolean; address: string };
  ferretdb: { running: boolean; ready: boolean; address: string };
}

function statusJson(): StatusJson {
  const result = herald(["stack", "status", "--json"]);
  if (result.status !== 0) throw new Error(`herald stack status failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as StatusJson;
}

function fromHeraldStack(): StackSource {
  const before = statusJson();
  const wasRunning = before.kafka.ready && before.ferretdb.ready;
  if (!wasRunning) {
    process.stderr.write(
      "\nStarting the local stack for the integration tests (herald stack up)…\n",
    );
    const up = spawnSync(process.execPath, [...CLI, "stack", "up"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (up.status !== 0) throw new Error("`herald stack up` failed; see the lines above.");
  }
  const status = statusJson();
  return {
    kind: "herald-stack",
    brokers: status.kafka.address,
    mongoUrl: status.ferretdb.address,
    stop() {
      if (wasRunning || process.env.HERALD_TEST_KEEP_STACK === "1") return Promise.resolve();
      const down = herald(["stack", "down"]);
      if (down.status !== 0) process.stderr.write(`herald stack down failed:\n${down.stderr}\n`);
      return Promise.resolve();
    },
  };
}

function dockerMightAnswer(): boolean {
  if (process.env.DOCKER_HOST) return true;
  return ["/var/run/docker.sock", join(homedir(), ".docker/run/docker.sock")].some((p) =>
    existsSync(p),
  );
}

/**
 * Official images, started by testcontainers. Kafka advertises the host port it is
 * published on, so that port is chosen before the container starts.
 */
async function fromTestcontainers(): Promise<StackSource | undefined> {
  if (!dockerMightAnswer()) return undefined;
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const { MongoDBContainer } = await import("@testcontainers/mongodb");
  const { createServer } = await import("node:net");
  const port = await new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => done(free));
    });
  });
  const kafka = await new GenericContainer("apache/kafka:3.9.1")
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: "1",
      KAFKA_PROCESS_ROLES: "broker,controller",
      KAFKA_LISTENERS: "PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093",
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:9093",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
      // Herald's largest message (MAX_MESSAGE_BYTES + MESSAGE_OVERHEAD_BYTES in
      // @herald/contracts, as `herald stack` sets them): global setup loads before
      // the workspace's sources, so the figure is written out here.
      KAFKA_MESSAGE_MAX_BYTES: String(4 * 1024 * 1024 + 16 * 1024),
      KAFKA_REPLICA_FETCH_MAX_BYTES: String(4 * 1024 * 1024 + 16 * 1024),
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const mongo = await new MongoDBContainer("mongo:7").start();
  return {
    kind: "testcontainers",
    brokers: `127.0.0.1:${port}`,
    mongoUrl: `${mongo.getConnectionString()}?directConnection=true`,
    async stop() {
      await Promise.all([kafka.stop(), mongo.stop()]);
    },
  };
}

/** KAFKA_BROKERS and MONGO_URL from the environment, else testcontainers, else `herald stack up`. */
export async function resolveStack(): Promise<StackSource> {
  const { KAFKA_BROKERS, MONGO_URL } = process.env;
  if (KAFKA_BROKERS && MONGO_URL) {
    return {
      kind: "environment",
      brokers: KAFKA_BROKERS,
      mongoUrl: MONGO_URL,
      stop: () => Promise.resolve(),
    };
  }
  return (await fromTestcontainers()) ?? fromHeraldStack();
}
