import { join } from "node:path";
import { ConfigError } from "@herald/runtime";
import { platformsSettings, platformsUrl } from "../platforms/settings";
import { stackSettings } from "../stack/settings";
import { newmediaInventoryAddresses, newmediaSettings, newmediaUrl } from "./settings";

const home = "/tmp/herald-newmedia-settings";
const stack = () => stackSettings({ HERALD_HOME: home });

describe("where herald up runs the newmedia channel and the platforms emulator", () => {
  it("defaults to the design's ports: newmedia 4200, its inventories from 50200, the emulator 4290", () => {
    const settings = newmediaSettings(stack(), {});
    expect(settings).toMatchObject({
      host: "127.0.0.1",
      httpPort: 4200,
      inventoryPort: 50200,
      dir: join(home, "services", "newmedia"),
      pidFile: join(home, "services", "newmedia", "newmedia.pid"),
      logFile: join(home, "services", "newmedia", "newmedia.log"),
      main: join(stack().root, "services", "newmedia", "src", "main.ts"),
      files: {
        accountsFile: join(home, "secrets", "newmedia-accounts.json"),
        wechatSecretFile: join(home, "secrets", "newmedia-wechat-demo-secret"),
        weiboAccessTokenFile: join(home, "secrets", "newmedia-weibo-demo-access-token"),
        wechatEventTokenFile: join(home, "secrets", "newmedia-wechat-demo-event-token"),
      },
    });
    expect(newmediaUrl(settings)).toBe("http://127.0.0.1:4200");
    expect(newmediaInventoryAddresses(settings, 2)).toEqual(["127.0.0.1:50200", "127.0.0.1:50201"]);

    const platforms = platformsSettings(stack(), {});
    expect(platforms).toMatchObject({
      port: 4290,
      pidFile: join(home, "services", "platforms", "platforms.pid"),
      main: join(stack().root, "packages", "platforms", "src", "main.ts"),
      accountsFile: join(home, "secrets", "platforms-accounts.json"),
      stateFile: join(home, "services", "platforms", "state.json"),
    });
    expect(platformsUrl(platforms)).toBe("http://127.0.0.1:4290");
  });

  it("moves to the ports the variables name", () => {
    const environment = {
      HERALD_NEWMEDIA_PORT: "14200",
      HERALD_NEWMEDIA_INVENTORY_PORT: "15200",
      HERALD_PLATFORMS_PORT: "14290",
    };
    const settings = newmediaSettings(stack(), environment);
    expect(settings).toMatchObject({ httpPort: 14200, inventoryPort: 15200 });
    expect(newmediaInventoryAddresses(settings, 1)).toEqual(["127.0.0.1:15200"]);
    expect(platformsUrl(platformsSettings(stack(), environment))).toBe("http://127.0.0.1:14290");
  });

  it("refuses port 0: the commands and the channel's accounts must know where they listen", () => {
    expect(() => newmediaSettings(stack(), { HERALD_NEWMEDIA_PORT: "0" })).toThrow(ConfigError);
    expect(() => newmediaSettings(stack(), { HERALD_NEWMEDIA_INVENTORY_PORT: "x" })).toThrow(
      /HERALD_NEWMEDIA_INVENTORY_PORT/,
    );
    expect(() => platformsSettings(stack(), { HERALD_PLATFORMS_PORT: "0" })).toThrow(
      /HERALD_PLATFORMS_PORT/,
    );
  });
});
