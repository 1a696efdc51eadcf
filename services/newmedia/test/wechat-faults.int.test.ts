/**
 * The WeChat pipeline under the platform's faults and the service's crashes,
 * against the platforms emulator and the real FerretDB: nothing lost, nothing
 * published twice.
 */
import { PermanentChannelError } from "@herald/channel-kit";
import { useTestNamespace } from "@herald/test-harness";
import { WechatQuotaError, WechatRetryableError } from "../src/wechat";
import { ctx, holdingOf, news, rejection, useWechatRigs } from "./wechat-rig";

const { db, rig } = useWechatRigs(useTestNamespace("wechat-faults"));

describe("WeChat publisher under faults", () => {
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
    // The draft the failed job gave back is deleted, not left to pile up.
    expect(r.platforms.control.wechat(r.appId).drafts).toEqual([]);
    expect(r.calls()["draft/delete"]).toBe(1);
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
