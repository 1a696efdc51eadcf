/**
 * The newmedia benchmark's surroundings: for each phase a content service, the
 * platforms emulator and the newmedia channel in this process, on names of their
 * own (topics, groups, databases, removed afterwards), one WeChat and one Weibo
 * account, a clock both the emulator and the channel read (so a phase can move
 * to the next day, when the daily quotas reset), and every receipt the accounts
 * send.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createContentClient } from "@herald/channel-kit";
import { startTestContentService } from "@herald/content/testing";
import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import { type NewmediaService, startTestNewmedia } from "@herald/newmedia/testing";
import { type Platforms, type WechatQuotaApi, startPlatforms } from "@herald/platforms";
import { createLogger, decodePayload, headersToStrings, topicName } from "@herald/runtime";
import { type Namespace, type PortalBench } from "./portal-stack";
import { contentSettings } from "./portal-publisher";
import { BenchClock, productionChannelEnv } from "./newmedia-settings";

export const APP_ID = "wxbench";
export const WEIBO_UID = "7300";
export const WECHAT_OUTLET = "wechat:bench";
export const WEIBO_OUTLET = "weibo:bench";
const PORTAL = "http://127.0.0.1:4100";
const ADMIN = "newmedia-bench-admin-token";
const CHANNEL = "newmedia-bench-channel-token";

export interface StackOptions {
  /** Daily quotas of the emulator's account and, under the adapter's names, of the account's configuration. */
  quotas?: Partial<Record<WechatQuotaApi, number>>;
  /** The Weibo account's posts per hour, on the emulator and in the configuration (default 30). */
  postsPerHour?: number;
  /** More environment for the channel. */
  env?: Record<string, string>;
}

function secret(value: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "newmedia-bench-")), "secret");
  writeFileSync(path, value, { mode: 0o600 });
  return path;
}

export interface ReceiptRecord {
  outletId: string;
  itemId: string;
  version: number;
  outcome: DeliveryOutcome;
  /** When the channel recorded the result (ms since the epoch, the channel's clock). */
  at: number;
  code: string;
  message: string;
  retryable: boolean;
  /** When this process read it, on the shared clock (which a phase may have moved forward). */
  readAt: number;
}

/** One phase's services. */
export class NewmediaStack {
  readonly receipts: ReceiptRecord[] = [];

  private constructor(
    readonly platforms: Platforms,
    readonly newmedia: NewmediaService,
    private readonly contentUrl: string,
    readonly clock: BenchClock,
  ) {}

  static async start(
    bench: PortalBench,
    ns: Namespace,
    options: StackOptions,
  ): Promise<NewmediaStack> {
    const logger = createLogger({ service: "newmedia-bench", level: "error" }, process.stderr);
    const clock = new BenchClock();
    await bench.createTopics(ns);
    const platforms = await startPlatforms({
      port: 0,
      now: clock.now,
      publishJobMs: 2000,
      wechat: [
        {
          appId: APP_ID,
          secret: "bench-secret",
          name: "海关发布",
          ...(options.quotas ? { quotas: options.quotas } : {}),
        },
      ],
      weibo: [
        {
          uid: WEIBO_UID,
          accessToken: "bench-token",
          name: "海关发布微博",
          safeDomains: ["127.0.0.1"],
          ...(options.postsPerHour ? { postsPerHour: options.postsPerHour } : {}),
        },
      ],
    });
    ns.onClean(() => platforms.close());
    const content = await startTestContentService({
      brokers: bench.brokers,
      mongoUrl: bench.mongoUrl,
      topicPrefix: ns.prefix,
      dbName: ns.dbName("content"),
      users: {
        admin: { roles: ["admin"], token: ADMIN },
        channel: { roles: ["channel"], token: CHANNEL },
      },
      logger,
      env: { ...contentSettings(), HERALD_TOPIC_PARTITIONS: String(bench.partitions) },
    });
    ns.onClean(() => content.stop());
    // The channel keeps each account's records in a database of its own, named after the account.
    for (const platform of ["wechat", "weibo"]) ns.dbName(`newmedia_${platform}_bench`);
    const q = options.quotas ?? {};
    const newmedia = await startTestNewmedia({
      brokers: bench.brokers,
      mongoUrl: bench.mongoUrl,
      topicPrefix: ns.prefix,
      dbName: ns.dbName("newmedia"),
      groupId: ns.groupId("newmedia"),
      logger,
      now: clock.now,
      content: createContentClient({ address: `127.0.0.1:${content.grpcPort}`, token: CHANNEL }),
      env: { ...productionChannelEnv(), ...options.env },
      accounts: {
        portalBaseUrl: PORTAL,
        wechat: [
          {
            account: "bench",
            displayName: "海关发布",
            appId: APP_ID,
            secretFile: secret("bench-secret"),
            baseUrl: platforms.url,
            author: "海关总署",
            quotas: {
              draftAdd: q["draft/add"] ?? 1000,
              submit: q["freepublish/submit"] ?? 100,
              get: q["freepublish/get"] ?? 100,
              delete: q["freepublish/delete"] ?? 10,
            },
          },
        ],
        weibo: [
          {
            account: "bench",
            displayName: "海关发布微博",
            uid: WEIBO_UID,
            accessTokenFile: secret("bench-token"),
            baseUrl: platforms.url,
            safeDomains: ["127.0.0.1"],
            postsPerHour: options.postsPerHour ?? 30,
          },
        ],
      },
    });
    ns.onClean(() => newmedia.stop());
    const stack = new NewmediaStack(
      platforms,
      newmedia,
      `http://127.0.0.1:${content.httpPort}/api`,
      clock,
    );
    await stack.readReceipts(bench, ns);
    return stack;
  }

