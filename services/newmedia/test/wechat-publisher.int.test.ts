/**
 * The WeChat pipeline against the platforms emulator and the real FerretDB: what
 * the account shows publicly after publish, update and takedown, what it is
 * spared (uploads, tokens, polls), and what is refused before or by the platform.
 */
import { PermanentChannelError } from "@herald/channel-kit";
import { itemState } from "@herald/channel-kit/testing";
import { ItemStatus, type ItemState } from "@herald/contracts";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import { WechatRetryableError } from "../src/wechat";
import { ctx, holdingOf, news, rejection, useWechatRigs } from "./wechat-rig";

const { rig, portalUrl } = useWechatRigs(useTestNamespace("wechat-publisher"));

describe("WeChat publisher", () => {
  it("publishes a news item, replaces it with its update, then takes it down, each confirmed", async () => {
    const r = await rig();
    const v1 = news("news-1", 1);
    const first = await r.publisher.apply(v1, ctx);
    const published = r.articles();
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      content_source_url: `${portalUrl()}/items/news-1`,
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

    // A push with the article's URL as well: nothing to ask after the submit.
    const mark = r.callLog();
    const second = r.publisher.apply(news("news-event-2", 1), ctx);
    const finished = await waitFor(
      () =>
        r.platforms.control
          .wechat(r.appId)
          .jobs.find((j) => j.status === 0 && j.publish_id !== job.publish_id),
      { description: "the emulator finishes the second job" },
    );
    const article = r.articles().find((a) => a.article_id === finished.article_id);
    r.publisher.onPublishEvent({
      publishId: finished.publish_id,
      status: 0,
      articleId: finished.article_id!,
      articleUrl: article!.url,
    });
    expect((await second).externalRef).toBe(article!.url);
    expect(r.calls(mark)).toEqual({ "draft/add": 1, "freepublish/submit": 1 });
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

    // Past 90% of the token's two hours, the refresher asks before the platform refuses.
    r.advance(6_600_000);
    mark = r.callLog();
    await r.publisher.apply(news("news-t4", 1), ctx);
    expect(r.calls(mark).stable_token).toBe(1);
    const refused = r.platforms.control
      .calls({ platform: "wechat", account: r.appId })
      .slice(mark)
      .filter((call) => call.errcode !== 0);
    expect(refused).toEqual([]);
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
});
