/**
 * What every Herald service stands on: configuration, logging, telemetry, Kafka
 * and MongoDB wiring, health and shutdown, token files. Start tracing first with
 * `node --import @herald/runtime/instrumentation`.
 */
export {
  ConfigError,
  loadConfig,
  type ConfigOf,
  type EnvSchema,
  type EnvVar,
} from "./config/config";
export { env } from "./config/env";
export { kafkaEnv, mongoEnv, processEnv } from "./config/common";
export { createLogger, type Logger, type LoggerConfig, type LogLevel } from "./logging/logger";
export { startTelemetry, activeTelemetry, type Telemetry } from "./telemetry/sdk";
export { extractTraceContext, heraldTracer, injectTraceContext } from "./telemetry/tracing";
export { createKafkaClient, type KafkaClientConfig } from "./kafka/client";
export {
  decodePayload,
  encodePayload,
  headersToStrings,
  schemaHeaders,
  type DecodeResult,
} from "./kafka/codec";
export { topicName } from "./kafka/topic-names";
export {
  ensureServiceTopics,
  ensureTopics,
  type EnsureTopicsOptions,
  type EnsureTopicsResult,
  type ServiceTopicSettings,
} from "./kafka/topics";
export {
  createProducer,
  createTransactionalProducer,
  isFencedError,
  type TransactionalProducer,
  type HeraldProducer,
  type OutgoingRecord,
  type ProducerOptions,
} from "./kafka/producer";
export {
  createConsumerRunner,
  type ConsumedMessage,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  type ConsumerState,
  type ConsumerStatus,
  type HandlerContext,
  type InvalidMessage,
} from "./kafka/consumer";
export { restartAfterCrash, type CrashRestartOptions } from "./kafka/crash-restart";
export { connectMongo, type MongoOptions } from "./mongo/connect";
export {
  startHealthServer,
  type CheckResult,
  type HealthCheck,
  type HealthServer,
  type HealthServerOptions,
} from "./health/server";
export { createShutdown, type Shutdown, type ShutdownOptions } from "./lifecycle/shutdown";
export { runService, type RunningService } from "./lifecycle/run-service";
export {
  DEFAULT_TOKEN_RULES,
  TokenFileError,
  hashToken,
  newToken,
  parseTokenFile,
  readTokenFile,
  requireTokenName,
  rotateToken,
  tokenFileOf,
  writeSecretFile,
  writeTokenFile,
  type TokenEntry,
  type TokenFile,
  type TokenFileRules,
} from "./tokens/token-file";
export {
  TOKEN_RELOAD_INTERVAL_MS,
  TokenStore,
  bearerToken,
  type TokenStoreOptions,
} from "./tokens/token-store";
