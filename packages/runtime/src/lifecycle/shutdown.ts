import type { Logger } from "../logging/logger";

export interface ShutdownOptions {
  logger: Logger;
  /** Time all hooks together may take before the process exits anyway (default 15 s). */
  timeoutMs?: number;
  /** Ends the process; replaced in tests. */
  exit?: (code: number) => void;
}

export interface Shutdown {
  /** Registers a step; steps run in reverse order of registration (consumers before connections). */
  add(name: string, hook: () => Promise<void> | void): void;
  /** Runs every step once; later calls return the same promise. */
  run(reason: string): Promise<number>;
  /** Runs the steps on SIGTERM and SIGINT, then exits; a second signal exits at once. */
  installSignalHandlers(signals?: readonly NodeJS.Signals[]): void;
}

/** Graceful shutdown: stop taking work, finish what is in hand, close connections, exit. */
export function createShutdown(options: ShutdownOptions): Shutdown {
  const hooks: { name: string; hook: () => Promise<void> | void }[] = [];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 15_000;
  let running: Promise<number> | undefined;

  async function runHooks(reason: string): Promise<number> {
    options.logger.info({ reason }, "shutting down");
    let code = 0;
    for (const { name, hook } of [...hooks].reverse()) {
      try {
        await hook();
      } catch (error) {
        code = 1;
        options.logger.error({ err: error, step: name }, "shutdown step failed");
      }
    }
    return code;
  }

  const shutdown: Shutdown = {
    add(name, hook) {
      hooks.push({ name, hook });
    },
    run(reason) {
      running ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<number>((resolve) => {
          timer = setTimeout(() => {
            options.logger.error({ timeoutMs }, "shutdown timed out");
            resolve(1);
          }, timeoutMs);
          timer.unref();
        });
        const code = await Promise.race([runHooks(reason), timeout]);
        clearTimeout(timer);
        return code;
      })();
      return running;
    },
    installSignalHandlers(signals = ["SIGTERM", "SIGINT"]) {
      for (const signal of signals) {
        process.on(signal, () => {
          if (running) {
            options.logger.warn({ signal }, "second signal; exiting now");
            exit(1);
            return;
          }
          void shutdown.run(signal).then(exit);
        });
      }
    },
  };
  return shutdown;
}
