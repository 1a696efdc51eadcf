import { join } from "node:path";
import { loadConfig } from "@herald/runtime";
import { type LocalSecrets, localSecrets } from "../content/settings";
import type { StackSettings } from "../stack/settings";
import { fixedPort, serviceFiles } from "../up/service-settings";

const localNewmediaEnv = {
  HERALD_NEWMEDIA_PORT: fixedPort(
    4200,
    "newmedia operators' API, /livez, /readyz and /metrics port",
  ),
  HERALD_NEWMEDIA_INVENTORY_PORT: fixedPort(
    50200,
    "newmedia ChannelInventory gRPC port of the first account; the next accounts take the following ports",
  ),
};

/** The files `herald up` writes for the newmedia channel's demo accounts. */
export interface NewmediaFiles {
  /** The channel's accounts (no secrets: each account names its secret file). */
  accountsFile: string;
  /** The demo WeChat account's AppSecret, alone. */
  wechatSecretFile: string;
  /** The demo Weibo account's access token, alone. */
  weiboAccessTokenFile: string;
  /** The demo WeChat account's server token, with which the emulator signs its pushes. */
  wechatEventTokenFile: string;
}

/** Where `herald up` runs the newmedia channel (WeChat official accounts and Weibo). */
export interface NewmediaSettings {
  host: string;
  /** The operators' API and health: the service serves both on one port. */
  httpPort: number;
  /** The first account's inventory port. */
  inventoryPort: number;
  /** Its pid file and log. */
  dir: string;
  pidFile: string;
  logFile: string;
  /** The service's entry point, run with tsx from the repository root. */
  main: string;
  secrets: LocalSecrets;
  files: NewmediaFiles;
}

export function newmediaSettings(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): NewmediaSettings {
  const config = loadConfig(localNewmediaEnv, environment);
  const secrets = localSecrets(stack);
  return {
    host: stack.host,
    httpPort: config.HERALD_NEWMEDIA_PORT,
    inventoryPort: config.HERALD_NEWMEDIA_INVENTORY_PORT,
    ...serviceFiles(stack, "newmedia"),
    main: join(stack.root, "services", "newmedia", "src", "main.ts"),
    secrets,
    files: {
      accountsFile: join(secrets.dir, "newmedia-accounts.json"),
      wechatSecretFile: join(secrets.dir, "newmedia-wechat-demo-secret"),
      weiboAccessTokenFile: join(secrets.dir, "newmedia-weibo-demo-access-token"),
      wechatEventTokenFile: join(secrets.dir, "newmedia-wechat-demo-event-token"),
    },
  };
}

/** The operators' API (under /api/v1) and /readyz. */
export function newmediaUrl(settings: NewmediaSettings): string {
  return `http://${settings.host}:${settings.httpPort}`;
}

/**
 * The inventory addresses of `accounts` accounts: the first on the configured
 * port, the next on the following ones, as the service assigns them.
 */
export function newmediaInventoryAddresses(settings: NewmediaSettings, accounts: number): string[] {
  return Array.from(
    { length: accounts },
    (_, i) => `${settings.host}:${settings.inventoryPort + i}`,
  );
}
