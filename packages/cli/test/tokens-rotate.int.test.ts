/**
 * `herald tokens rotate` against running services: the new token is printed once,
 * only its hash goes into the token file, and the content service, the reconciler
 * and the portal's inventory refuse the old token within seconds, without a restart.
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { ChannelInventoryClient } from "@herald/contracts";
import { heraldAsync, useTestNamespace, waitFor } from "@herald/test-harness";
import { type HeraldServices, startHeraldServices } from "@herald/test-harness/services";

const ns = useTestNamespace("cli-tokens-rotate");
let services: HeraldServices;

/** Each service reads its token file again at most every 2 s; a call after that sees the rotation. */
const RELOAD_WAIT = { timeoutMs: 15_000, intervalMs: 250 };

beforeAll(async () => {
  services = await startHeraldServices(ns, {
    portal: true,
    reconciler: { env: { RECONCILER_CHANNELS: "portal" } },
    content: { users: { editor: { roles: ["editor"], token: "rotate-editor-token" } } },
  });
}, 120_000);

async function rotate(name: string, file: string): Promise<string> {
  const result = await heraldAsync(["tokens", "rotate", name, "--file", file], services.cliEnv());
  expect(result.status).toBe(0);
  expect(result.stderr).toContain(`herald: rotated ${name} in ${file}, which keeps only its hash`);
  const token = result.stdout.trim();
  expect(token).toMatch(/^hrld_[A-Za-z0-9_-]{43}$/);
  expect(readFileSync(file, "utf8")).not.toContain(token);
  return token;
}

async function contentStatus(token: string): Promise<number> {
  const response = await fetch(`${services.contentUrl}/api/items/no-such-item`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.text();
  return response.status;
}

async function reconcilerStatus(token: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${services.reconciler.httpPort}/api/v1/findings`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.text();
  return response.status;
}

/** The gRPC status of a ListHoldings call with `token`: 0 when the inventory accepts it. */
function inventoryCode(token: string): Promise<grpc.status> {
  const client = new ChannelInventoryClient(
    `127.0.0.1:${services.portal.inventoryPort}`,
    grpc.credentials.createInsecure(),
  );
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return new Promise<grpc.status>((resolve) =>
    client.listHoldings({ outletId: "", pageSize: 1, pageToken: "" }, metadata, (error) => {
      client.close();
      resolve(error?.code ?? grpc.status.OK);
    }),
  );
}

describe("herald tokens rotate", () => {
  it("gives a content user a new token; the content service refuses the old one without a restart", async () => {
    const old = "rotate-editor-token";
    expect(await contentStatus(old)).toBe(404);
    const fresh = await rotate("editor", services.tokenFiles.content);
    await waitFor(async () => (await contentStatus(old)) === 401, {
      ...RELOAD_WAIT,
      description: "the old editor token refused",
    });
    expect(await contentStatus(fresh)).toBe(404);
    // The other users' tokens are untouched.
    expect(await contentStatus(services.tokens.admin)).toBe(404);
  });

  it("gives an operator a new token; the reconciler refuses the old one without a restart", async () => {
    const old = services.tokens.operator;
    expect(await reconcilerStatus(old)).toBe(200);
    const fresh = await rotate("test-operator", services.tokenFiles.operator);
    await waitFor(async () => (await reconcilerStatus(old)) === 401, {
      ...RELOAD_WAIT,
      description: "the old operator token refused",
    });
    expect(await reconcilerStatus(fresh)).toBe(200);
  });

  it("gives the inventory reader a new token; the portal's inventory refuses the old one without a restart", async () => {
    const old = services.tokens.inventory;
    expect(await inventoryCode(old)).toBe(grpc.status.OK);
    const fresh = await rotate("reconciler", services.tokenFiles.inventory);
    await waitFor(async () => (await inventoryCode(old)) === grpc.status.UNAUTHENTICATED, {
      ...RELOAD_WAIT,
      description: "the old inventory token refused",
    });
    expect(await inventoryCode(fresh)).toBe(grpc.status.OK);
  });

  it("names the file and the names it has when the name is unknown, and changes nothing", async () => {
    const before = readFileSync(services.tokenFiles.content, "utf8");
    const result = await heraldAsync(
      ["tokens", "rotate", "nobody", "--file", services.tokenFiles.content],
      services.cliEnv(),
    );
    expect(result).toMatchObject({
      status: 1,
      stdout: "",
      stderr: `herald: token file ${services.tokenFiles.content} has no token named nobody (it has: admin, portal, reconciler, channel, editor)\n`,
    });
    expect(readFileSync(services.tokenFiles.content, "utf8")).toBe(before);
  });
});
