import { ensureChromium } from "./browser";
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
  await provisionChromium();
}

/**
 * Installs Chromium here, once, rather than in the first browser test, whose timeout
 * an apt install would overrun. Quick when it is installed. A failure only fails the
 * browser tests: they get the reason through HERALD_CHROMIUM_ERROR instead of each
 * trying the install again.
 */
async function provisionChromium(): Promise<void> {
  try {
    process.env.HERALD_CHROMIUM = await ensureChromium();
    process.stderr.write(`Chromium for browser tests: ${process.env.HERALD_CHROMIUM}\n`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.env.HERALD_CHROMIUM_ERROR = reason;
    process.stderr.write(`Browser tests will fail: ${reason}\n`);
  }
}