  private async readReceipts(bench: PortalBench, ns: Namespace): Promise<void> {
    const consumer = bench.kafka.consumer({
      groupId: ns.groupId("receipts"),
      maxWaitTimeInMs: 100,
    });
    ns.onClean(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(Topics.receipts, ns.prefix), fromBeginning: true });
    await consumer.run({
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) {
          const headers = headersToStrings(message.headers);
          const decoded = decodePayload(Topics.receipts.schema, message.value, headers);
          if (decoded.ok) this.receipts.push(record(decoded.value, this.clock.now()));
        }
        return Promise.resolve();
      },
    });
  }

  /** A call to the content API as an admin; throws on anything but 2xx. Returns when the answer arrived. */
  async api(method: string, path: string, body?: unknown): Promise<number> {
    const response = await fetch(`${this.contentUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return Date.now();
  }

  /** Publishes a news item; returns when the content API answered 201. */
  publish(id: string, title: string): Promise<number> {
    return this.api("POST", "/publish", {
      id,
      kind: "news",
      title,
      summary: `${title}。详见海关总署网站。`,
      body: `<p>${title}：前十一个月，我国货物贸易进出口总值同比增长（${id}）。</p>`,
      category: "海关动态",
      issuingOffice: "海关总署办公厅",
    });
  }

  /** An edit published at once, as an editor's correction is. */
  async update(id: string, title: string): Promise<number> {
    await this.api("PATCH", `/items/${id}`, { title });
    return this.api("POST", `/items/${id}/publish`, { direct: true });
  }

  takedown(id: string): Promise<number> {
    return this.api("POST", `/items/${id}/takedown`, { mode: "removed", reason: "信息有误" });
  }

  /** The first receipt that matches, waiting up to `timeoutMs`. */
  async receipt(
    match: (r: ReceiptRecord) => boolean,
    what: string,
    timeoutMs = 120_000,
  ): Promise<ReceiptRecord> {
    return until(() => this.receipts.find(match), what, timeoutMs);
  }

  /** Calls per API the emulator counted for the account, over every day. */
  calls(platform: "wechat" | "weibo"): Record<string, number> {
    const counts = this.platforms.control.callCounts(
      platform,
      platform === "wechat" ? APP_ID : WEIBO_UID,
    );
    return Object.fromEntries(
      Object.entries(counts).map(([api, days]) => [
        api,
        Object.values(days).reduce((a, b) => a + b, 0),
      ]),
    );
  }

  /** Live (not deleted) WeChat articles whose title starts with `title`. */
  liveArticles(title: string): number {
    return this.platforms.control
      .wechat(APP_ID)
      .articles.filter((a) => !a.deleted && a.title.startsWith(title)).length;
  }
}

function record(r: DeliveryReceipt, readAt: number): ReceiptRecord {
  return {
    outletId: r.outletId,
    itemId: r.itemId,
    version: r.version,
    outcome: r.outcome,
    at: r.at?.getTime() ?? Number.NaN,
    code: r.error?.code ?? "",
    message: r.error?.message ?? "",
    retryable: r.error?.retryable ?? false,
    readAt,
  };
}

/** Polls `check` every 20 ms until it gives a value; throws after `timeoutMs` saying what did not happen. */
export async function until<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const DELIVERED = DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED;
export const REMOVED = DeliveryOutcome.DELIVERY_OUTCOME_REMOVED;
export const FAILED = DeliveryOutcome.DELIVERY_OUTCOME_FAILED;
