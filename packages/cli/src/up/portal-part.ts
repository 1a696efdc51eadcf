import { ensureLocalCredentials } from "../content/secrets";
import { contentGrpcAddress, contentSettings } from "../content/settings";
import { portalInventoryAddress, portalSettings, portalUrl } from "../portal/settings";
import { ferretdbUrl } from "../stack/ferretdb";
import { kafkaAddress } from "../stack/kafka";
import type { StackSettings } from "../stack/settings";
import type { Part } from "./parts";
import { servicePart } from "./service-part";

/**
 * The public portal as a part of `herald up`, after the content service: it reads
 * the items from Kafka, asks the content service (role `channel`) for the current
 * state of what it must redeliver, and answers the reconciler's inventory calls.
 * Ready when its /readyz answers 200.
 */
export function portalPart(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): Part {
  const settings = portalSettings(stack, environment);
  const content = contentSettings(stack, environment);
  const url = portalUrl(settings);
  const inventory = portalInventoryAddress(settings);
  return servicePart({
    name: "portal",
    title: "portal",
    cwd: stack.root,
    main: settings.main,
    dir: settings.dir,
    pidFile: settings.pidFile,
    logFile: settings.logFile,
    host: settings.host,
    ports: [
      { port: settings.httpPort, what: "website", variable: "HERALD_PORTAL_PORT" },
      { port: settings.healthPort, what: "health endpoint", variable: "HERALD_PORTAL_HEALTH_PORT" },
      {
        port: settings.inventoryPort,
        what: "inventory gRPC",
        variable: "HERALD_PORTAL_INVENTORY_PORT",
      },
    ],
    healthPort: settings.healthPort,
    url,
    address: `${url}, inventory gRPC ${inventory}`,
    env: () => ({
      ...environment,
      KAFKA_BROKERS: kafkaAddress(stack),
      MONGO_URL: ferretdbUrl(stack),
      PORTAL_HTTP_HOST: settings.host,
      PORTAL_HTTP_PORT: String(settings.httpPort),
      PORTAL_BASE_URL: url,
      HEALTH_HOST: settings.host,
      HEALTH_PORT: String(settings.healthPort),
      CHANNEL_INVENTORY_HOST: settings.host,
      CHANNEL_INVENTORY_PORT: String(settings.inventoryPort),
      CHANNEL_INVENTORY_TOKENS_FILE: settings.secrets.inventoryTokensFile,
      CHANNEL_CONTENT_GRPC: contentGrpcAddress(content),
      CHANNEL_CONTENT_TOKEN_FILE: settings.secrets.portalContentTokenFile,
    }),
    // The content service's part makes the credentials before it starts; this covers
    // a content service that was already running, started by an older `herald up`:
    // it reads its token file again within seconds, so it accepts the portal's new token.
    prepare: async () => void (await ensureLocalCredentials(content)),
    details: () => [
      `portal            ${url}`,
      `portal inventory  ${inventory} (gRPC)`,
      `portal log        ${settings.logFile}`,
    ],
  });
}
