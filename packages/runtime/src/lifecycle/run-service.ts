import { type ConfigOf, ConfigError, type EnvSchema, loadConfig } from "../config/config";
import type { processEnv } from "../config/common";
import { type CheckResult, startHealthServer } from "../health/server";
import { createLogger, type Logger } from "../logging/logger";
import { createShutdown } from "./shutdown";

/** What a service's start function hands back for health, metrics and shutdown. */
export interface RunningService {
  ready(): CheckResult;
  /** The Prometheus text for `/metrics`, when the service has metrics. */
  metrics?: () => string;
  stop(): Promise<void>;
}

/**
 * A service process's `main`: parses the config (exit 2 naming the variable when
 * it is wrong), starts the service, serves `/livez`, `/readyz` and `/metrics` when
 * HEALTH_PORT is set, and stops everything in reverse order on SIGTERM or SIGINT.
 */
export function runService<S extends EnvSchema & typeof processEnv>(options: {
  name: string;
  env: S;
  start(config: ConfigOf<S>, logger: Logger): Promise<RunningService>;
}): void {
  const main = async () => {
    let config: ConfigOf<S>;
    try {
      config = loadConfig(options.env);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      throw error;
    }
    const logger = createLogger({ service: options.name, level: config.LOG_LEVEL });
    const shutdown = createShutdown({ logger });
    shutdown.installSignalHandlers();
    const service = await options.start(config, logger);
    shutdown.add(options.name, () => service.stop());
    if (config.HEALTH_PORT !== undefined) {
      const health = await startHealthServer({
        port: config.HEALTH_PORT,
        host: config.HEALTH_HOST,
        logger,
        checks: { [options.name]: () => service.ready() },
        ...(service.metrics ? { metrics: service.metrics } : {}),
      });
      shutdown.add("health", () => health.close());
    }
  };
  main().catch((error: unknown) => {
    process.stderr.write(
      `${options.name} failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
