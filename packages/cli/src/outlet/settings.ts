import { join } from "node:path";
import { loadConfig } from "@herald/runtime";
import { type LocalSecrets, localSecrets } from "../content/settings";
import type { StackSettings } from "../stack/settings";
import { fixedPort, serviceFiles } from "../up/service-settings";

const localOutletGatewayEnv = {
  HERALD_OUTLET_GATEWAY_GRPC_PORT: fixedPort(50060, "outlet gateway gRPC port (outlets connect)"),
  HERALD_OUTLET_GATEWAY_HTTP_PORT: fixedPort(
    4700,
    "outlet gateway admin API, /livez, /readyz and /metrics port",
  ),
};

/** Where `herald up` runs the outlet gateway. */
export interface OutletGatewaySettings {
  host: string;
  grpcPort: number;
  /** The admin API and health: the gateway serves both on one port. */
  httpPort: number;
  /** Its pid file and log. */
  dir: string;
  pidFile: string;
  logFile: string;
  /** The service's entry point, run with tsx from the repository root. */
  main: string;
  secrets: LocalSecrets;
}

export function outletGatewaySettings(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): OutletGatewaySettings {
  const config = loadConfig(localOutletGatewayEnv, environment);
  return {
    host: stack.host,
    grpcPort: config.HERALD_OUTLET_GATEWAY_GRPC_PORT,
    httpPort: config.HERALD_OUTLET_GATEWAY_HTTP_PORT,
    ...serviceFiles(stack, "outlet-gateway"),
    main: join(stack.root, "services", "outlet-gateway", "src", "main.ts"),
    secrets: localSecrets(stack),
  };
}

/** The admin API (under /admin) and /readyz. */
export function outletGatewayUrl(settings: OutletGatewaySettings): string {
  return `http://${settings.host}:${settings.httpPort}`;
}

/** Where outlets connect: HERALD_GATEWAY in the examples. */
export function outletGatewayGrpcAddress(settings: OutletGatewaySettings): string {
  return `${settings.host}:${settings.grpcPort}`;
}
