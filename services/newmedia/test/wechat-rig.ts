/**
 * What the WeChat publisher's tests share: a namespaced database, a portal that
 * serves the images items link, and per test an emulator with an account of its
 * own and a publisher for it, on a clock the test can move.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mongoose from "mongoose";
import type { ApplyContext, Holding } from "@herald/channel-kit";
import { itemState } from "@herald/channel-kit/testing";
import { ItemStatus, type ItemState } from "@herald/contracts";
import { startPlatforms, type Platforms } from "@herald/platforms";
import { createLogger } from "@herald/runtime";
import { testStack, type TestNamespace } from "@herald/test-harness";
import { wechatAccountSchema } from "../src/accounts";
import { PLACEHOLDER_COVER_JPEG } from "../src/wechat/placeholder-cover";
import {
  createWechatPublisher,
  type WechatPublisher,
  type WechatPublisherOptions,
} from "../src/wechat";

export const ctx: ApplyContext = { attempt: 1, previous: undefined, source: "stream" };

/** A 1×1 PNG: a body image. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
/** A "PNG" of 1.5 MB: over uploadimg's 1 MB. */
const HUGE_PNG = Buffer.concat([PNG, Buffer.alloc(1_500_000)]);

export interface Rig {
  appId: string;
  account: string;
  platforms: Platforms;
  publisher: WechatPublisher;
  /** Moves both clocks (emulator and publisher) forward. */
  advance(ms: number): void;
  /** A second publisher for the same account and database: the service after a restart. */
  restart(): WechatPublisher;
  /** Calls per API the emulator logged for this account, from `since` (an index into the log). */
  calls(since?: number): Record<string, number>;
  callLog(): number;
  articles(): Array<{
    article_id: string;
    title: string;
    content: string;
    content_source_url: string;
    url: string;
    deleted: boolean;
  }>;
}

export interface WechatRigs {
  db: mongoose.Connection;
  /** The portal's base URL (known once the file's beforeAll ran). */
  portalUrl: () => string;
  rig: (
    options?: Partial<WechatPublisherOptions>,
    publishJobMs?: number,
    verified?: boolean,
  ) => Promise<Rig>;
}

/** Call at the top of a test file, after useTestNamespace. */
export function useWechatRigs(ns: TestNamespace): WechatRigs {
  const db = mongoose.createConnection(testStack().mongoUrl, { dbName: ns.dbName("newmedia") });
  ns.beforeCleanup(() => db.close());
  const logger = createLogger({ service: "newmedia-test", level: "silent" });
  const secretDir = mkdtempSync(join(tmpdir(), "herald-wechat-"));

  /** The portal's images, as the renderer links them. */
  let portal: Server;
  let portalUrl = "";
  beforeAll(async () => {
    portal = createServer((req, res) => {
      const images: Record<string, [Buffer, string]> = {
        "/images/chart.png": [PNG, "image/png"],
        "/images/huge.png": [HUGE_PNG, "image/png"],
        "/images/cover.jpg": [PLACEHOLDER_COVER_JPEG, "image/jpeg"],
      };
      const image = images[req.url ?? ""];
      if (!image) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": image[1] }).end(image[0]);
    });
    await new Promise<void>((resolve) => portal.listen(0, "127.0.0.1", resolve));
    portalUrl = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => portal.close(() => resolve())));

  let rigs = 0;
  async function rig(
    options: Partial<WechatPublisherOptions> = {},
    publishJobMs = 100,
    verified = true,
  ): Promise<Rig> {
    rigs += 1;
    const appId = `wx${ns.id.slice(1, 9)}${rigs}`;
    let skew = 0;
    const now = (): number => Date.now() + skew;
    const platforms = await startPlatforms({
      now,
      publishJobMs,
      wechat: [{ appId, secret: `secret-${appId}`, name: "海关发布", verified }],
    });
    ns.beforeCleanup(() => platforms.close());
    const secretFile = join(secretDir, appId);
    writeFileSync(secretFile, `secret-${appId}\n`);
    const account = wechatAccountSchema.parse({
      account: `customs-${rigs}`,
      displayName: "海关发布",
      appId,
      secretFile,
      baseUrl: platforms.url,
      author: "海关",
    });
    const make = (): WechatPublisher => {
      const publisher = createWechatPublisher({
        account,
        portalBaseUrl: portalUrl,
        db,
        logger,
        now,
        pollIntervalMs: 50,
        maxPollIntervalMs: 200,
        publishTimeoutMs: 5_000,
        busyBackoffMs: [20, 40, 80],
        ...options,
      });
      ns.beforeCleanup(() => publisher.close());
      return publisher;
    };
    const log = () => platforms.control.calls({ platform: "wechat", account: appId });
    return {
      appId,
      account: account.account,
      platforms,
      publisher: make(),
      advance: (ms) => void (skew += ms),
      restart: make,
      callLog: () => log().length,
      calls(since = 0) {
        const counts: Record<string, number> = {};
        for (const call of log().slice(since)) counts[call.api] = (counts[call.api] ?? 0) + 1;
        return counts;
      },
      articles: () => platforms.control.wechat(appId).articles,
    };
  }
  return { db, portalUrl: () => portalUrl, rig };
}

export function news(
  id: string,
  version: number,
  overrides: Parameters<typeof itemState>[2] = {},
): ItemState {
  return itemState(id, version, {
    title: `海关总署发布第${version}版公告`,
    summary: "关于进一步优化口岸营商环境的公告。",
    bodyHtml: `<p>第 ${version} 版正文。</p><p><img src="/images/chart.png" alt="图表"></p>`,
    ...overrides,
  });
}

export function holdingOf(state: ItemState, externalRef: string): Holding {
  return {
    itemId: state.id,
    version: Number(state.version),
    checksum: state.checksum,
    externalRef,
    status: "held",
    itemStatus: ItemStatus.ITEM_STATUS_PUBLISHED,
    appliedAt: new Date(),
    applies: 1,
  };
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}
