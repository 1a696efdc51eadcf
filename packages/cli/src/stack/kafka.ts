import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { formatBytes, startProgress } from "../ui/progress";
import { StackError } from "./errors";
import {
  kafkaConfigOutdated,
  kafkaPaths as paths,
  log4jProperties,
  serverProperties,
} from "./kafka-config";
import {
  portInUse,
  requireTool,
  runningPid,
  startDetached,
  stopProcess,
  waitUntilAnswers,
} from "./processes";
import { runTool } from "./run-tool";
import { KAFKA_VERSION, type StackSettings } from "./settings";
import type { ServerStatus, StackServer } from "./types";

const JAVA_HINT =
  "install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless) and try again";
const MVN_HINT = "install Apache Maven (Debian: apt-get install maven) and try again";

export function kafkaAddress(settings: StackSettings): string {
  return `${settings.host}:${settings.kafka.port}`;
}

const UNIT = { B: 1, kB: 1024, MB: 1024 * 1024 } as const;

function pom(): string {
  // The broker and the slf4j binding its distribution ships, so its logs are written.
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.herald.stack</groupId>
  <artifactId>kafka-server</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`;
}

/** Resolves the broker's jars from Maven Central into the cache, once. */
export async function provisionKafka(settings: StackSettings): Promise<void> {
  const p = paths(settings);
  if (existsSync(join(p.libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) return;
  requireTool("mvn", ["-v"], MVN_HINT);
  mkdirSync(p.installDir, { recursive: true });
  writeFileSync(join(p.installDir, "pom.xml"), pom());
  const staging = `${p.libs}.partial`;
  rmSync(staging, { recursive: true, force: true });
  const progress = startProgress(`kafka ${KAFKA_VERSION}`);
  progress.update("resolving jars from Maven Central");
  let files = 0;
  let downloadedBytes = 0;
  let bytes = 0;
  try {
    await runTool({
      command: "mvn",
      args: [
        "-B",
        "-Dmaven.repo.local=" + join(settings.cache, "m2"),
        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
        "-DincludeScope=runtime",
        `-DoutputDirectory=${staging}`,
      ],
      cwd: p.installDir,
      logFile: join(p.installDir, "mvn.log"),
      onLine: (line) => {
        const downloaded = /Downloaded from \S+: \S+ \((\d+(?:\.\d+)?) (B|kB|MB)/.exec(line);
        if (downloaded) {
          files += 1;
          downloadedBytes += Number(downloaded[1]) * UNIT[downloaded[2] as keyof typeof UNIT];
          progress.update(
            `downloading from Maven Central: ${files} files, ${formatBytes(downloadedBytes)}`,
          );
        } else if (line.includes("Copying ")) {
          progress.update("copying jars into the cache");
        }
      },
    });
    for (const jar of readdirSync(staging)) bytes += statSync(join(staging, jar)).size;
    renameSync(staging, p.libs);
    progress.done(`${readdirSync(p.libs).length} jars, ${formatBytes(bytes)} in ${p.libs}`);
  } catch (error) {
    progress.fail("could not resolve the broker's jars");
    throw error;
  }
}

function classpath(settings: StackSettings): string {
  return join(paths(settings).libs, "*");
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding, as kafka-storage
 * makes. Never one that starts with "-": kafka-storage's argument parser would take
 * it for an option and refuse to format (one fresh stack in 64), which is why
 * Kafka's own `Uuid.randomUuid` draws again in that case too.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Writes the configuration and, the first time only, formats the KRaft storage. */
async function prepareKafka(settings: StackSettings): Promise<void> {
  const p = paths(settings);
  mkdirSync(p.data, { recursive: true });
  writeFileSync(p.properties, serverProperties(settings));
  writeFileSync(p.log4j, log4jProperties(settings));
  if (existsSync(join(p.data, "meta.properties"))) return;
  // A home left by an older herald may hold an id that never formatted: replace it.
  if (!existsSync(p.clusterId) || readFileSync(p.clusterId, "utf8").trim().startsWith("-"))
    writeFileSync(p.clusterId, newClusterId());
  const clusterId = readFileSync(p.clusterId, "utf8").trim();
  await runTool({
    command: "java",
    args: [
      `-Dlog4j.configuration=file:${p.log4j}`,
      "-cp",
      classpath(settings),
      "kafka.tools.StorageTool",
      "format",
      "--ignore-formatted",
      "-t",
      clusterId,
      "-c",
      p.properties,
    ],
    cwd: p.dir,
    logFile: p.logFile,
  });
}

/** Whether the broker answers a metadata request. */
export async function kafkaAnswers(settings: StackSettings, timeoutMs = 3_000): Promise<boolean> {
  const admin = new Kafka({
    brokers: [kafkaAddress(settings)],
    clientId: "herald-stack",
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Starts the broker unless it already runs, and waits until it answers. */
async function startKafka(settings: StackSettings): Promise<"started" | "running"> {
  const p = paths(settings);
  if (runningPid(p.pidFile) !== undefined && (await kafkaAnswers(settings))) return "running";
  requireTool("java", ["-version"], JAVA_HINT);
  await provisionKafka(settings);
  for (const port of [settings.kafka.port, settings.kafka.controllerPort]) {
    if (runningPid(p.pidFile) === undefined && (await portInUse(settings.host, port))) {
      throw new StackError(
        `port ${port} is taken by another program; stop it, or choose other ports with HERALD_KAFKA_PORT and HERALD_KAFKA_CONTROLLER_PORT`,
      );
    }
  }
  const progress = startProgress(`kafka ${KAFKA_VERSION}`);
  if (runningPid(p.pidFile) === undefined) {
    progress.update("preparing storage");
    await prepareKafka(settings);
    progress.update("starting broker");
    startDetached({
      command: "java",
      args: [
        `-Xms128m`,
        `-Xmx${settings.kafka.heap}`,
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        `-Dlog4j.configuration=file:${p.log4j}`,
        "-cp",
        classpath(settings),
        "kafka.Kafka",
        p.properties,
      ],
      cwd: p.dir,
      logFile: p.logFile,
      pidFile: p.pidFile,
      marker: p.properties,
    });
  }
  await waitUntilAnswers({
    name: "Kafka",
    address: kafkaAddress(settings),
    pidFile: p.pidFile,
    logFile: join(p.dir, "server.log"),
    timeoutMs: 120_000,
    answers: () => kafkaAnswers(settings),
    progress,
  });
  return "started";
}

function kafkaFiles(settings: StackSettings) {
  const p = paths(settings);
  return { pidFile: p.pidFile, dataDir: p.data, logFile: join(p.dir, "server.log"), dir: p.dir };
}

function installedKafkaVersion(settings: StackSettings): string | null {
  const libs = paths(settings).libs;
  if (!existsSync(libs)) return null;
  const jar = readdirSync(libs).find((f) => /^kafka_2\.13-.+\.jar$/.test(f));
  return jar ? jar.replace(/^kafka_2\.13-/, "").replace(/\.jar$/, "") : null;
}

async function kafkaStatus(settings: StackSettings): Promise<ServerStatus> {
  const files = kafkaFiles(settings);
  const pid = runningPid(files.pidFile) ?? null;
  const ready = pid !== null && (await kafkaAnswers(settings));
  return {
    running: pid !== null,
    ready,
    address: kafkaAddress(settings),
    version: installedKafkaVersion(settings),
    pid,
    dataDir: files.dataDir,
    logFile: files.logFile,
  };
}

export function kafkaServer(settings: StackSettings): StackServer {
  return {
    name: "kafka",
    start: () => startKafka(settings),
    stop: () => stopProcess(kafkaFiles(settings).pidFile),
    status: () => kafkaStatus(settings),
    outdated: () =>
      runningPid(kafkaFiles(settings).pidFile) === undefined
        ? undefined
        : kafkaConfigOutdated(settings),
    stateDir: kafkaFiles(settings).dir,
  };
}
