import {
  APP,
  fx,
  post,
  get,
  token,
  thumb,
  article,
  waitFor,
  type Json,
} from "../../test/wechat-client";

beforeEach(() => fx.start());
afterEach(() => fx.stop());

describe("WeChat free publishing", () => {
  async function draft(at: string, over: Json = {}): Promise<string> {
    const r = await post(`/cgi-bin/draft/add?access_token=${at}`, {
      articles: [article(await thumb(at), over)],
    });
    return String(r.media_id);
  }

  it("runs a job 1 → 0 with an article URL that serves the page, then deletes it (status 5, is_deleted, 404)", async () => {
    const at = await token();
    const submit = await post(`/cgi-bin/freepublish/submit?access_token=${at}`, {
      media_id: await draft(at),
    });
    expect(submit.errcode).toBe(0);
    const publishId = String(submit.publish_id);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: publishId }))
        .publish_status,
    ).toBe(1);
    fx.clock.advance(2000);
    const done = await post(`/cgi-bin/freepublish/get?access_token=${at}`, {
      publish_id: publishId,
    });
    expect(done.publish_status).toBe(0);
    const url = String(((done.article_detail as Json).item as Json[])[0]?.article_url);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("海关总署发布公告");
    const listed = await post(`/cgi-bin/freepublish/batchget?access_token=${at}`, {
      offset: 0,
      count: 20,
      no_content: 1,
    });
    expect(listed.total_count).toBe(1);

    expect(
      (
        await post(`/cgi-bin/freepublish/delete?access_token=${at}`, {
          article_id: done.article_id,
          index: 0,
        })
      ).errcode,
    ).toBe(0);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: publishId }))
        .publish_status,
    ).toBe(5);
    const got = await post(`/cgi-bin/freepublish/getarticle?access_token=${at}`, {
      article_id: done.article_id,
    });
    expect((got.news_item as Json[])[0]?.is_deleted).toBe(true);
    expect((await fetch(url)).status).toBe(404);
    expect(fx.platforms.control.wechat(APP.appId).articles[0]?.deleted).toBe(true);
  });

  it("publishes a two-article message with one URL each, and deletes the second article alone", async () => {
    const at = await token();
    const thumbId = await thumb(at);
    const added = await post(`/cgi-bin/draft/add?access_token=${at}`, {
      articles: [article(thumbId, { title: "第一篇" }), article(thumbId, { title: "第二篇" })],
    });
    const submit = await post(`/cgi-bin/freepublish/submit?access_token=${at}`, {
      media_id: added.media_id,
    });
    fx.clock.advance(2000);
    const done = await post(`/cgi-bin/freepublish/get?access_token=${at}`, {
      publish_id: submit.publish_id,
    });
    const items = (done.article_detail as Json).item as Json[];
    expect(items.map((i) => i.idx)).toEqual([1, 2]);
    expect(new Set(items.map((i) => i.article_url)).size).toBe(2);
    await post(`/cgi-bin/freepublish/delete?access_token=${at}`, {
      article_id: done.article_id,
      index: 2,
    });
    const got = await post(`/cgi-bin/freepublish/getarticle?access_token=${at}`, {
      article_id: done.article_id,
    });
    expect((got.news_item as Json[]).map((i) => i.is_deleted)).toEqual([false, true]);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: submit.publish_id }))
        .publish_status,
    ).toBe(0);
    expect((await fetch(String(items[0]?.article_url))).status).toBe(200);
    expect((await fetch(String(items[1]?.article_url))).status).toBe(404);
  });

  it("ends a job refused by review (4, fail_idx) when told to, and gives the draft back", async () => {
    const at = await token();
    fx.platforms.control.nextPublish(APP.appId, { status: 4, reason: "含有违规内容" });
    const mediaId = await draft(at);
    const submit = await post(`/cgi-bin/freepublish/submit?access_token=${at}`, {
      media_id: mediaId,
    });
    fx.clock.advance(2000);
    const r = await post(`/cgi-bin/freepublish/get?access_token=${at}`, {
      publish_id: submit.publish_id,
    });
    expect(r).toMatchObject({ publish_status: 4, fail_idx: [1] });
    expect(r.article_id).toBeUndefined();
    expect(fx.platforms.control.wechat(APP.appId).jobs[0]).toMatchObject({
      status: 4,
      reason: "含有违规内容",
    });
    expect(
      (await post(`/cgi-bin/draft/get?access_token=${at}`, { media_id: mediaId })).news_item,
    ).toBeDefined();
  });

  it("keeps a job publishing as long as told", async () => {
    const at = await token();
    fx.platforms.control.nextPublish(APP.appId, { status: 0, holdMs: 60_000 });
    const submit = await post(`/cgi-bin/freepublish/submit?access_token=${at}`, {
      media_id: await draft(at),
    });
    fx.clock.advance(59_999);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: submit.publish_id }))
        .publish_status,
    ).toBe(1);
    fx.clock.advance(1);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: submit.publish_id }))
        .publish_status,
    ).toBe(0);
  });

  it("refuses freepublish to an account that is not verified (48001)", async () => {
    const r = await get(
      `/cgi-bin/token?grant_type=client_credential&appid=wxunverified00001&secret=x`,
    );
    const at = String(r.access_token);
    const mediaId = String(
      (
        await post(`/cgi-bin/draft/add?access_token=${at}`, {
          articles: [article(await thumb(at))],
        })
      ).media_id,
    );
    expect(
      (await post(`/cgi-bin/freepublish/submit?access_token=${at}`, { media_id: mediaId })).errcode,
    ).toBe(48001);
  });

  it("answers 45009 once a daily quota is used up, and resets at midnight in Asia/Shanghai", async () => {
    const at = await token();
    const publishId = String(
      (await post(`/cgi-bin/freepublish/submit?access_token=${at}`, { media_id: await draft(at) }))
        .publish_id,
    );
    for (let i = 1; i < 100; i++)
      await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: publishId });
    expect(fx.platforms.control.wechat(APP.appId).quotas["freepublish/get"]).toEqual({
      used: 99,
      limit: 100,
    });
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: publishId }))
        .publish_status,
    ).toBe(1);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: publishId }))
        .errcode,
    ).toBe(45009);
    // 10:00 → 23:59:59.999 the same day in Shanghai: still refused; one millisecond later, a new day.
    fx.clock.advance(14 * 3600 * 1000 - 1);
    const fresh = await token();
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${fresh}`, { publish_id: publishId }))
        .errcode,
    ).toBe(45009);
    fx.clock.advance(1);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${fresh}`, { publish_id: publishId }))
        .publish_status,
    ).toBe(0);
  });

  it("answers injected faults for the next N calls, expires tokens on demand, and logs every call", async () => {
    const at = await token();
    fx.platforms.control.injectFault({
      platform: "wechat",
      account: APP.appId,
      api: "draft/add",
      errcode: -1,
      count: 2,
    });
    const thumbId = await thumb(at);
    expect(
      (await post(`/cgi-bin/draft/add?access_token=${at}`, { articles: [article(thumbId)] }))
        .errcode,
    ).toBe(-1);
    expect(
      (await post(`/cgi-bin/draft/add?access_token=${at}`, { articles: [article(thumbId)] }))
        .errcode,
    ).toBe(-1);
    expect(
      (await post(`/cgi-bin/draft/add?access_token=${at}`, { articles: [article(thumbId)] }))
        .media_id,
    ).toEqual(expect.any(String));
    fx.platforms.control.expireTokens("wechat", APP.appId);
    expect(
      (await post(`/cgi-bin/draft/add?access_token=${at}`, { articles: [article(thumbId)] }))
        .errcode,
    ).toBe(42001);
    fx.platforms.control.useUpQuota(APP.appId, "draft/add");
    const fresh = await token();
    expect(
      (await post(`/cgi-bin/draft/add?access_token=${fresh}`, { articles: [article(thumbId)] }))
        .errcode,
    ).toBe(45009);
    const calls = fx.platforms.control
      .calls({ platform: "wechat", account: APP.appId, api: "draft/add" })
      .map((c) => c.errcode);
    expect(calls).toEqual([-1, -1, 0, 42001, 45009]);
    expect(fx.platforms.control.callCounts("wechat", APP.appId)["draft/add"]).toEqual({
      "2026-12-05": 5,
    });
  });

  it("posts the PUBLISHJOBFINISH event to the account's server when a job ends", async () => {
    const received: string[] = [];
    const { createServer } = await import("node:http");
    const sink = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push(body);
        res.end("success");
      });
    });
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
    const address = sink.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    await fx.stop();
    await fx.start({
      wechat: [{ ...APP, eventUrl: `http://127.0.0.1:${port}/wechat/event` }],
    });
    try {
      const at = await token();
      const mediaId = String(
        (
          await post(`/cgi-bin/draft/add?access_token=${at}`, {
            articles: [article(await thumb(at))],
          })
        ).media_id,
      );
      const submit = await post(`/cgi-bin/freepublish/submit?access_token=${at}`, {
        media_id: mediaId,
      });
      fx.clock.advance(2000);
      const xml = await waitFor(() => Promise.resolve(received[0]), "the PUBLISHJOBFINISH event");
      expect(xml).toContain("<Event><![CDATA[PUBLISHJOBFINISH]]></Event>");
      expect(xml).toContain(
        `<publish_id>${String(submit.publish_id)}</publish_id><publish_status>0</publish_status>`,
      );
    } finally {
      await new Promise((r) => sink.close(r));
    }
  });
});
