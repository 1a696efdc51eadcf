import { createServer } from "node:http";
import { runService } from "@herald/runtime";
import { newmediaEnv } from "./config";
import { operatorHandler } from "./operator-http";
import { platformPublishers } from "./platform-publishers";
import { startNewmedia } from "./service";

/** The newmedia process: every configured WeChat and Weibo account, as outlets of one channel. */
runService({
  name: "newmedia",
  env: newmediaEnv,
  async start(config, logger) {
    const service = await startNewmedia(config, logger, { factories: platformPublishers });
    const server = createServer(
      operatorHandler({
        service,
        tokensFile: config.NEWMEDIA_OPERATOR_TOKENS_FILE,
        logger,
      }),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.NEWMEDIA_HTTP_PORT, config.NEWMEDIA_HTTP_HOST, resolve);
    });
    logger.info(
      { url: `http://${config.NEWMEDIA_HTTP_HOST}:${config.NEWMEDIA_HTTP_PORT}` },
      "health, metrics and the operators' API listening",
    );
    return {
      ready: () => service.ready(),
      metrics: () => service.metricsText(),
      async stop() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await service.stop();
      },
    };
  },
});
