import { ensureLocalCredentials } from "../content/secrets";
import { contentGrpcAddress, contentSettings } from "../content/settings";
import {
  outletGatewayGrpcAddress,
  outletGatewaySettings,
  outletGatewayUrl,
} from "../outlet/settings";
import { ferretdbUrl } from "../stack/ferretdb";
import { kafkaAddress } from "../stack/kafka";
import type { StackSettings } from "../stack/settings";
import type { Part } from "./parts";
import { servicePart } from "./service-part";

/**
 * The outlet gateway process's environment: the local stack's addresses, its two
 * ports, the operators' admin token file and the channels' inventory token file
 * (the reconciler audits outlets with the same inventory token as the portal),
 * and the content service's address with its own content token, to read the
 * current state of an item an outlet must get again.
 */
export function outletGatewayProcessEnv(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const settings = outletGatewaySettings(stack, environment);
  const content = contentSettings(stack, environment);
  const env: NodeJS.ProcessEnv = {
    ...environment,
    KAFKA_BROKERS: kafkaAddress(stack),
    MONGO_URL: ferretdbUrl(stack),
    OUTLET_GRPC_HOST: settings.host,
    OUTLET_GRPC_PORT: String(settings.grpcPort),
    OUTLET_HTTP_HOST: settings.host,
    OUTLET_HTTP_PORT: String(settings.httpPort),
    OUTLET_ADMIN_TOKENS_FILE: settings.secrets.outletAdminTokensFile,
    OUTLET_INVENTORY_TOKENS_FILE: settings.secrets.inventoryTokensFile,
    OUTLET_CONTENT_GRPC: contentGrpcAddress(content),
    OUTLET_CONTENT_TOKEN_FILE: settings.secrets.outletGatewayContentTokenFile,
  };
  // Its health is on its HTTP port; a HEALTH_PORT from the shell would open a second server.
  delete env.HEALTH_PORT;
  return env;
}

/**
 * The outlet gateway as a part of `herald up`, after the content service and
 * before the reconciler: at start it announces every registered outlet, and the
 * reconciler must read those announcements to owe the outlets their items. Ready
 * when its /readyz answers 200.
 */
export function outletGatewayPart(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): Part {
  const settings = outletGatewaySettings(stack, environment);
  const content = contentSettings(stack, environment);
  const url = outletGatewayUrl(settings);
  const grpc = outletGatewayGrpcAddress(settings);
  return servicePart({
    name: "outlet-gateway",
    title: "outlet gateway",
    cwd: stack.root,
    main: settings.main,
    dir: settings.dir,
    pidFile: settings.pidFile,
    logFile: settings.logFile,
    host: settings.host,
    ports: [
      { port: settings.grpcPort, what: "gRPC", variable: "HERALD_OUTLET_GATEWAY_GRPC_PORT" },
      {
        port: settings.httpPort,
        what: "admin API",
        variable: "HERALD_OUTLET_GATEWAY_HTTP_PORT",
      },
    ],
    healthPort: settings.httpPort,
    url,
    address: `gRPC ${grpc}, admin ${url}`,
    env: () => outletGatewayProcessEnv(stack, environment),
    // Adds the outlet admin token to a home that an older `herald up` made.
    prepare: async () => void (await ensureLocalCredentials(content)),
    details: () => [
      `outlet gateway    ${grpc} (gRPC; \`./herald outlet add <name> --kinds …\` registers an outlet)`,
      `outlet admin      ${url}/admin/outlets`,
      `outlet log        ${settings.logFile}`,
    ],
  });
}
