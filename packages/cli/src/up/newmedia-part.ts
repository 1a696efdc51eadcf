import { ensureLocalCredentials } from "../content/secrets";
import { contentGrpcAddress, contentSettings } from "../content/settings";
import { accountCount, ensureDemoAccounts } from "../newmedia/demo-accounts";
import { newmediaInventoryAddresses, newmediaSettings, newmediaUrl } from "../newmedia/settings";
import { platformsSettings } from "../platforms/settings";
import { portalSettings, portalUrl } from "../portal/settings";
import { ferretdbUrl } from "../stack/ferretdb";
import { kafkaAddress } from "../stack/kafka";
import type { StackSettings } from "../stack/settings";
import type { Part } from "./parts";
import { type ServicePort, servicePart } from "./service-part";

/**
 * The newmedia channel's environment: the channel runtime's variables as the
 * portal gets them (the local stack, the inventory port of its first account, the
 * inventory token file, the content service and a content token of its own), its
 * accounts file, its operators' API port, and the reconciler's operator token
 * file (role operator), so one operator token serves both.
 */
export function newmediaProcessEnv(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const settings = newmediaSettings(stack, environment);
  const content = contentSettings(stack, environment);
  const { secrets } = settings;
  const env: NodeJS.ProcessEnv = {
    ...environment,
    KAFKA_BROKERS: kafkaAddress(stack),
    MONGO_URL: ferretdbUrl(stack),
    CHANNEL_INVENTORY_HOST: settings.host,
    CHANNEL_INVENTORY_PORT: String(settings.inventoryPort),
    CHANNEL_INVENTORY_TOKENS_FILE: secrets.inventoryTokensFile,
    CHANNEL_CONTENT_GRPC: contentGrpcAddress(content),
    CHANNEL_CONTENT_TOKEN_FILE: secrets.newmediaContentTokenFile,
    NEWMEDIA_ACCOUNTS_FILE: settings.files.accountsFile,
    NEWMEDIA_HTTP_HOST: settings.host,
    NEWMEDIA_HTTP_PORT: String(settings.httpPort),
    NEWMEDIA_OPERATOR_TOKENS_FILE: secrets.reconcilerTokensFile,
  };
  // Its health is on its HTTP port; a HEALTH_PORT from the shell would open a second server.
  delete env.HEALTH_PORT;
  return env;
}

/**
 * The newmedia channel (WeChat official accounts and Weibo) as a part of
 * `herald up`, after the content service and the emulator, before the reconciler:
 * it announces each account as an outlet, and the reconciler must read those
 * announcements to owe the accounts their items. Ready when its /readyz answers 200.
 */
export function newmediaPart(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): Part {
  const settings = newmediaSettings(stack, environment);
  const content = contentSettings(stack, environment);
  const platforms = platformsSettings(stack, environment);
  const portal = portalSettings(stack, environment);
  const url = newmediaUrl(settings);
  const inventories = newmediaInventoryAddresses(
    settings,
    accountCount(settings.files.accountsFile),
  );
  const inventoryPorts: ServicePort[] = inventories.map((_, i) => ({
    port: settings.inventoryPort + i,
    what: `inventory gRPC (account ${i + 1} of ${inventories.length})`,
    variable: "HERALD_NEWMEDIA_INVENTORY_PORT",
  }));
  const inventoryRange =
    inventories.length === 1
      ? inventories[0]
      : `${inventories[0]}-${settings.inventoryPort + inventories.length - 1}`;
  return servicePart({
    name: "newmedia",
    title: "newmedia channel",
    cwd: stack.root,
    main: settings.main,
    dir: settings.dir,
    pidFile: settings.pidFile,
    logFile: settings.logFile,
    host: settings.host,
    ports: [
      { port: settings.httpPort, what: "operators' API", variable: "HERALD_NEWMEDIA_PORT" },
      ...inventoryPorts,
    ],
    healthPort: settings.httpPort,
    url,
    address: `${url}, inventory gRPC ${inventoryRange}`,
    env: () => newmediaProcessEnv(stack, environment),
    // Its content token, for a home an older `herald up` made; and the demo
    // accounts, for an emulator that was already running.
    prepare: async () => {
      await ensureLocalCredentials(content);
      ensureDemoAccounts(settings, platforms, portalUrl(portal));
    },
    details: () => [
      `newmedia          ${url}/readyz (health; \`./herald newmedia accounts\` lists the accounts)`,
      `newmedia accounts ${settings.files.accountsFile}`,
      `newmedia log      ${settings.logFile}`,
    ],
  });
}
