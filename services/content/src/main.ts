import {
  ConfigError,
  createLogger,
  createShutdown,
  loadConfig,
  startHealthServer,
} from "@herald/runtime";
import { contentEnv } from "./config";
import { startContentService } from "./service";

/** The content service process: config → connections → components → start. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(contentEnv);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ service: "content", level: config.LOG_LEVEL });
  const shutdown = createShutdown({ logger });
  shutdown.installSignalHandlers();
  const service = await startContentService(config, logger);
  shutdown.add("content service", () => service.stop());
  if (config.HEALTH_PORT !== undefined) {
    const health = await startHealthServer({
      port: config.HEALTH_PORT,
      host: config.HEALTH_HOST,
      logger,
      checks: { content: () => service.ready() },
    });
    shutdown.add("health", () => health.close());
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `content service failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
