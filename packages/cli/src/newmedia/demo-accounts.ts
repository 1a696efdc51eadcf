import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { CommandError } from "../content/errors";
import { writeSecret } from "../content/secrets";
import type { PlatformsSettings } from "../platforms/settings";
import { platformsUrl } from "../platforms/settings";
import { type NewmediaSettings, newmediaUrl } from "./settings";

/** The demo accounts `herald up` runs: one WeChat official account, one Weibo user. */
export const DEMO_WECHAT = {
  account: "demo",
  displayName: "海关发布",
  /** WARNING: the emulator's demo seed uses this app id too; keep them equal. */
  appId: "wxdemo0000000001",
} as const;

export const DEMO_WEIBO = {
  account: "demo",
  displayName: "海关发布微博",
  /** WARNING: the emulator's demo seed uses this uid too; keep them equal. */
  uid: "7000000001",
} as const;

/** Bytes of randomness in a demo secret: the emulator checks it like the platform would. */
const DEMO_SECRET_BYTES = 16;

/** One seed of the emulator's accounts file, as far as the demo needs. */
interface WechatSeed {
  appId: string;
  secret: string;
  name: string;
  verified?: boolean;
  /** Where the emulator pushes PUBLISHJOBFINISH, signed with `eventToken`. */
  eventUrl?: string;
  eventToken?: string;
}

interface WeiboSeed {
  uid: string;
  accessToken: string;
  name: string;
  safeDomains: string[];
}

interface PlatformsAccounts {
  wechat: WechatSeed[];
  weibo: WeiboSeed[];
}

export interface DemoAccountFiles {
  /** Whether this call wrote the emulator's accounts file (the first `herald up` with newmedia). */
  createdPlatforms: boolean;
  /** Whether this call wrote the channel's accounts file. */
  createdNewmedia: boolean;
}

const newSecret = () => randomBytes(DEMO_SECRET_BYTES).toString("hex");

function readPlatformsAccounts(path: string): PlatformsAccounts {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new CommandError(
      `cannot read ${path}; delete it and run \`./herald up\` to write the demo accounts again`,
    );
  }
  const file = raw as Partial<PlatformsAccounts> | null;
  if (!Array.isArray(file?.wechat) || !Array.isArray(file.weibo)) {
    throw new CommandError(
      `${path} is not an accounts file of herald-platforms ({wechat: [...], weibo: [...]}); delete it and run \`./herald up\``,
    );
  }
  return { wechat: file.wechat, weibo: file.weibo };
}

/** The host a Weibo post must link into: the portal's. */
const hostOf = (url: string) => new URL(url).hostname;

/**
 * Writes the demo accounts once: the emulator's accounts file (the seeds with
 * their secrets) and, for the newmedia channel, its accounts file pointing at the
 * emulator and the portal, with each secret alone in a file of its own. Files that
 * exist are kept, so an operator's added accounts stay; the channel's secret files
 * are brought in line with the emulator's file, which is where the secrets live.
 */
export function ensureDemoAccounts(
  newmedia: NewmediaSettings,
  platforms: PlatformsSettings,
  portalBaseUrl: string,
): DemoAccountFiles {
  const { dir } = newmedia.secrets;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const files = newmedia.files;

  const createdPlatforms = !existsSync(platforms.accountsFile);
  const seeds: PlatformsAccounts = createdPlatforms
    ? {
        wechat: [
          {
            appId: DEMO_WECHAT.appId,
            secret: newSecret(),
            name: DEMO_WECHAT.displayName,
            // Only a verified organisation account may use free publishing.
            verified: true,
            // The channel's server URL: the emulator pushes when a publish job ends.
            eventUrl: `${newmediaUrl(newmedia)}/wechat/events/${DEMO_WECHAT.account}`,
            eventToken: newSecret(),
          },
        ],
        weibo: [
          {
            uid: DEMO_WEIBO.uid,
            accessToken: newSecret(),
            name: DEMO_WEIBO.displayName,
            safeDomains: [hostOf(portalBaseUrl)],
          },
        ],
      }
    : readPlatformsAccounts(platforms.accountsFile);
  if (createdPlatforms) {
    writeSecret(platforms.accountsFile, `${JSON.stringify(seeds, null, 2)}\n`);
  }

  const wechat = seeds.wechat.find((seed) => seed.appId === DEMO_WECHAT.appId);
  const weibo = seeds.weibo.find((seed) => seed.uid === DEMO_WEIBO.uid);
  if (wechat) writeSecret(files.wechatSecretFile, wechat.secret);
  if (wechat?.eventToken) writeSecret(files.wechatEventTokenFile, wechat.eventToken);
  if (weibo) writeSecret(files.weiboAccessTokenFile, weibo.accessToken);

  const createdNewmedia = !existsSync(files.accountsFile);
  if (createdNewmedia) {
    const baseUrl = platformsUrl(platforms);
    const accounts = {
      portalBaseUrl,
      wechat: wechat
        ? [
            {
              account: DEMO_WECHAT.account,
              displayName: DEMO_WECHAT.displayName,
              appId: DEMO_WECHAT.appId,
              secretFile: files.wechatSecretFile,
              ...(wechat.eventToken ? { eventTokenFile: files.wechatEventTokenFile } : {}),
              baseUrl,
              author: DEMO_WECHAT.displayName,
            },
          ]
        : [],
      weibo: weibo
        ? [
            {
              account: DEMO_WEIBO.account,
              displayName: DEMO_WEIBO.displayName,
              uid: DEMO_WEIBO.uid,
              accessTokenFile: files.weiboAccessTokenFile,
              baseUrl,
              safeDomains: weibo.safeDomains,
            },
          ]
        : [],
    };
    writeSecret(files.accountsFile, `${JSON.stringify(accounts, null, 2)}\n`);
  }
  return { createdPlatforms, createdNewmedia };
}

/**
 * How many accounts the channel's accounts file lists (each has an inventory
 * port); the two demo accounts when the file is not there yet or unreadable
 * (the service names what is wrong with it when it starts).
 */
export function accountCount(accountsFile: string): number {
  try {
    const file = JSON.parse(readFileSync(accountsFile, "utf8")) as {
      wechat?: unknown;
      weibo?: unknown;
    };
    const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
    return Math.max(1, count(file.wechat) + count(file.weibo));
  } catch {
    return 2;
  }
}
