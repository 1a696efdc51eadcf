import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, herald, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { stackSettings } from "../src/stack/settings";
import { contentPart } from "../src/up/content-part";
import { outletGatewayPart } from "../src/up/outlet-gateway-part";
import { portalPart } from "../src/up/portal-part";
import { reconcilerPart } from "../src/up/reconciler-part";
import { down, upDetached } from "../src/up/up";
import { freePort, tempDir } from "./content-support";

const home = tempDir("cli-reconciler");
const ns = useTestNamespace("cli-reconciler");
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // The running test stack stands in for the local one; the services get ports,
  // topics, databases and consumer groups of their own.
  env = {
    ...process.env,
    HERALD_HOME: home,
    HERALD_KAFKA_PORT: testStack().brokers[0]!.split(":").pop(),
    HERALD_FERRETDB_PORT: new URL(testStack().mongoUrl).port || "27017",
    HERALD_CONTENT_HTTP_PORT: String(await freePort()),
    HERALD_CONTENT_GRPC_PORT: String(await freePort()),
    HERALD_CONTENT_HEALTH_PORT: String(await freePort()),
    HERALD_PORTAL_PORT: String(await freePort()),
    HERALD_PORTAL_HEALTH_PORT: String(await freePort()),
    HERALD_PORTAL_INVENTORY_PORT: String(await freePort()),
    HERALD_RECONCILER_PORT: String(await freePort()),
    HERALD_RECONCILER_HEALTH_PORT: String(await freePort()),
    HERALD_RECONCILER_GRPC_PORT: String(await freePort()),
    HERALD_OUTLET_GATEWAY_GRPC_PORT: String(await freePort()),
    HERALD_OUTLET_GATEWAY_HTTP_PORT: String(await freePort()),
    HERALD_TOPIC_PREFIX: ns.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "1",
    CONTENT_DB: ns.dbName("content"),
    CHANNEL_DB: ns.dbName("portal"),
    CHANNEL_GROUP: ns.groupId("portal"),
    RECONCILER_DB: ns.dbName("reconciler"),
    RECONCILER_GROUP: ns.groupId("reconciler"),
    OUTLET_DB: ns.dbName("outlet"),
    OUTLET_GROUP_PREFIX: ns.groupId("outlet-"),
    HERALD_CONTENT_URL: "",
    HERALD_TOKEN: "",
    HERALD_RECONCILER_URL: "",
    HERALD_OPERATOR_TOKEN: "",
    HERALD_OUTLET_GATEWAY_URL: "",
    HERALD_OUTLET_ADMIN_TOKEN: "",
  };
  // Stopped (if a test failed half-way) before the namespace's topics and databases go.
  ns.beforeCleanup(async () => {
    const stack = stackSettings(env);
    await reconcilerPart(stack, env).stop();
    await outletGatewayPart(stack, env).stop();
    await portalPart(stack, env).stop();
    await contentPart(stack, env).stop();
    rmSync(home, { recursive: true, force: true });
  });
});

interface Summary {
  id: string;
  version: number;
  channels: Record<string, { state: string; version: number }>;
}

