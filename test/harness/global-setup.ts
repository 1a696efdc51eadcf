import { resolveStack, type StackSource } from "./stack-source";

declare global {
  var heraldTestStack: StackSource | undefined;
}

/**
 * Runs once before the integration tests: finds or starts the real stack and
 * hands its addresses to every test worker through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const stack = await resolveStack();
  globalThis.heraldTestStack = stack;
  process.env.KAFKA_BROKERS = stack.brokers;
  process.env.MONGO_URL = stack.mongoUrl;
  process.env.HERALD_TEST_STACK = stack.kind;
  process.stderr.write(
    `\nIntegration stack (${stack.kind}): Kafka ${stack.brokers}, database ${stack.mongoUrl}\n`,
  );
}
