import { readFileSync } from "node:fs";
import { type WechatAccountSeed, type WeiboAccountSeed } from "./types";

/** The accounts file `herald-platforms` reads: the seeds of both platforms' accounts. */
export interface PlatformsAccountsFile {
  wechat: WechatAccountSeed[];
  weibo: WeiboAccountSeed[];
}

/**
 * The two demo accounts `herald up` runs with. The secrets are for the local emulator only;
 * the CLI writes them to the accounts file it gives both the emulator and the channel.
 */
export function demoAccounts(secrets: {
  wechatSecret: string;
  weiboAccessToken: string;
}): PlatformsAccountsFile {
  return {
    wechat: [
      { appId: "wxdemo0000000001", secret: secrets.wechatSecret, name: "海关发布", verified: true },
    ],
    weibo: [
      {
        uid: "7000000001",
        accessToken: secrets.weiboAccessToken,
        name: "海关发布微博",
        safeDomains: ["127.0.0.1", "localhost"],
      },
    ],
  };
}

function fail(file: string, path: string, rule: string): never {
  throw new Error(`accounts file ${file}: ${path} ${rule}`);
}

function nonEmpty(file: string, path: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "")
    fail(file, path, "must be a non-empty string");
  return value;
}

/** Reads and checks an accounts file; an error names the file, the field and the rule. */
export function readAccountsFile(file: string): PlatformsAccountsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(
      `accounts file ${file}: cannot be read as JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (typeof parsed !== "object" || parsed === null)
    fail(file, "the file", "must hold a JSON object");
  const root = parsed as Record<string, unknown>;
  const list = (key: string): Array<Record<string, unknown>> => {
    const value = root[key] ?? [];
    if (!Array.isArray(value)) fail(file, key, "must be an array");
    return value.map((v: unknown, i) => {
      if (typeof v !== "object" || v === null) fail(file, `${key}[${i}]`, "must be an object");
      return v as Record<string, unknown>;
    });
  };
  const wechat = list("wechat").map((a, i): WechatAccountSeed => {
    const at = `wechat[${i}]`;
    const seed: WechatAccountSeed = {
      appId: nonEmpty(file, `${at}.appId`, a.appId),
      secret: nonEmpty(file, `${at}.secret`, a.secret),
      name: nonEmpty(file, `${at}.name`, a.name),
    };
    if (a.verified !== undefined) {
      if (typeof a.verified !== "boolean") fail(file, `${at}.verified`, "must be true or false");
      seed.verified = a.verified;
    }
    if (a.eventUrl !== undefined) seed.eventUrl = nonEmpty(file, `${at}.eventUrl`, a.eventUrl);
    if (a.eventToken !== undefined)
      seed.eventToken = nonEmpty(file, `${at}.eventToken`, a.eventToken);
    if (a.quotas !== undefined) {
      if (typeof a.quotas !== "object" || a.quotas === null)
        fail(file, `${at}.quotas`, "must be an object of API → calls per day");
      for (const [api, n] of Object.entries(a.quotas)) {
        if (!Number.isInteger(n) || (n as number) < 0)
          fail(file, `${at}.quotas.${api}`, "must be an integer >= 0");
      }
      seed.quotas = a.quotas;
    }
    return seed;
  });
  const weibo = list("weibo").map((a, i): WeiboAccountSeed => {
    const at = `weibo[${i}]`;
    if (
      !Array.isArray(a.safeDomains) ||
      a.safeDomains.some((d) => typeof d !== "string" || d === "")
    ) {
      fail(file, `${at}.safeDomains`, "must be an array of host names");
    }
    const seed: WeiboAccountSeed = {
      uid: nonEmpty(file, `${at}.uid`, a.uid),
      accessToken: nonEmpty(file, `${at}.accessToken`, a.accessToken),
      name: nonEmpty(file, `${at}.name`, a.name),
      safeDomains: a.safeDomains as string[],
    };
    if (a.commercial !== undefined) {
      if (typeof a.commercial !== "boolean")
        fail(file, `${at}.commercial`, "must be true or false");
      seed.commercial = a.commercial;
    }
    if (a.postsPerHour !== undefined) {
      if (!Number.isInteger(a.postsPerHour) || (a.postsPerHour as number) < 1)
        fail(file, `${at}.postsPerHour`, "must be an integer >= 1");
      seed.postsPerHour = a.postsPerHour as number;
    }
    return seed;
  });
  return { wechat, weibo };
}
