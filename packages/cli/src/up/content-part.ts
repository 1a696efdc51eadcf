import { ensureLocalCredentials } from "../content/secrets";
import { contentGrpcAddress, contentSettings, contentUrl } from "../content/settings";
import { ferretdbUrl } from "../stack/ferretdb";
import { kafkaAddress } from "../stack/kafka";
import type { StackSettings } from "../stack/settings";
import type { Part } from "./parts";
import { servicePart } from "./service-part";

/**
 * The content service as a part of `herald up`, started once the local credentials
 * exist; ready when its /readyz answers 200 (connected, its outbox relay without errors).
 */
export function contentPart(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): Part {
  const settings = contentSettings(stack, environment);
  const url = contentUrl(settings);
  return servicePart({
    name: "content",
    title: "content service",
    cwd: stack.root,
    main: settings.main,
    dir: settings.dir,
    pidFile: settings.pidFile,
    logFile: settings.logFile,
    host: settings.host,
    ports: [
      { port: settings.httpPort, what: "HTTP API", variable: "HERALD_CONTENT_HTTP_PORT" },
      { port: settings.grpcPort, what: "gRPC", variable: "HERALD_CONTENT_GRPC_PORT" },
      {
        port: settings.healthPort,
        what: "health endpoint",
        variable: "HERALD_CONTENT_HEALTH_PORT",
      },
    ],
    healthPort: settings.healthPort,
    url,
    address: `${url}, gRPC ${contentGrpcAddress(settings)}`,
    // The local stack's addresses, its ports and token file.
    env: () => ({
      ...environment,
      KAFKA_BROKERS: kafkaAddress(stack),
      MONGO_URL: ferretdbUrl(stack),
      CONTENT_TOKENS_FILE: settings.secrets.serviceTokensFile,
      CONTENT_HTTP_HOST: settings.host,
      CONTENT_HTTP_PORT: String(settings.httpPort),
      CONTENT_GRPC_HOST: settings.host,
      CONTENT_GRPC_PORT: String(settings.grpcPort),
      HEALTH_HOST: settings.host,
      HEALTH_PORT: String(settings.healthPort),
    }),
    prepare: async () => void (await ensureLocalCredentials(settings)),
    details: () => [
      `content HTTP API  ${url}/api`,
      `content gRPC      ${contentGrpcAddress(settings)}`,
      `tokens            ${settings.secrets.tokensFile}`,
      `content log       ${settings.logFile}`,
    ],
  });
}
