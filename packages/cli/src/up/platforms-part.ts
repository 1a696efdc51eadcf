import { ensureDemoAccounts } from "../newmedia/demo-accounts";
import { newmediaSettings } from "../newmedia/settings";
import { platformsSettings, platformsUrl } from "../platforms/settings";
import { portalSettings, portalUrl } from "../portal/settings";
import type { StackSettings } from "../stack/settings";
import type { Part } from "./parts";
import { servicePart } from "./service-part";

/**
 * The emulator's environment: its port, the accounts file `herald up` wrote (the
 * demo accounts, whose secrets the newmedia channel holds too) and a state file,
 * so the articles and posts it shows outlive a restart like the channel's holdings do.
 */
export function platformsProcessEnv(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const settings = platformsSettings(stack, environment);
  return {
    ...environment,
    HERALD_PLATFORMS_HOST: settings.host,
    HERALD_PLATFORMS_PORT: String(settings.port),
    HERALD_PLATFORMS_ACCOUNTS_FILE: settings.accountsFile,
    HERALD_PLATFORMS_STATE_FILE: settings.stateFile,
  };
}

/**
 * `herald-platforms`, the WeChat and Weibo emulator, as a part of `herald up`,
 * before the newmedia channel that publishes to it: no machine here reaches the
 * real platforms. Ready when its public view answers.
 */
export function platformsPart(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): Part {
  const settings = platformsSettings(stack, environment);
  const newmedia = newmediaSettings(stack, environment);
  const portal = portalSettings(stack, environment);
  const url = platformsUrl(settings);
  return servicePart({
    name: "platforms",
    title: "platforms emulator",
    cwd: stack.root,
    main: settings.main,
    dir: settings.dir,
    pidFile: settings.pidFile,
    logFile: settings.logFile,
    host: settings.host,
    ports: [{ port: settings.port, what: "port", variable: "HERALD_PLATFORMS_PORT" }],
    healthPort: settings.port,
    // The emulator is no Herald service: its public view answering is its readiness.
    healthPath: "/",
    url,
    address: `${url} (WeChat and Weibo, emulated)`,
    env: () => platformsProcessEnv(stack, environment),
    prepare: () => {
      ensureDemoAccounts(newmedia, settings, portalUrl(portal));
      return Promise.resolve();
    },
    details: () => [
      `platforms         WeChat/Weibo as the public sees them: ${url}/ (the herald-platforms emulator)`,
      `platforms log     ${settings.logFile}`,
    ],
    timeoutMs: 60_000,
  });
}
