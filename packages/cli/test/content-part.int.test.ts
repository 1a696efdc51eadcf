import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { hashToken } from "@herald/runtime";
import { ROOT, herald, testStack, useTestNamespace } from "@herald/test-harness";
import { ensureLocalCredentials } from "../src/content/secrets";
import { contentSettings } from "../src/content/settings";
import { stackSettings } from "../src/stack/settings";
import { contentPart } from "../src/up/content-part";
import { down, upDetached } from "../src/up/up";
import { freePort, tempDir } from "./content-support";

const home = tempDir("cli-up");
let env: NodeJS.ProcessEnv;
// Stops the service (if a test failed half-way) before the namespace's clean-up runs.
afterAll(async () => {
  if (env) await contentPart(stackSettings(env), env).stop();
  rmSync(home, { recursive: true, force: true });
});
const ns = useTestNamespace("cli-up");

const mode = (path: string) => statSync(path).mode & 0o777;

beforeAll(async () => {
  // The running test stack stands in for the local one; the service gets ports,
  // topics and a database of its own, so nothing else is disturbed.
  const kafkaPort = testStack().brokers[0]!.split(":").pop();
  env = {
    ...process.env,
    HERALD_HOME: home,
    HERALD_KAFKA_PORT: kafkaPort,
    HERALD_FERRETDB_PORT: new URL(testStack().mongoUrl).port || "27017",
    HERALD_CONTENT_HTTP_PORT: String(await freePort()),
    HERALD_CONTENT_GRPC_PORT: String(await freePort()),
    HERALD_CONTENT_HEALTH_PORT: String(await freePort()),
    HERALD_TOPIC_PREFIX: ns.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "1",
    CONTENT_DB: ns.dbName("content"),
    HERALD_CONTENT_URL: "",
    HERALD_TOKEN: "",
  };
});

describe("local credentials", () => {
  it("are made once, readable by their owner only, and the service's file holds their hashes", async () => {
    const settings = contentSettings(stackSettings(env), env);
    const { tokensFile, serviceTokensFile } = settings.secrets;
    expect(tokensFile).toBe(join(home, "secrets", "tokens.json"));

    const first = await ensureLocalCredentials(settings);
    expect(first.created).toBe(true);
    expect(mode(join(home, "secrets"))).toBe(0o700);
    expect(mode(tokensFile)).toBe(0o600);
    expect(mode(serviceTokensFile)).toBe(0o600);

    const local = JSON.parse(readFileSync(tokensFile, "utf8")) as {
      contentUrl: string;
      tokens: Record<string, string>;
    };
    expect(local.contentUrl).toBe(`http://127.0.0.1:${env.HERALD_CONTENT_HTTP_PORT}`);
    expect(Object.keys(local.tokens)).toEqual([
      "admin",
      "editor",
      "reviewer",
      "penalty-system",
      "portal",
      "reconciler",
      "outlet-gateway",
      "newmedia",
    ]);
    expect(new Set(Object.values(local.tokens)).size).toBe(8);

    const service = JSON.parse(readFileSync(serviceTokensFile, "utf8")) as {
      tokens: Array<{ name: string; roles: string[]; kinds?: string[]; sha256: string }>;
    };
    expect(service.tokens).toEqual([
      { name: "admin", roles: ["admin"], sha256: hashToken(local.tokens.admin!) },
      { name: "editor", roles: ["editor"], sha256: hashToken(local.tokens.editor!) },
      { name: "reviewer", roles: ["reviewer"], sha256: hashToken(local.tokens.reviewer!) },
      {
        name: "penalty-system",
        roles: ["upstream"],
        kinds: ["administrative-penalty"],
        sha256: hashToken(local.tokens["penalty-system"]!),
      },
      { name: "portal", roles: ["channel"], sha256: hashToken(local.tokens.portal!) },
      { name: "reconciler", roles: ["channel"], sha256: hashToken(local.tokens.reconciler!) },
      {
        name: "outlet-gateway",
        roles: ["channel"],
        sha256: hashToken(local.tokens["outlet-gateway"]!),
      },
      { name: "newmedia", roles: ["channel"], sha256: hashToken(local.tokens.newmedia!) },
    ]);
    expect(readFileSync(serviceTokensFile, "utf8")).not.toContain(local.tokens.admin);

    const before = [readFileSync(tokensFile, "utf8"), readFileSync(serviceTokensFile, "utf8")];
    const second = await ensureLocalCredentials(settings);
    expect(second.created).toBe(false);
    expect([readFileSync(tokensFile, "utf8"), readFileSync(serviceTokensFile, "utf8")]).toEqual(
      before,
    );
  });
});

describe("the content service as a part of herald up", () => {
  it("starts detached, reports ready with its addresses, serves the commands, and stops", async () => {
    const stack = stackSettings(env);
    const part = contentPart(stack, env);
    const http = `http://127.0.0.1:${env.HERALD_CONTENT_HTTP_PORT}`;
    expect((await part.status()).state).toBe("stopped");

    const lines: string[] = [];
    await upDetached(stack, [part], (line) => lines.push(line));
    const printed = lines.join("\n");
    expect(printed).toContain(
      `content  ready     ${http}, gRPC 127.0.0.1:${env.HERALD_CONTENT_GRPC_PORT}`,
    );
    expect(printed).toContain(`content HTTP API  ${http}/api`);
    expect(printed).toContain(`tokens            ${join(home, "secrets", "tokens.json")}`);
    const tokens = JSON.parse(readFileSync(join(home, "secrets", "tokens.json"), "utf8")) as {
      tokens: Record<string, string>;
    };
    for (const token of Object.values(tokens.tokens)) expect(printed).not.toContain(token);
    const log = join(home, "services", "content", "content.log");
    expect(printed).toContain(`content log       ${log}`);
    const pidFile = join(home, "services", "content", "content.pid");
    expect(readFileSync(pidFile, "utf8")).toContain(join(ROOT, "services/content/src/main.ts"));

    // The commands find the service and the admin token through the local tokens file.
    const published = herald(["publish", join(ROOT, "examples/items/news.md"), "--json"], env);
    expect(published.stderr).toBe("");
    expect(published.stdout).toBe(`{"id":"news-2016-customs-open-day","version":1}\n`);
    expect(herald(["item", "news-2016-customs-open-day"], env).stdout).toContain(
      "  status     published",
    );

    expect(await part.start()).toBe("running");
    const clash = contentPart(stackSettings({ ...env, HERALD_HOME: join(home, "clash") }), env);
    await expect(clash.start()).rejects.toThrow(
      `port ${env.HERALD_CONTENT_HTTP_PORT} (content service HTTP API) is taken by another program; stop it, or choose another port with HERALD_CONTENT_HTTP_PORT`,
    );

    const stopped: string[] = [];
    await down(stack, [part], (line) => stopped.push(line));
    expect(stopped).toEqual(["stopped content"]);
    expect((await part.status()).state).toBe("stopped");
    expect(existsSync(pidFile)).toBe(false);
    expect(readFileSync(log, "utf8")).toContain("content service listening");

    const refused = herald(["item", "news-2016-customs-open-day"], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `herald: the content service is not running at ${http} (connection refused); start it with \`./herald up\`\n`,
    );
  });
});
