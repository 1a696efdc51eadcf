import {
  ConfigError,
  createLogger,
  createShutdown,
  loadConfig,
  startHealthServer,
} from "@herald/runtime";
import { portalEnv } from "./config";
import { startPortal } from "./service";

/** The portal process: config → connections → components → start. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(portalEnv);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ service: "portal", level: config.LOG_LEVEL });
  const shutdown = createShutdown({ logger });
  shutdown.installSignalHandlers();
  const portal = await startPortal(config, logger);
  shutdown.add("portal", () => portal.stop());
  if (config.HEALTH_PORT !== undefined) {
    const health = await startHealthServer({
      port: config.HEALTH_PORT,
      host: config.HEALTH_HOST,
      logger,
      checks: { portal: () => portal.ready() },
      metrics: () => portal.channel.metricsText(),
    });
    shutdown.add("health", () => health.close());
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `portal failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
