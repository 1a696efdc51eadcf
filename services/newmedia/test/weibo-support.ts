import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApplyContext, Holding } from "@herald/channel-kit";
import { itemState } from "@herald/channel-kit/testing";
import { ItemStatus, type ItemState } from "@herald/contracts";
import { startPlatforms, type Platforms } from "@herald/platforms";
import { createLogger, type Logger } from "@herald/runtime";
import { testStack, useTestNamespace } from "@herald/test-harness";
import mongoose, { type Connection } from "mongoose";
import { weiboAccountSchema, type WeiboAccount } from "../src/accounts";
import { createWeiboPublisher, type WeiboPublisher } from "../src/weibo";

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

/** A news item with a summary, as the posts show it. */
export function news(
  id: string,
  version: number,
  title: string,
  extra: Parameters<typeof itemState>[2] = {},
): ItemState {
  return itemState(id, version, {
    title,
    summary: `${title}：海关总署发布通知，自即日起简化进出口申报手续。`,
    ...extra,
  });
}

/** An account of the emulator: its name (also the publisher's account) and what its app may do. */
export interface WeiboSeed {
  uid: string;
  name: string;
  commercial?: boolean;
  /** The app's reviewed safe domains on the platform; default the portal's host. */
  safeDomains?: string[];
}

export interface PublisherSettings {
  postsPerHour?: number;
  maxQueueWaitMs?: number;
  commercialDelete?: boolean;
  safeDomains?: string[];
}

/**
 * One test file's Weibo world: the newmedia database in FerretDB, the emulator
 * with `seeds` and a clock the test moves, a server for pictures, and publishers
 * with quick polls and backoffs. Everything stops before the namespace's clean-up.
 */
export function useWeiboWorld(label: string, seeds: readonly WeiboSeed[]) {
  const ns = useTestNamespace(label);
  const connection: Connection = mongoose.createConnection(testStack().mongoUrl, {
    dbName: ns.dbName("newmedia"),
  });
  const clock = new TestClock();
  const publishers: WeiboPublisher[] = [];
  let platforms: Platforms | undefined;
  let pictures: Awaited<ReturnType<typeof startPictureServer>> | undefined;

  beforeAll(async () => {
    await connection.asPromise();
    pictures = await startPictureServer({
      "/cover.png": PNG,
      "/drawing.svg": Buffer.from("<svg/>"),
    });
    platforms = await startPlatforms({
      now: clock.now,
      weibo: seeds.map((s) => ({
        uid: s.uid,
        accessToken: `token-${s.uid}`,
        name: s.name,
        safeDomains: s.safeDomains ?? [PORTAL_HOST],
        commercial: s.commercial ?? false,
      })),
    });
  });
  ns.beforeCleanup(async () => {
    await Promise.all(publishers.map((p) => p.close()));
    await platforms?.close();
    await pictures?.close();
    await connection.close();
  });

  const seedOf = (name: string): WeiboSeed => {
    const seed = seeds.find((s) => s.name === name);
    if (!seed) throw new Error(`no seed named ${name}`);
    return seed;
  };
  const emulator = (): Platforms => {
    if (!platforms) throw new Error("the emulator starts in beforeAll");
    return platforms;
  };

  const world = {
    connection,
    clock,
    emulator,
    picturesUrl: () => pictures!.url,
    uidOf: (name: string) => seedOf(name).uid,
    /** The account's posts on the emulator's public listing, newest first. */
    postsOf: (name: string) => emulator().control.weibo(seedOf(name).uid).posts,
    livePostsOf: (name: string) => world.postsOf(name).filter((p) => !p.deleted),
    callsOf: (name: string, api?: string) =>
      emulator().control.calls({
        platform: "weibo",
        account: seedOf(name).uid,
        ...(api ? { api } : {}),
      }),
    account(name: string, settings: PublisherSettings = {}): WeiboAccount {
      const seed = seedOf(name);
      return weiboAccount({
        account: name,
        uid: seed.uid,
        token: `token-${seed.uid}`,
        baseUrl: emulator().url,
        ...(settings.postsPerHour ? { postsPerHour: settings.postsPerHour } : {}),
        ...(settings.safeDomains ? { safeDomains: settings.safeDomains } : {}),
        commercialDelete: settings.commercialDelete ?? seed.commercial ?? false,
      });
    },
    /** A publisher for the account `name`, as the service makes one (quick polls and backoffs). */
    publisher(name: string, settings: PublisherSettings = {}): WeiboPublisher {
      const p = createWeiboPublisher({
        account: world.account(name, settings),
        portalBaseUrl: PORTAL,
        db: connection,
        logger: quietLogger,
        now: clock.now,
        pollIntervalMs: 10,
        backoffMs: [10, 20, 30],
        ...(settings.maxQueueWaitMs !== undefined
          ? { maxQueueWaitMs: settings.maxQueueWaitMs }
          : {}),
      });
      publishers.push(p);
      return p;
    },
  };
  return world;
}