describe("the reconciler as a part of herald up", () => {
  it("starts after the portal and the outlet gateway, proves the portal holds what was published, and stops first", async () => {
    const stack = stackSettings(env);
    const parts = [
      contentPart(stack, env),
      portalPart(stack, env),
      outletGatewayPart(stack, env),
      reconcilerPart(stack, env),
    ];
    const url = `http://127.0.0.1:${env.HERALD_RECONCILER_PORT}`;
    const grpc = `127.0.0.1:${env.HERALD_RECONCILER_GRPC_PORT}`;

    const lines: string[] = [];
    await upDetached(stack, parts, (line) => lines.push(line));
    const printed = lines.join("\n");
    // The outlet gateway's row, the widest name, sets the column; it comes before the reconciler.
    expect(printed).toContain(
      `\n  outlet-gateway  ready     gRPC 127.0.0.1:${env.HERALD_OUTLET_GATEWAY_GRPC_PORT}, admin http://127.0.0.1:${env.HERALD_OUTLET_GATEWAY_HTTP_PORT}\n  reconciler      ready     ${url} (dashboard), gRPC ${grpc}`,
    );
    const tokensFile = join(home, "secrets", "tokens.json");
    expect(printed).toContain(
      `reconciler        ${url} (dashboard; sign in with the operator token in ${tokensFile})`,
    );
    expect(printed).toContain(`reconciler gRPC   ${grpc}`);
    const log = join(home, "services", "reconciler", "reconciler.log");
    expect(printed).toContain(`reconciler log    ${log}`);
    const tokens = JSON.parse(readFileSync(tokensFile, "utf8")) as {
      inventoryToken: string;
      operatorToken: string;
    };
    expect(printed).not.toContain(tokens.operatorToken);
    expect(printed).not.toContain(tokens.inventoryToken);
    expect(readFileSync(join(home, "services", "reconciler", "reconciler.pid"), "utf8")).toContain(
      join(ROOT, "services/reconciler/src/main.ts"),
    );

    // The dashboard takes the operator token.
    const dashboard = await fetch(`${url}/`, {
      headers: { authorization: `Bearer ${tokens.operatorToken}` },
    });
    expect(dashboard.status).toBe(200);
    expect((await fetch(`${url}/`, { redirect: "manual" })).status).toBe(303);
    // It asks the content service, with a token of its own, which versions are announced.
    const content = await waitFor(
      async () => {
        const response = await fetch(`${url}/api/v1/content`, {
          headers: { authorization: `Bearer ${tokens.operatorToken}` },
        });
        const body = (await response.json()) as { ok?: boolean; checkedAt?: string };
        return body.checkedAt ? body : undefined;
      },
      { timeoutMs: 30_000, description: "the reconciler's first ListAnnouncements" },
    );
    // And shows the content service's own readiness, as its /readyz says it.
    expect(content).toMatchObject({
      ok: true,
      pending: 0,
      notAnnounced: 0,
      readiness: { ready: true, detail: expect.stringMatching(/^relay (leading|standing by)/) },
    });

    const published = herald(["publish", join(ROOT, "examples/items/news.md"), "--json"], env);
    expect(published.stderr).toBe("");
    const id = "news-2016-customs-open-day";
    const summary = await waitFor(
      () => {
        const status = herald(["status", id, "--json"], env);
        if (status.status !== 0) return undefined;
        const answer = JSON.parse(status.stdout) as Summary;
        return answer.channels.portal?.state === "delivered" ? answer : undefined;
      },
      { description: `${id} delivered to the portal`, timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(summary).toEqual({
      id,
      version: 1,
      channels: { portal: { state: "delivered", version: 1 } },
    });
    const human = herald(["status", id], env);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^ {2}portal {3}delivered {2}v1 {7}\S/m);

    const unknown = herald(["status", "no-such-item"], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(
      `herald: no item "no-such-item" on the reconciler at ${url}: it was never published, or the reconciler has not read it yet (\`./herald item no-such-item\` asks the content service)\n`,
    );

    const audit = herald(["reconcile", "--json"], env);
    expect(audit.stderr).toBe("");
    expect(audit.status).toBe(0);
    const report = JSON.parse(audit.stdout) as {
      runs: { channel: string; holdings: number; error?: string }[];
      findings: unknown[];
    };
    expect(report.runs).toEqual([
      expect.objectContaining({ channel: "portal", holdings: expect.any(Number) }),
    ]);
    expect(report.runs[0]!.error).toBeUndefined();
    expect(report.runs[0]!.holdings).toBeGreaterThanOrEqual(1);
    const table = herald(["reconcile"], env);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^audited 1 channel:\n {2}portal {2}\d+ holdings? read in /);

    // With an outlet registered, the human form lists it after the item's channels.
    const added = herald(["outlet", "add", "status-board", "--kinds", "news", "--json"], env);
    expect(added.stderr).toBe("");
    const withOutlet = herald(["status", id], env);
    expect(withOutlet.status).toBe(0);
    expect(withOutlet.stdout).toMatch(
      /\noutlets \(from the outlet gateway\):\n {2}outlet +channel +connection +lag\n {2}status-board +outlet-status-board +not connected +\d+\n/,
    );

    expect(await parts[3]!.start()).toBe("running");
    const stopped: string[] = [];
    await down(stack, parts, (line) => stopped.push(line));
    expect(stopped).toEqual([
      "stopped reconciler",
      "stopped outlet-gateway",
      "stopped portal",
      "stopped content",
    ]);
    expect((await parts[3]!.status()).state).toBe("stopped");

    const gone = herald(["status", id], env);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toBe(
      `herald: the reconciler is not running at ${url} (connection refused); start it with \`./herald up\`\n`,
    );
  }, 240_000);
});
