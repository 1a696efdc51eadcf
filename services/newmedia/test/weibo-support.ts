import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApplyContext, Holding } from "@herald/channel-kit";
import { ItemStatus } from "@herald/contracts";
import { createLogger, type Logger } from "@herald/runtime";
import { weiboAccountSchema, type WeiboAccount } from "../src/accounts";

/** The portal the posts link to; the accounts' safe domain. */
export const PORTAL = "https://www.customs.example";
export const PORTAL_HOST = "www.customs.example";

export const quietLogger: Logger = createLogger({ service: "newmedia-test", level: "silent" });

/** The context of a first apply from the item stream. */
export const fromStream: ApplyContext = { attempt: 1, previous: undefined, source: "stream" };

/** A PNG of one pixel: a post's picture. */
export const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082",
  "hex",
);

/** A clock the test moves by hand, in ms since the epoch. */
export class TestClock {
  constructor(public at = Date.parse("2026-12-05T02:00:00Z")) {}
  readonly now = (): number => this.at;
  advance(ms: number): void {
    this.at += ms;
  }
}

/** Writes an access token into a secret file of its own, as the deployment's secret store would. */
export function tokenFile(token: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "herald-weibo-token-")), "token");
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return path;
}

/** A Weibo account as the accounts file would give it (with the schema's defaults). */
export function weiboAccount(
  fields: {
    account: string;
    uid: string;
    token: string;
    baseUrl: string;
  } & Partial<Pick<WeiboAccount, "safeDomains" | "postsPerHour" | "commercialDelete">>,
): WeiboAccount {
  return weiboAccountSchema.parse({
    account: fields.account,
    displayName: `海关发布 ${fields.account}`,
    uid: fields.uid,
    accessTokenFile: tokenFile(fields.token),
    baseUrl: fields.baseUrl,
    safeDomains: fields.safeDomains ?? [PORTAL_HOST],
    postsPerHour: fields.postsPerHour ?? 30,
    commercialDelete: fields.commercialDelete ?? false,
  });
}

/** Serves pictures the way a portal serves an item's images: path → bytes. */
export async function startPictureServer(
  files: Record<string, Buffer>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const body = files[req.url ?? ""];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the runtime's holding says the channel holds of `itemId`. */
export function heldAt(itemId: string, externalRef: string, version = 1): Holding {
  return {
    itemId,
    version,
    checksum: `sha256:${itemId}:${version}`,
    externalRef,
    status: "held",
    itemStatus: ItemStatus.ITEM_STATUS_PUBLISHED,
    appliedAt: new Date(),
    applies: 1,
  };
}
