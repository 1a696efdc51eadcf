import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  ChannelInventoryClient,
  ContentServiceClient,
  ListHoldingsRequest,
} from "@herald/contracts";
import { ROOT, herald, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { stackSettings } from "../src/stack/settings";
import { contentPart } from "../src/up/content-part";
import { portalPart } from "../src/up/portal-part";
import { down, upDetached } from "../src/up/up";
import { freePort, tempDir } from "./content-support";

const home = tempDir("cli-portal");
const ns = useTestNamespace("cli-portal");
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // The running test stack stands in for the local one; the services get ports,
  // topics, databases and a consumer group of their own.
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
    HERALD_TOPIC_PREFIX: ns.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "1",
    CONTENT_DB: ns.dbName("content"),
    CHANNEL_DB: ns.dbName("portal"),
    CHANNEL_GROUP: ns.groupId("portal"),
    HERALD_CONTENT_URL: "",
    HERALD_TOKEN: "",
  };
  // Stopped (if a test failed half-way) before the namespace's topics and databases go.
  ns.beforeCleanup(async () => {
    await portalPart(stackSettings(env), env).stop();
    await contentPart(stackSettings(env), env).stop();
    rmSync(home, { recursive: true, force: true });
  });
});

const secret = (name: string) => join(home, "secrets", name);

interface LocalTokensFile {
  contentUrl: string;
  tokens: Record<string, string>;
  inventoryToken: string;
}
const localTokens = () =>
  JSON.parse(readFileSync(secret("tokens.json"), "utf8")) as LocalTokensFile;

function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/** The portal's inventory as the operators' token sees it: item ids held. */
function listHoldings(token: string): Promise<string[]> {
  const client = new ChannelInventoryClient(
    `127.0.0.1:${env.HERALD_PORTAL_INVENTORY_PORT}`,
    grpc.credentials.createInsecure(),
  );
  return new Promise<string[]>((resolve, reject) => {
    client.listHoldings(
      ListHoldingsRequest.fromPartial({ pageSize: 100 }),
      bearer(token),
      (error, response) =>
        error ? reject(error) : resolve(response.holdings.map((h) => h.itemId)),
    );
  }).finally(() => client.close());
}

/** GetItem on the content service's gRPC with `token`: the version, or the gRPC error code. */
function getItem(token: string, id: string): Promise<number> {
  const client = new ContentServiceClient(
    `127.0.0.1:${env.HERALD_CONTENT_GRPC_PORT}`,
    grpc.credentials.createInsecure(),
  );
  return new Promise<number>((resolve, reject) => {
    client.getItem({ id }, bearer(token), (error, response) =>
      error ? reject(error) : resolve(response.item?.version ?? 0),
    );
  }).finally(() => client.close());
}

describe("the portal as a part of herald up", () => {
  it("starts after the content service with its credentials, serves the published items, and stops first", async () => {
    const stack = stackSettings(env);
    const parts = [contentPart(stack, env), portalPart(stack, env)];
    const site = `http://127.0.0.1:${env.HERALD_PORTAL_PORT}`;
    const inventory = `127.0.0.1:${env.HERALD_PORTAL_INVENTORY_PORT}`;
    expect((await parts[1]!.status()).state).toBe("stopped");

    const lines: string[] = [];
    await upDetached(stack, parts, (line) => lines.push(line));
    const printed = lines.join("\n");
    expect(printed).toContain(`portal   ready     ${site}, inventory gRPC ${inventory}`);
    expect(printed).toContain(`portal            ${site}`);
    expect(printed).toContain(`portal inventory  ${inventory} (gRPC)`);
    const log = join(home, "services", "portal", "portal.log");
    expect(printed).toContain(`portal log        ${log}`);
    expect(printed).not.toContain("note:");
    expect(readFileSync(join(home, "services", "portal", "portal.pid"), "utf8")).toContain(
      join(ROOT, "services/portal/src/main.ts"),
    );

    const health = `http://127.0.0.1:${env.HERALD_PORTAL_HEALTH_PORT}/readyz`;
    expect((await fetch(health)).status).toBe(200);
    const home_ = await fetch(`${site}/`);
    expect(home_.status).toBe(200);
    expect(await home_.text()).toContain("<!DOCTYPE html>");

    // The portal reads the items the content service publishes, on this test's topics.
    const published = herald(["publish", join(ROOT, "examples/items/news.md"), "--json"], env);
    expect(published.stderr).toBe("");
    const id = "news-2016-customs-open-day";
    await waitFor(async () => (await fetch(`${site}/items/${id}`)).status === 200, {
      description: `${id} on the portal`,
      timeoutMs: 30_000,
    });

    // The operators' inventory token opens the portal's inventory; the portal's own
    // token reads from the content service.
    const tokens = localTokens();
    expect(await listHoldings(tokens.inventoryToken)).toContain(id);
    await expect(listHoldings(tokens.tokens.portal!)).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
    });
    expect(readFileSync(secret("portal-content-token"), "utf8")).toBe(tokens.tokens.portal);
    expect(await getItem(tokens.tokens.portal!, id)).toBe(1);

    expect(await parts[1]!.start()).toBe("running");
    const clash = portalPart(stackSettings({ ...env, HERALD_HOME: join(home, "clash") }), env);
    await expect(clash.start()).rejects.toThrow(
      `port ${env.HERALD_PORTAL_PORT} (portal website) is taken by another program; stop it, or choose another port with HERALD_PORTAL_PORT`,
    );

    const stopped: string[] = [];
    await down(stack, parts, (line) => stopped.push(line));
    expect(stopped).toEqual(["stopped portal", "stopped content"]);
    expect((await parts[1]!.status()).state).toBe("stopped");
    expect(readFileSync(log, "utf8")).toContain("portal listening");
  });

  it("lets the portal read from a running content service that predates its token, without a restart", async () => {
    const stack = stackSettings(env);
    const content = contentPart(stack, env);
    const portal = portalPart(stack, env);
    await content.start();
    // As if this content service came from a `herald up` that made no portal token.
    const { contentUrl, tokens } = localTokens();
    const older = Object.fromEntries(Object.entries(tokens).filter(([user]) => user !== "portal"));
    writeFileSync(secret("tokens.json"), JSON.stringify({ contentUrl, tokens: older }));

    await upDetached(stack, [content, portal], () => undefined);
    const now = localTokens();
    expect(now.tokens).toMatchObject(older);
    // The content service reads its token file again within 2 s: the portal's new
    // token is known (an unknown item, not an unknown caller).
    await waitFor(
      () =>
        getItem(now.tokens.portal!, "any").then(
          () => false,
          (error: { code?: number }) => error.code === grpc.status.NOT_FOUND,
        ),
      { timeoutMs: 15_000, intervalMs: 250, description: "the portal's new token accepted" },
    );

    // `herald down` stops the portal only: this `herald up` found the content service running.
    const stopped: string[] = [];
    await down(stack, [content, portal], (line) => stopped.push(line));
    expect(stopped).toEqual(["stopped portal"]);
    await content.stop();
  });
});
