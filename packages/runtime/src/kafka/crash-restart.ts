import type { Consumer } from "kafkajs";
import type { Logger } from "../logging/logger";

export interface CrashRestartOptions {
  /** Connects and runs the consumer again with its handlers; its subscriptions persist. */
  run: () => Promise<void>;
  /** True once the owner has begun to stop it: a crash then is left alone. */
  stopping: () => boolean;
  logger: Logger;
  /** Called once the consumer runs again. */
  onRestarted?: () => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Restarts a consumer that kafkajs gave up on. kafkajs restarts a crashed consumer
 * only when the error is retriable, and some errors it counts as final are not, for
 * a service that outlives a broker restart: "Failed to find group coordinator" while
 * the broker's coordinator loads, or a connection refused past its retries. A
 * consumer left crashed reads nothing until someone restarts the process, so this
 * restarts it with backoff (doubling from `initialDelayMs` to `maxDelayMs`) until it
 * runs again or its owner stops it. Returns a function that cancels a pending
 * restart and waits for one under way: the owner awaits it before disconnecting,
 * so no restart can bring the consumer back after the owner stopped it.
 */
export function restartAfterCrash(
  consumer: Consumer,
  options: CrashRestartOptions,
): () => Promise<void> {
  const initial = options.initialDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 30_000;
  let delay = initial;
  let timer: NodeJS.Timeout | undefined;
  let underWay: Promise<void> | undefined;

  const attempt = async () => {
    timer = undefined;
    if (options.stopping()) return;
    try {
      await consumer.connect();
      // The owner may have begun to stop while this connected: it must not run again.
      if (options.stopping()) return;
      await options.run();
      if (options.stopping()) return;
      delay = initial;
      options.logger.warn("consumer restarted after a crash kafkajs would not restart");
      options.onRestarted?.();
    } catch (error) {
      options.logger.error({ err: error, retryInMs: delay }, "consumer restart failed; retrying");
      schedule();
    }
  };
  const schedule = () => {
    if (timer !== undefined || options.stopping()) return;
    timer = setTimeout(() => {
      underWay = attempt().finally(() => (underWay = undefined));
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, max);
  };

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) schedule();
  });
  return async () => {
    clearTimeout(timer);
    timer = undefined;
    await underWay;
  };
}
