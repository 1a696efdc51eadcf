import { relative } from "node:path";
import { ensureLocalCredentials } from "../content/secrets";
import { contentGrpcAddress, contentSettings } from "../content/settings";
import { portalInventoryAddress, portalSettings } from "../portal/settings";
import { reconcilerGrpcAddress, reconcilerSettings, reconcilerUrl } from "../reconciler/settings";
import { ferretdbUrl } from "../stack/ferretdb";
import { kafkaAddress } from "../stack/kafka";
import type { StackSettings } from "../stack/settings";
import type { Part } from "./parts";
import { servicePart } from "./service-part";

/** A path as the user would type it from the repository root, when it is inside it. */
function fromRoot(root: string, path: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/**
 * The reconciler process's environment: the local stack's addresses, its ports,
 * its credential files, the portal as the channel it must expect, and the
 * content service it asks which accepted versions are announced.
 */
export function reconcilerProcessEnv(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const settings = reconcilerSettings(stack, environment);
  const { secrets } = settings;
  const portal = portalSettings(stack, environment);
  const content = contentSettings(stack, environment);
  return {
    ...environment,
    KAFKA_BROKERS: kafkaAddress(stack),
    MONGO_URL: ferretdbUrl(stack),
    RECONCILER_HTTP_HOST: settings.host,
    RECONCILER_HTTP_PORT: String(settings.httpPort),
    RECONCILER_GRPC_HOST: settings.host,
    RECONCILER_GRPC_PORT: String(settings.grpcPort),
    HEALTH_HOST: settings.host,
    HEALTH_PORT: String(settings.healthPort),
    RECONCILER_TOKENS_FILE: secrets.reconcilerTokensFile,
    RECONCILER_SESSION_SECRET_FILE: secrets.reconcilerSessionSecretFile,
    RECONCILER_INVENTORY_TOKEN_FILE: secrets.reconcilerInventoryTokenFile,
    // Expected from the start, so an item the portal never got shows as missing
    // even before the portal announces itself.
    RECONCILER_CHANNELS: `portal=${portalInventoryAddress(portal)}`,
    // Asked which accepted versions are not on herald.items.v1 yet (role channel, read-only).
    RECONCILER_CONTENT_ADDRESS: contentGrpcAddress(content),
    RECONCILER_CONTENT_TOKEN_FILE: secrets.reconcilerContentTokenFile,
  };
}

/**
 * The reconciler as a part of `herald up`, after the portal: it reads the items
 * and the receipts from Kafka, audits the portal's inventory with the inventory
 * token, and serves the operators' dashboard and API (operator token). Ready when
 * its /readyz answers 200.
 */
export function reconcilerPart(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): Part {
  const settings = reconcilerSettings(stack, environment);
  const content = contentSettings(stack, environment);
  const url = reconcilerUrl(settings);
  const grpc = reconcilerGrpcAddress(settings);
  const { secrets } = settings;
  return servicePart({
    name: "reconciler",
    title: "reconciler",
    cwd: stack.root,
    main: settings.main,
    dir: settings.dir,
    pidFile: settings.pidFile,
    logFile: settings.logFile,
    host: settings.host,
    ports: [
      { port: settings.httpPort, what: "dashboard and API", variable: "HERALD_RECONCILER_PORT" },
      {
        port: settings.healthPort,
        what: "health endpoint",
        variable: "HERALD_RECONCILER_HEALTH_PORT",
      },
      { port: settings.grpcPort, what: "gRPC", variable: "HERALD_RECONCILER_GRPC_PORT" },
    ],
    healthPort: settings.healthPort,
    url,
    address: `${url} (dashboard), gRPC ${grpc}`,
    env: () => reconcilerProcessEnv(stack, environment),
    // Adds the operator token, and the reconciler's files, to a home that an older
    // `herald up` made; the other parts may already be running from it.
    prepare: async () => void (await ensureLocalCredentials(content)),
    details: () => [
      `reconciler        ${url} (dashboard; sign in with the operator token in ${fromRoot(stack.root, secrets.tokensFile)})`,
      `reconciler gRPC   ${grpc}`,
      `reconciler log    ${settings.logFile}`,
    ],
  });
}
