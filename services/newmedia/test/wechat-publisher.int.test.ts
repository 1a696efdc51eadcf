/**
 * The WeChat pipeline against the platforms emulator and the real FerretDB: what
 * the account shows publicly after publish, update and takedown, how faults are
 * handled, and that a restart never publishes a second article.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mongoose from "mongoose";
import { PermanentChannelError, type ApplyContext, type Holding } from "@herald/channel-kit";
import { itemState } from "@herald/channel-kit/testing";
import { ItemStatus, type ItemState } from "@herald/contracts";
import { startPlatforms, type Platforms } from "@herald/platforms";
import { createLogger } from "@herald/runtime";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { wechatAccountSchema } from "../src/accounts";
import { PLACEHOLDER_COVER_JPEG } from "../src/wechat/placeholder-cover";
import {
  createWechatPublisher,
  WechatQuotaError,
  WechatRetryableError,
  type WechatPublisher,
  type WechatPublisherOptions,
} from "../src/wechat";

const ns = useTestNamespace("wechat-publisher");
const db = mongoose.createConnection(testStack().mongoUrl, { dbName: ns.dbName("newmedia") });
ns.beforeCleanup(() => db.close());
const logger = createLogger({ service: "newmedia-test", level: "silent" });
const secretDir = mkdtempSync(join(tmpdir(), "herald-wechat-"));

/** A 1×1 PNG: a body image. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
/** A "PNG" of 1.5 MB: over uploadimg's 1 MB. */
const HUGE_PNG = Buffer.concat([PNG, Buffer.alloc(1_500_000)]);

/** The portal's images, as the renderer links them. */
let portal: Server;
let portalUrl: string;
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

const ctx: ApplyContext = { attempt: 1, previous: undefined, source: "stream" };

interface Rig {
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
    title: string;
    content: string;
    content_source_url: string;
    url: string;
    deleted: boolean;
  }>;
}

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

