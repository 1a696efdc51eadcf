import { runService } from "@herald/runtime";
import { outletGatewayEnv } from "./config";
import { startOutletGateway } from "./service";

/** The outlet gateway process: config → connections → components → start. */
runService({
  name: "outlet-gateway",
  env: outletGatewayEnv,
  async start(config, logger) {
    const service = await startOutletGateway(config, logger);
    return {
      ready: () => service.ready(),
      metrics: () => service.metricsText(),
      stop: () => service.stop(),
    };
  },
});
