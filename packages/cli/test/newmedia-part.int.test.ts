import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, testStack, useTestNamespace } from "@herald/test-harness";
import { stackSettings } from "../src/stack/settings";
import { platformsPart } from "../src/up/platforms-part";
import { down, upDetached } from "../src/up/up";
import { freePort, tempDir } from "./content-support";

const home = tempDir("cli-newmedia");
const ns = useTestNamespace("cli-newmedia");
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // The running test stack stands in for the local one; the emulator and the
  // channel get ports, a database and a consumer group of their own.
  env = {
    ...process.env,
    HERALD_HOME: home,
    HERALD_KAFKA_PORT: testStack().brokers[0]!.split(":").pop(),
    HERALD_FERRETDB_PORT: new URL(testStack().mongoUrl).port || "27017",
    HERALD_PLATFORMS_PORT: String(await freePort()),
    HERALD_PORTAL_PORT: String(await freePort()),
    HERALD_TOPIC_PREFIX: ns.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "1",
    HERALD_NEWMEDIA_URL: "",
    HERALD_OPERATOR_TOKEN: "",
  };
  // Stopped (if a test failed half-way) before the namespace's topics and databases go.
  ns.beforeCleanup(async () => {
    await platformsPart(stackSettings(env), env).stop();
    rmSync(home, { recursive: true, force: true });
  });
});

const secret = (name: string) => join(home, "secrets", name);
const mode = (path: string) => statSync(path).mode & 0o777;

describe("the platforms emulator as a part of herald up", () => {
  it("starts with the demo accounts it shares with the channel, takes their secrets, shows them to the public and stops", async () => {
    const stack = stackSettings(env);
    const parts = [platformsPart(stack, env)];
    const url = `http://127.0.0.1:${env.HERALD_PLATFORMS_PORT}`;
    expect((await parts[0]!.status()).state).toBe("stopped");

    const lines: string[] = [];
    await upDetached(stack, parts, (line) => lines.push(line));
    const printed = lines.join("\n");
    expect(printed).toContain(`platforms  ready     ${url} (WeChat and Weibo, emulated)`);
    expect(printed).toContain(
      `platforms         WeChat/Weibo as the public sees them: ${url}/ (the herald-platforms emulator)`,
    );
    const log = join(home, "services", "platforms", "platforms.log");
    expect(printed).toContain(`platforms log     ${log}`);
    expect(readFileSync(join(home, "services", "platforms", "platforms.pid"), "utf8")).toContain(
      join(ROOT, "packages/platforms/src/main.ts"),
    );
    for (const file of [
      "platforms-accounts.json",
      "newmedia-accounts.json",
      "newmedia-wechat-demo-secret",
      "newmedia-weibo-demo-access-token",
    ]) {
      expect(mode(secret(file))).toBe(0o600);
    }
    const wechatSecret = readFileSync(secret("newmedia-wechat-demo-secret"), "utf8");
    expect(printed).not.toContain(wechatSecret);

    // The channel's copy of the secret is the one the emulator takes, as WeChat would.
    const token = (await (
      await fetch(
        `${url}/cgi-bin/token?grant_type=client_credential&appid=wxdemo0000000001&secret=${wechatSecret}`,
      )
    ).json()) as { access_token?: string; expires_in?: number };
    expect(token.expires_in).toBe(7200);
    expect(token.access_token).toEqual(expect.any(String));
    const refused = (await (
      await fetch(
        `${url}/cgi-bin/token?grant_type=client_credential&appid=wxdemo0000000001&secret=x`,
      )
    ).json()) as { errcode?: number };
    expect(refused.errcode).toBe(40125); // invalid AppSecret

    // The public view lists both demo accounts.
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain("海关发布");
    expect(page).toContain("海关发布微博");

    const stopped: string[] = [];
    await down(stack, parts, (line) => stopped.push(line));
    expect(stopped).toEqual(["stopped platforms"]);
    expect((await parts[0]!.status()).state).toBe("stopped");
  }, 120_000);
});
