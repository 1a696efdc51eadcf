import { runService } from "@herald/runtime";
import { reconcilerEnv } from "./config";
import { startReconciler } from "./service";

/** The reconciler process: config → connections → components → start. */
runService({
  name: "reconciler",
  env: reconcilerEnv,
  async start(config, logger) {
    const reconciler = await startReconciler(config, logger);
    return {
      ready: () => reconciler.ready(),
      metrics: () => reconciler.metricsText(),
      stop: () => reconciler.stop(),
    };
  },
});
