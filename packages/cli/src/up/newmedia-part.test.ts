import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accountCount, ensureDemoAccounts } from "../newmedia/demo-accounts";
import { newmediaSettings } from "../newmedia/settings";
import { platformsSettings } from "../platforms/settings";
import { stackSettings } from "../stack/settings";
import { newmediaPart, newmediaProcessEnv } from "./newmedia-part";
import { heraldParts } from "./parts";
import { platformsPart, platformsProcessEnv } from "./platforms-part";

const home = "/tmp/herald-newmedia-part";
const secret = (name: string) => join(home, "secrets", name);

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;
const mode = (path: string) => statSync(path).mode & 0o777;

interface PlatformsFile {
  wechat: {
    appId: string;
    secret: string;
    name: string;
    verified?: boolean;
    eventToken?: string;
  }[];
  weibo: { uid: string; accessToken: string; name: string; safeDomains: string[] }[];
}

interface NewmediaFile {
  portalBaseUrl: string;
  wechat: Record<string, unknown>[];
  weibo: Record<string, unknown>[];
}

describe("the platforms emulator and the newmedia channel as parts of herald up", () => {
  it("start after the outlet gateway, the emulator first, and before the reconciler", () => {
    const names = heraldParts(stackSettings({ HERALD_HOME: home })).map((part) => part.name);
    expect(names.slice(-6)).toEqual([
      "content",
      "portal",
      "outlet-gateway",
      "platforms",
      "newmedia",
      "reconciler",
    ]);
  });

  it("run the channel with the runtime's variables as the portal gets them, its accounts and the operator token file", () => {
    const environment = { HERALD_HOME: home, HERALD_NEWMEDIA_PORT: "14200", HEALTH_PORT: "9999" };
    const env = newmediaProcessEnv(stackSettings(environment), environment);
    expect(env).toMatchObject({
      KAFKA_BROKERS: "127.0.0.1:9092",
      MONGO_URL: expect.stringMatching(/^mongodb:\/\/127\.0\.0\.1:27017/),
      CHANNEL_INVENTORY_HOST: "127.0.0.1",
      CHANNEL_INVENTORY_PORT: "50200",
      CHANNEL_INVENTORY_TOKENS_FILE: secret("inventory-tokens.json"),
      CHANNEL_CONTENT_GRPC: "127.0.0.1:50051",
      CHANNEL_CONTENT_TOKEN_FILE: secret("newmedia-content-token"),
      NEWMEDIA_ACCOUNTS_FILE: secret("newmedia-accounts.json"),
      NEWMEDIA_HTTP_HOST: "127.0.0.1",
      NEWMEDIA_HTTP_PORT: "14200",
      NEWMEDIA_OPERATOR_TOKENS_FILE: secret("reconciler-tokens.json"),
    });
    expect(env).not.toHaveProperty("HEALTH_PORT");

    expect(platformsProcessEnv(stackSettings(environment), environment)).toMatchObject({
      HERALD_PLATFORMS_HOST: "127.0.0.1",
      HERALD_PLATFORMS_PORT: "4290",
      HERALD_PLATFORMS_ACCOUNTS_FILE: secret("platforms-accounts.json"),
      HERALD_PLATFORMS_STATE_FILE: join(home, "services", "platforms", "state.json"),
    });
  });

  it("say where the public sees the accounts, where the channel's health is, and their logs", () => {
    const stack = stackSettings({});
    expect(platformsPart(stack, {}).details?.()).toEqual([
      "platforms         WeChat/Weibo as the public sees them: http://127.0.0.1:4290/ (the herald-platforms emulator)",
      `platforms log     ${join(stack.home, "services", "platforms", "platforms.log")}`,
    ]);
    expect(newmediaPart(stack, {}).details?.()).toEqual([
      "newmedia          http://127.0.0.1:4200/readyz (health; `./herald newmedia accounts` lists the accounts)",
      `newmedia accounts ${join(stack.home, "secrets", "newmedia-accounts.json")}`,
      `newmedia log      ${join(stack.home, "services", "newmedia", "newmedia.log")}`,
    ]);
  });

  it("refuse port 0, which herald up cannot tell the commands", () => {
    expect(() => newmediaPart(stackSettings({}), { HERALD_NEWMEDIA_PORT: "0" })).toThrow(
      /HERALD_NEWMEDIA_PORT/,
    );
    expect(() => platformsPart(stackSettings({}), { HERALD_PLATFORMS_PORT: "0" })).toThrow(
      /HERALD_PLATFORMS_PORT/,
    );
  });
});

