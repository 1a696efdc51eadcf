import { join } from "node:path";
import { loadConfig } from "@herald/runtime";
import { localSecrets } from "../content/settings";
import type { StackSettings } from "../stack/settings";
import { fixedPort, serviceFiles } from "../up/service-settings";

const localPlatformsEnv = {
  HERALD_PLATFORMS_PORT: fixedPort(
    4290,
    "platforms emulator port (WeChat and Weibo APIs, control API, public view)",
  ),
};

/** Where `herald up` runs `herald-platforms`, the WeChat and Weibo emulator. */
export interface PlatformsSettings {
  host: string;
  port: number;
  /** Its pid file and log. */
  dir: string;
  pidFile: string;
  logFile: string;
  /** The emulator's entry point, run with tsx from the repository root. */
  main: string;
  /** The accounts it knows, with their secrets (0600, under `.herald/secrets/`). */
  accountsFile: string;
  /**
   * What the accounts show (articles, posts, tokens), kept across restarts: the
   * newmedia channel's holdings point at them.
   */
  stateFile: string;
}

export function platformsSettings(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): PlatformsSettings {
  const config = loadConfig(localPlatformsEnv, environment);
  const files = serviceFiles(stack, "platforms");
  return {
    host: stack.host,
    port: config.HERALD_PLATFORMS_PORT,
    ...files,
    main: join(stack.root, "packages", "platforms", "src", "main.ts"),
    accountsFile: join(localSecrets(stack).dir, "platforms-accounts.json"),
    stateFile: join(files.dir, "state.json"),
  };
}

/** The emulated APIs' base URL, and the public view of every account at `/`. */
export function platformsUrl(settings: PlatformsSettings): string {
  return `http://${settings.host}:${settings.port}`;
}
