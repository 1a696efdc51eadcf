import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_MESSAGE_BYTES, MESSAGE_OVERHEAD_BYTES } from "@herald/contracts";
import { KAFKA_VERSION, type StackSettings } from "./settings";

/** Where the broker's jars, configuration, data and logs live. */
export function kafkaPaths(settings: StackSettings) {
  const libs = join(settings.cache, `kafka-${KAFKA_VERSION}`, "libs");
  const dir = settings.kafka.dir;
  return {
    libs,
    installDir: join(settings.cache, `kafka-${KAFKA_VERSION}`),
    dir,
    data: join(dir, "data"),
    properties: join(dir, "server.properties"),
    log4j: join(dir, "log4j.properties"),
    clusterId: join(dir, "cluster-id"),
    logFile: join(dir, "kafka.log"),
    pidFile: join(dir, "kafka.pid"),
  };
}

/**
 * The broker's `message.max.bytes`: a record batch that carries Herald's largest
 * record. Kafka checks the whole batch, header included, against it, so it allows
 * MESSAGE_OVERHEAD_BYTES above MAX_MESSAGE_BYTES.
 */
export const BROKER_MESSAGE_MAX_BYTES = MAX_MESSAGE_BYTES + MESSAGE_OVERHEAD_BYTES;

/** The broker's configuration file, written at every start. */
export function serverProperties(settings: StackSettings): string {
  const { host } = settings;
  const { port, controllerPort } = settings.kafka;
  const p = kafkaPaths(settings);
  return `# Written by \`herald stack up\`: a single-node KRaft broker for local work and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${host}:${controllerPort}
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}
advertised.listeners=PLAINTEXT://${host}:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${p.data}
num.partitions=1
# One broker: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
# Services create their topics explicitly (DESIGN §4); a typo must not create one.
auto.create.topics.enable=false
# Consumer groups form at once instead of waiting for more members.
group.initial.rebalance.delay.ms=0
log.cleaner.enable=true
# The largest record Herald writes (MAX_MESSAGE_BYTES in @herald/contracts) plus its
# batch's framing, for every topic that does not set max.message.bytes itself (the
# internal ones among them); the default, about 1 MiB, refuses a large item. Replica
# fetches must take a batch that large too: one broker has no followers, but the
# setting is kept consistent with message.max.bytes, as on a real cluster.
message.max.bytes=${BROKER_MESSAGE_MAX_BYTES}
replica.fetch.max.bytes=${BROKER_MESSAGE_MAX_BYTES}
`;
}

export function log4jProperties(settings: StackSettings): string {
  const p = kafkaPaths(settings);
  return `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${join(p.dir, "server.log")}
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.controller=WARN
log4j.logger.kafka.log.LogCleaner=WARN
`;
}

/**
 * Why a running broker is not configured as a start now would configure it, or
 * undefined: `server.properties` is written only when the broker starts, so a
 * broker started by an older Herald keeps the older settings until it restarts.
 */
export function kafkaConfigOutdated(settings: StackSettings): string | undefined {
  const file = kafkaPaths(settings).properties;
  if (!existsSync(file)) return undefined;
  if (readFileSync(file, "utf8") === serverProperties(settings)) return undefined;
  return `it runs with an older ${file}`;
}