describe("the demo accounts herald up writes", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "herald-newmedia-demo-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const settingsOf = () => {
    const stack = stackSettings({ HERALD_HOME: dir });
    return { newmedia: newmediaSettings(stack, {}), platforms: platformsSettings(stack, {}) };
  };

  it("give the emulator and the channel the same secrets, 0600, and point the channel at the emulator and the portal", () => {
    const { newmedia, platforms } = settingsOf();
    expect(ensureDemoAccounts(newmedia, platforms, "http://127.0.0.1:4100")).toEqual({
      createdPlatforms: true,
      createdNewmedia: true,
    });
    const seeds = readJson<PlatformsFile>(platforms.accountsFile);
    expect(seeds).toEqual({
      wechat: [
        {
          appId: "wxdemo0000000001",
          secret: expect.stringMatching(/^[0-9a-f]{32}$/),
          name: "海关发布",
          verified: true,
          eventUrl: "http://127.0.0.1:4200/wechat/events/demo",
          eventToken: expect.stringMatching(/^[0-9a-f]{32}$/),
        },
      ],
      weibo: [
        {
          uid: "7000000001",
          accessToken: expect.stringMatching(/^[0-9a-f]{32}$/),
          name: "海关发布微博",
          safeDomains: ["127.0.0.1"],
        },
      ],
    });
    const { wechatSecretFile, weiboAccessTokenFile, wechatEventTokenFile, accountsFile } =
      newmedia.files;
    expect(readFileSync(wechatSecretFile, "utf8")).toBe(seeds.wechat[0]!.secret);
    expect(readFileSync(wechatEventTokenFile, "utf8")).toBe(seeds.wechat[0]!.eventToken);
    expect(readFileSync(weiboAccessTokenFile, "utf8")).toBe(seeds.weibo[0]!.accessToken);
    expect(readJson<NewmediaFile>(accountsFile)).toEqual({
      portalBaseUrl: "http://127.0.0.1:4100",
      wechat: [
        {
          account: "demo",
          displayName: "海关发布",
          appId: "wxdemo0000000001",
          secretFile: wechatSecretFile,
          eventTokenFile: wechatEventTokenFile,
          baseUrl: "http://127.0.0.1:4290",
          author: "海关发布",
        },
      ],
      weibo: [
        {
          account: "demo",
          displayName: "海关发布微博",
          uid: "7000000001",
          accessTokenFile: weiboAccessTokenFile,
          baseUrl: "http://127.0.0.1:4290",
          safeDomains: ["127.0.0.1"],
        },
      ],
    });
    for (const file of [
      platforms.accountsFile,
      wechatSecretFile,
      weiboAccessTokenFile,
      wechatEventTokenFile,
      accountsFile,
    ]) {
      expect(mode(file)).toBe(0o600);
    }
    expect(mode(newmedia.secrets.dir)).toBe(0o700);
    expect(accountCount(accountsFile)).toBe(2);
  });

  it("are written once: an operator's accounts stay, and the channel's secret files follow the emulator's", () => {
    const { newmedia, platforms } = settingsOf();
    ensureDemoAccounts(newmedia, platforms, "http://127.0.0.1:4100");
    const seeds = readJson<PlatformsFile>(platforms.accountsFile);
    seeds.wechat[0]!.secret = "changed-by-the-operator";
    seeds.wechat.push({ appId: "wxsecond", secret: "s2", name: "第二个号" });
    writeFileSync(platforms.accountsFile, JSON.stringify(seeds));
    const edited = readJson<NewmediaFile>(newmedia.files.accountsFile);
    edited.wechat.push({ ...edited.wechat[0], account: "second", appId: "wxsecond" });
    writeFileSync(newmedia.files.accountsFile, JSON.stringify(edited));

    expect(ensureDemoAccounts(newmedia, platforms, "http://127.0.0.1:4100")).toEqual({
      createdPlatforms: false,
      createdNewmedia: false,
    });
    expect(readJson<PlatformsFile>(platforms.accountsFile)).toEqual(seeds);
    expect(readJson<NewmediaFile>(newmedia.files.accountsFile)).toEqual(edited);
    expect(readFileSync(newmedia.files.wechatSecretFile, "utf8")).toBe("changed-by-the-operator");
    expect(accountCount(newmedia.files.accountsFile)).toBe(3);
  });

  it("name the emulator's file when it is not one, and count two accounts before the channel's file exists", () => {
    const { newmedia, platforms } = settingsOf();
    ensureDemoAccounts(newmedia, platforms, "http://127.0.0.1:4100");
    writeFileSync(platforms.accountsFile, JSON.stringify({ accounts: [] }));
    expect(() => ensureDemoAccounts(newmedia, platforms, "http://127.0.0.1:4100")).toThrow(
      `${platforms.accountsFile} is not an accounts file of herald-platforms ({wechat: [...], weibo: [...]}); delete it and run \`./herald up\``,
    );
    expect(accountCount(join(dir, "absent.json"))).toBe(2);
  });
});
