import { testStack } from "@herald/test-harness";
import { createKafkaClient } from "../src/kafka/client";
import { createLogger } from "../src/logging/logger";

/** A quiet logger; set TEST_LOG_LEVEL=debug to see what the runtime logs. */
export const testLogger = createLogger({
  service: "runtime-test",
  level: (process.env.TEST_LOG_LEVEL as "debug" | undefined) ?? "silent",
});

/** A kafkajs client configured exactly as services configure theirs. */
export function runtimeKafka(clientId: string) {
  return createKafkaClient({ brokers: testStack().brokers, clientId, logger: testLogger });
}
