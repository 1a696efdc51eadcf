import { Kafka, logLevel, type KafkaConfig, type LogEntry } from "kafkajs";
import type { Logger } from "../logging/logger";

export interface KafkaClientConfig {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** Overrides for the underlying kafkajs client (timeouts, SSL, SASL). */
  overrides?: Omit<KafkaConfig, "brokers" | "clientId" | "logCreator" | "logLevel">;
}

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** A kafkajs client whose own log lines go to the service's structured log. */
export function createKafkaClient(config: KafkaClientConfig): Kafka {
  const log = config.logger.child({ component: "kafkajs" });
  return new Kafka({
    ...config.overrides,
    brokers: [...config.brokers],
    clientId: config.clientId,
    logLevel: logLevel.INFO,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        log[LEVELS[level] ?? "info"]({ namespace, ...fields }, message);
      },
  });
}
