import { join } from "node:path";
import { loadConfig } from "@herald/runtime";
import { type LocalSecrets, localSecrets } from "../content/settings";
import type { StackSettings } from "../stack/settings";
import { fixedPort, serviceFiles } from "../up/service-settings";

const localPortalEnv = {
  HERALD_PORTAL_PORT: fixedPort(4100, "portal website port"),
  HERALD_PORTAL_HEALTH_PORT: fixedPort(4101, "portal /livez and /readyz port"),
  HERALD_PORTAL_INVENTORY_PORT: fixedPort(50100, "portal ChannelInventory gRPC port"),
};

/** Where `herald up` runs the public portal. */
export interface PortalSettings {
  host: string;
  httpPort: number;
  healthPort: number;
  inventoryPort: number;
  /** Its pid file and log. */
  dir: string;
  pidFile: string;
  logFile: string;
  /** The service's entry point, run with tsx from the repository root. */
  main: string;
  secrets: LocalSecrets;
}

export function portalSettings(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): PortalSettings {
  const config = loadConfig(localPortalEnv, environment);
  return {
    host: stack.host,
    httpPort: config.HERALD_PORTAL_PORT,
    healthPort: config.HERALD_PORTAL_HEALTH_PORT,
    inventoryPort: config.HERALD_PORTAL_INVENTORY_PORT,
    ...serviceFiles(stack, "portal"),
    main: join(stack.root, "services", "portal", "src", "main.ts"),
    secrets: localSecrets(stack),
  };
}

export function portalUrl(settings: PortalSettings): string {
  return `http://${settings.host}:${settings.httpPort}`;
}

export function portalInventoryAddress(settings: PortalSettings): string {
  return `${settings.host}:${settings.inventoryPort}`;
}
