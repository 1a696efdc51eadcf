import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, herald, testStack, useTestNamespace } from "@herald/test-harness";
import type { AccountList } from "../src/newmedia/client";
import { newmediaStatusLines } from "../src/newmedia/status";
import { portInUse } from "../src/stack/processes";
import { stackSettings } from "../src/stack/settings";
import { contentPart } from "../src/up/content-part";
import { newmediaPart } from "../src/up/newmedia-part";
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
    HERALD_CONTENT_HTTP_PORT: String(await freePort()),
    HERALD_CONTENT_GRPC_PORT: String(await freePort()),
    HERALD_CONTENT_HEALTH_PORT: String(await freePort()),
    HERALD_NEWMEDIA_PORT: String(await freePort()),
    HERALD_NEWMEDIA_INVENTORY_PORT: String(await twoFreePorts()),
    CONTENT_DB: ns.dbName("content"),
    NEWMEDIA_DB: ns.dbName("newmedia"),
    CHANNEL_DB: ns.dbName("newmedia-channel"),
    CHANNEL_GROUP: ns.groupId("newmedia"),
    HERALD_TOPIC_PREFIX: ns.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "1",
    HERALD_NEWMEDIA_URL: "",
    HERALD_OPERATOR_TOKEN: "",
  };
  // Stopped (if a test failed half-way) before the namespace's topics and databases go.
  ns.beforeCleanup(async () => {
    await newmediaPart(stackSettings(env), env).stop();
    await platformsPart(stackSettings(env), env).stop();
    await contentPart(stackSettings(env), env).stop();
    rmSync(home, { recursive: true, force: true });
  });
});

/** A free port whose next port is free too: the channel's second account listens there. */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!(await portInUse("127.0.0.1", port + 1))) return port;
  }
}

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

describe("the newmedia channel as a part of herald up, and herald newmedia", () => {
  it("starts after the emulator with both demo accounts, answers the operators' commands and herald status, and stops", async () => {
    const stack = stackSettings(env);
    const parts = [contentPart(stack, env), platformsPart(stack, env), newmediaPart(stack, env)];
    const url = `http://127.0.0.1:${env.HERALD_NEWMEDIA_PORT}`;
    const inventory = Number(env.HERALD_NEWMEDIA_INVENTORY_PORT);

    const lines: string[] = [];
    await upDetached(stack, parts, (line) => lines.push(line));
    const printed = lines.join("\n");
    expect(printed).toContain(
      `newmedia   ready     ${url}, inventory gRPC 127.0.0.1:${inventory}-${inventory + 1}`,
    );
    expect(printed).toContain(`newmedia          ${url}/readyz (health;`);
    expect(printed).toContain(`newmedia accounts ${secret("newmedia-accounts.json")}`);
    expect(readFileSync(join(home, "services", "newmedia", "newmedia.pid"), "utf8")).toContain(
      join(ROOT, "services/newmedia/src/main.ts"),
    );
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // Both accounts serve their inventory, on the first port and the next.
    expect(await portInUse("127.0.0.1", inventory)).toBe(true);
    expect(await portInUse("127.0.0.1", inventory + 1)).toBe(true);
    // Its content token is its own, with role channel.
    const tokens = JSON.parse(readFileSync(secret("tokens.json"), "utf8")) as {
      tokens: Record<string, string>;
    };
    expect(readFileSync(secret("newmedia-content-token"), "utf8")).toBe(tokens.tokens.newmedia);

    const listed = herald(["newmedia", "accounts", "--json"], env);
    expect(listed.stderr).toBe("");
    const { accounts } = JSON.parse(listed.stdout) as AccountList;
    expect(accounts.map((a) => [a.outletId, a.platform, a.displayName])).toEqual([
      ["wechat:demo", "wechat", "海关发布"],
      ["weibo:demo", "weibo", "海关发布微博"],
    ]);
    const human = herald(["newmedia", "accounts"], env);
    expect(human.stdout).toMatch(/^ {2}wechat:demo +海关发布 +(yes|no) +\d+ +/m);
    expect(human.stdout).toMatch(/^ {2}weibo:demo +海关发布微博 +(yes|no) +\d+ +/m);

    expect(herald(["newmedia", "tasks"], env).stdout).toBe("no open operator tasks\n");
    const notFound = herald(["newmedia", "done", "weibo:demo", "no-such-item"], env);
    expect(notFound.status).toBe(1);
    expect(notFound.stderr).toBe(
      "herald: 没有这项待办任务：weibo:demo 上的条目 no-such-item 没有未完成的人工任务 (task.not_found). No open task for item no-such-item on weibo:demo; `./herald newmedia tasks` lists the open ones\n",
    );

    const status = await newmediaStatusLines(env);
    expect(status.slice(0, 3)).toEqual([
      "",
      "newmedia accounts (from the newmedia channel):",
      expect.stringMatching(/^ {2}account +name +last post +open tasks +freshness$/),
    ]);
    expect(status.slice(3).map((line) => line.split(/\s+/)[1])).toEqual([
      "wechat:demo",
      "weibo:demo",
    ]);

    const stopped: string[] = [];
    await down(stack, parts, (line) => stopped.push(line));
    expect(stopped).toEqual(["stopped newmedia", "stopped platforms", "stopped content"]);
    expect(await newmediaStatusLines(env)).toEqual([
      "",
      `newmedia accounts: not shown; the newmedia channel is not running at ${url} (connection refused); start it with \`./herald up\``,
    ]);
  }, 240_000);
});
