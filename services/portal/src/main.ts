import { runService } from "@herald/runtime";
import { portalEnv } from "./config";
import { startPortal } from "./service";

/** The portal process: config → connections → components → start. */
runService({
  name: "portal",
  env: portalEnv,
  async start(config, logger) {
    const portal = await startPortal(config, logger);
    return {
      ready: () => portal.ready(),
      metrics: () => portal.channel.metricsText(),
      stop: () => portal.stop(),
    };
  },
});