function news(
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

function holdingOf(state: ItemState, externalRef: string): Holding {
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

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

describe("WeChat publisher", () => {
  it("publishes a news item, replaces it with its update, then takes it down, each confirmed", async () => {
    const r = await rig();
    const v1 = news("news-1", 1);
    const first = await r.publisher.apply(v1, ctx);
    const published = r.articles();
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      content_source_url: `${portalUrl}/items/news-1`,
      title: v1.title,
      deleted: false,
    });
    expect(first.externalRef).toBe(published[0]!.url);
    // The body image was re-hosted: the article links WeChat's copy, not the portal's.
    expect(published[0]!.content).not.toContain("/images/chart.png");
    expect(published[0]!.content).toContain("<img");
    const publishCalls = r.calls();
    expect(publishCalls).toMatchObject({
      stable_token: 1,
      "material/add_material": 1,
      "media/uploadimg": 1,
      "draft/add": 1,
      "freepublish/submit": 1,
    });
    expect(publishCalls["freepublish/get"]).toBeGreaterThanOrEqual(1);
    expect(r.publisher.lastPost()?.ref).toBe(first.externalRef);
    expect(await r.publisher.verify(holdingOf(v1, first.externalRef!))).toBe("present");

    const mark = r.callLog();
    const v2 = news("news-1", 2);
    const second = await r.publisher.apply(v2, {
      ...ctx,
      previous: holdingOf(v1, first.externalRef!),
    });
    expect(second.externalRef).not.toBe(first.externalRef);
    const afterUpdate = r.articles();
    expect(afterUpdate).toHaveLength(2);
    expect(afterUpdate.find((a) => a.url === second.externalRef)).toMatchObject({
      title: v2.title,
      deleted: false,
    });
    expect(afterUpdate.find((a) => a.url === first.externalRef)).toMatchObject({ deleted: true });
    const updateCalls = r.calls(mark);
    // Same cover and image bytes: nothing uploaded again, no new token.
    expect(updateCalls["material/add_material"]).toBeUndefined();
    expect(updateCalls["media/uploadimg"]).toBeUndefined();
    expect(updateCalls.stable_token).toBeUndefined();
    expect(updateCalls).toMatchObject({
      "draft/add": 1,
      "freepublish/submit": 1,
      "freepublish/delete": 1,
    });

    const takedownMark = r.callLog();
    await r.publisher.remove(itemState("news-1", 3, { status: ItemStatus.ITEM_STATUS_RETRACTED }), {
      ...ctx,
      previous: holdingOf(v2, second.externalRef!),
    });
    expect(r.articles().every((a) => a.deleted)).toBe(true);
    expect(r.calls(takedownMark)).toMatchObject({
      "freepublish/delete": 1,
      "freepublish/getarticle": 1,
    });
    expect(await r.publisher.verify(holdingOf(v2, second.externalRef!))).toBe("absent");

    const quota = r.publisher.quota();
    expect(quota["freepublish/submit"]).toEqual({ used: 2, limit: 100 });
    expect(quota["freepublish/delete"]).toEqual({ used: 2, limit: 10 });
  });

  it("shares one token request and one upload of a shared image among items applied side by side", async () => {
    const r = await rig();
    const results = await Promise.all(
      ["news-p1", "news-p2", "news-p3"].map((id) => r.publisher.apply(news(id, 1), ctx)),
    );
    expect(new Set(results.map((result) => result.externalRef)).size).toBe(3);
    expect(r.articles()).toHaveLength(3);
    expect(r.calls()).toMatchObject({
      stable_token: 1,
      "material/add_material": 1,
      "media/uploadimg": 1,
      "draft/add": 3,
      "freepublish/submit": 3,
    });
  });

  it("ends the wait on a PUBLISHJOBFINISH push, without polling the job", async () => {
    const r = await rig({ pollIntervalMs: 30_000, maxPollIntervalMs: 30_000 });
    const started = Date.now();
    const applying = r.publisher.apply(news("news-event", 1), ctx);
    const job = await waitFor(
      () => r.platforms.control.wechat(r.appId).jobs.find((j) => j.status === 0),
      { description: "the emulator finishes the job" },
    );
    r.publisher.onPublishEvent({
      publishId: job.publish_id,
      status: 0,
      ...(job.article_id ? { articleId: job.article_id } : {}),
    });
    const result = await applying;
    expect(result.externalRef).toBe(r.articles()[0]!.url);
    expect(Date.now() - started).toBeLessThan(30_000);
    // The push named the article: no freepublish/get, one getarticle for its URL.
    expect(r.calls()["freepublish/get"]).toBeUndefined();
    expect(r.calls()["freepublish/getarticle"]).toBe(1);
  });

  it("refreshes the token once when it expires between items, and once when the platform rejects it mid-pipeline", async () => {
    const r = await rig();
    await r.publisher.apply(news("news-t1", 1), ctx);
    r.platforms.control.expireTokens("wechat", r.appId);
    let mark = r.callLog();
    await r.publisher.apply(news("news-t2", 1), ctx);
    expect(r.calls(mark).stable_token).toBe(1);

    // A rejection of a token the platform still hands out: one forced refresh.
    r.platforms.control.injectFault({
      platform: "wechat",
      account: r.appId,
      api: "freepublish/submit",
      errcode: 42001,
    });
    mark = r.callLog();
    await r.publisher.apply(news("news-t3", 1), ctx);
    const calls = r.calls(mark);
    expect(calls["freepublish/submit"]).toBe(2);
    expect(calls["draft/add"]).toBe(1);
    // stable_token's normal mode hands back the token just rejected, so the one
    // refresh is the forced one: two stable_token calls in all.
    expect(calls.stable_token).toBe(2);
    expect(
      r.articles().filter((a) => a.content_source_url.endsWith("/items/news-t3")),
    ).toHaveLength(1);
    expect(r.articles()).toHaveLength(3);
  });

  it("waits out a busy platform, and fails retryably when it stays busy, losing nothing", async () => {
    const r = await rig();
    r.platforms.control.injectFault({
      platform: "wechat",
      account: r.appId,
      api: "draft/add",
      errcode: -1,
      count: 2,
    });
    await r.publisher.apply(news("news-b1", 1), ctx);
    expect(r.calls()["draft/add"]).toBe(3);

    r.platforms.control.injectFault({
      platform: "wechat",
      account: r.appId,
      api: "freepublish/submit",
      errcode: -1,
      count: 4,
    });
    const error = await rejection(r.publisher.apply(news("news-b2", 1), ctx));
    expect(error).toBeInstanceOf(WechatRetryableError);
    expect(error).not.toBeInstanceOf(PermanentChannelError);
    expect((error as WechatRetryableError).code).toBe("wechat.-1");
    const mark = r.callLog();
    await r.publisher.apply(news("news-b2", 1), { ...ctx, attempt: 2, source: "retry" });
    // The retry submits the draft the first attempt saved.
    expect(r.calls(mark)["draft/add"]).toBeUndefined();
    expect(r.articles()).toHaveLength(2);
  });

  it("stops calling at a used-up quota, says when it resets, and publishes once after the reset", async () => {
    const r = await rig();
    r.platforms.control.useUpQuota(r.appId, "freepublish/submit");
    const error = await rejection(r.publisher.apply(news("news-q", 1), ctx));
    expect(error).toBeInstanceOf(WechatQuotaError);
    expect((error as WechatQuotaError).code).toBe("wechat.quota");
    expect(error.message).toContain("重置");
    const mark = r.callLog();
    // Until the reset the publisher does not spend calls on it.
    await expect(r.publisher.apply(news("news-q", 1), ctx)).rejects.toBeInstanceOf(
      WechatQuotaError,
    );
    expect(r.calls(mark)["freepublish/submit"]).toBeUndefined();

    r.advance(24 * 3600_000);
    await r.publisher.apply(news("news-q", 1), ctx);
    expect(r.articles()).toHaveLength(1);
    expect(r.calls()["draft/add"]).toBe(1);
  });

  it("rejects an article the platform's review refuses, with the reason", async () => {
    const r = await rig();
    r.platforms.control.nextPublish(r.appId, { status: 4, reason: "内容违规" });
    const error = await rejection(r.publisher.apply(news("news-r", 1), ctx));
    expect(error).toBeInstanceOf(PermanentChannelError);
    expect((error as PermanentChannelError).code).toBe("wechat.publish_refused");
    expect(error.message).toContain("审核不通过");
    expect(r.articles()).toHaveLength(0);
  });

  it("leaves a job that stays publishing to the next attempt, which polls it without a second submit", async () => {
    const r = await rig({ publishTimeoutMs: 300 });
    r.platforms.control.nextPublish(r.appId, { status: 0, holdMs: 60_000 });
    const error = await rejection(r.publisher.apply(news("news-slow", 1), ctx));
    expect(error).toBeInstanceOf(WechatRetryableError);
    expect((error as WechatRetryableError).code).toBe("wechat.publish_pending");
    r.advance(60_000);
    const result = await r.publisher.apply(news("news-slow", 1), {
      ...ctx,
      attempt: 2,
      source: "retry",
    });
    expect(result.externalRef).toBe(r.articles()[0]!.url);
    expect(r.calls()).toMatchObject({ "draft/add": 1, "freepublish/submit": 1 });
  });

  it("after a restart, resumes the job a crashed process submitted and never publishes twice", async () => {
    const r = await rig({ publishTimeoutMs: 200 });
    // Crash after submit, before the job ended (and so before any holding write).
    r.platforms.control.nextPublish(r.appId, { status: 0, holdMs: 10_000 });
    await expect(r.publisher.apply(news("news-c1", 1), ctx)).rejects.toBeInstanceOf(
      WechatRetryableError,
    );
    await r.publisher.close();
    r.advance(10_000);
    const restarted = r.restart();
    const resumed = await restarted.apply(news("news-c1", 1), { ...ctx, source: "redelivery" });
    expect(resumed.externalRef).toBe(r.articles()[0]!.url);

    // Crash after the platform published and the pipeline recorded it, before the holding write.
    const again = r.restart();
    const mark = r.callLog();
    const replay = await again.apply(news("news-c1", 1), { ...ctx, source: "redelivery" });
    expect(replay.externalRef).toBe(resumed.externalRef);
    expect(r.calls(mark)["freepublish/submit"]).toBeUndefined();
    expect(r.articles()).toHaveLength(1);
    expect(r.calls()["freepublish/submit"]).toBe(1);
    // The last post and today's call counts survive the restart.
    expect(again.lastPost()?.ref).toBe(resumed.externalRef);
    expect(again.quota()["freepublish/submit"]?.used).toBe(1);
  });

  it("after a crash that lost submit's answer, finds the article on the platform instead of submitting again", async () => {
    const r = await rig({ publishTimeoutMs: 200 });
    r.platforms.control.nextPublish(r.appId, { status: 0, holdMs: 10_000 });
    await expect(r.publisher.apply(news("news-c2", 1), ctx)).rejects.toBeInstanceOf(
      WechatRetryableError,
    );
    await r.publisher.close();
    // What a crash during freepublish/submit leaves: the draft recorded, the publish_id not.
    const posts = db.collection<{ _id: string }>("wechat_posts");
    const id = `${r.account}/news-c2`;
    expect(await posts.findOne({ _id: id, "pending.publishId": { $exists: true } })).not.toBeNull();
    await posts.updateOne({ _id: id }, { $unset: { "pending.publishId": "" } });

    const restarted = r.restart();
    // The job is still running: the draft has left the draft box, no article yet.
    const unknown = await rejection(restarted.apply(news("news-c2", 1), ctx));
    expect((unknown as WechatRetryableError).code).toBe("wechat.publish_unknown");
    r.advance(10_000);
    const result = await restarted.apply(news("news-c2", 1), ctx);
    expect(result.externalRef).toBe(r.articles()[0]!.url);
    expect(r.articles()).toHaveLength(1);
    expect(r.calls()["freepublish/submit"]).toBe(1);
  });

  it("rejects for good what an unverified account may not publish, with the platform's code", async () => {
    const r = await rig({}, 100, false);
    const error = await rejection(r.publisher.apply(news("news-u", 1), ctx));
    expect(error).toBeInstanceOf(PermanentChannelError);
    expect((error as PermanentChannelError).code).toBe("wechat.48001");
    expect(error.message).toContain("认证");
    expect(error.message).toContain("freepublish/submit: 48001");
    expect(r.calls()["freepublish/submit"]).toBe(1);
  });

  it("takes down a draft that was never published, and waits for a running job before deleting its article", async () => {
    const r = await rig({ publishTimeoutMs: 200 });
    r.platforms.control.injectFault({
      platform: "wechat",
      account: r.appId,
      api: "freepublish/submit",
      errcode: -1,
      count: 4,
    });
    await expect(r.publisher.apply(news("news-x1", 1), ctx)).rejects.toBeInstanceOf(
      WechatRetryableError,
    );
    expect(r.platforms.control.wechat(r.appId).drafts).toHaveLength(1);
    const retracted = (id: string): ItemState =>
      itemState(id, 2, { status: ItemStatus.ITEM_STATUS_RETRACTED });
    await r.publisher.remove(retracted("news-x1"), ctx);
    expect(r.platforms.control.wechat(r.appId).drafts).toHaveLength(0);
    expect(r.calls()["draft/delete"]).toBe(1);

    r.platforms.control.nextPublish(r.appId, { status: 0, holdMs: 10_000 });
    await expect(r.publisher.apply(news("news-x2", 1), ctx)).rejects.toBeInstanceOf(
      WechatRetryableError,
    );
    const waiting = await rejection(r.publisher.remove(retracted("news-x2"), ctx));
    expect((waiting as WechatRetryableError).code).toBe("wechat.publish_pending");
    r.advance(10_000);
    await r.publisher.remove(retracted("news-x2"), { ...ctx, attempt: 2, source: "retry" });
    expect(r.articles()).toHaveLength(1);
    expect(r.articles()[0]!.deleted).toBe(true);
    // One delete: the article the job published once it ended.
    expect(r.calls()["freepublish/delete"]).toBe(1);
  });

  it("refuses what the renderer or the image limits refuse, and sends nothing for it", async () => {
    const r = await rig();
    const long = await rejection(
      r.publisher.apply(news("news-long", 1, { title: "海关".repeat(20) }), ctx),
    );
    expect(long).toBeInstanceOf(PermanentChannelError);
    expect((long as PermanentChannelError).code).toBe("wechat.title_too_long");
    expect(r.callLog()).toBe(0);

    const huge = await rejection(
      r.publisher.apply(
        news("news-huge", 1, { bodyHtml: '<p>图</p><p><img src="/images/huge.png"></p>' }),
        ctx,
      ),
    );
    expect(huge).toBeInstanceOf(PermanentChannelError);
    expect((huge as PermanentChannelError).code).toBe("wechat.image_too_large");
    expect(huge.message).toContain("1 MB");
    expect(r.calls()["draft/add"]).toBeUndefined();
    expect(r.calls()["media/uploadimg"]).toBeUndefined();
  });

  it("publishes a newer version over a job still running, and deletes that job's article once it appears", async () => {
    const r = await rig({ publishTimeoutMs: 200 });
    r.platforms.control.nextPublish(r.appId, { status: 0, holdMs: 10_000 });
    await expect(r.publisher.apply(news("news-o", 1), ctx)).rejects.toBeInstanceOf(
      WechatRetryableError,
    );
    const second = await r.publisher.apply(news("news-o", 2), ctx);
    expect(r.articles().map((a) => a.url)).toEqual([second.externalRef]);

    r.advance(10_000);
    // The first job publishes late; the next apply retires its article first.
    await r.publisher.apply(news("news-o2", 1), ctx);
    const late = r
      .articles()
      .find((a) => a.content_source_url.endsWith("/items/news-o") && a.url !== second.externalRef);
    expect(late?.deleted).toBe(true);
    expect(r.articles().find((a) => a.url === second.externalRef)?.deleted).toBe(false);
  });

  it("keeps the old article for later when today's deletes are used up, without holding back the update", async () => {
    const r = await rig({ pendingDeleteIntervalMs: 60_000 });
    const v1 = news("news-d", 1);
    const first = await r.publisher.apply(v1, ctx);
    r.platforms.control.useUpQuota(r.appId, "freepublish/delete");
    const second = await r.publisher.apply(news("news-d", 2), {
      ...ctx,
      previous: holdingOf(v1, first.externalRef!),
    });
    expect(r.articles().find((a) => a.url === second.externalRef)?.deleted).toBe(false);
    expect(r.articles().find((a) => a.url === first.externalRef)?.deleted).toBe(false);

    r.advance(24 * 3600_000);
    // The next apply first retries the deletes held back.
    await r.publisher.apply(news("news-d2", 1), ctx);
    expect(r.articles().find((a) => a.url === first.externalRef)?.deleted).toBe(true);
  });
});
