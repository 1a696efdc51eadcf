import { startPlatforms, type Platforms } from "../index";

/** A clock the tests move by hand: every time rule of the emulator reads it. */
class TestClock {
  // 2026-12-05 10:00 in Asia/Shanghai.
  at = Date.UTC(2026, 11, 5, 2, 0, 0);
  now = (): number => this.at;
  advance(ms: number): void {
    this.at += ms;
  }
}

const APP = { appId: "wxtest0000000001", secret: "s3cret-of-the-test-account", name: "测试公众号" };
const jpeg = (bytes: number): Buffer =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(bytes - 4, 7)]);
const png = (bytes: number): Buffer =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(bytes - 8, 3),
  ]);

type Json = Record<string, unknown>;

let clock: TestClock;
let platforms: Platforms;

async function post(path: string, body: unknown): Promise<Json> {
  const res = await fetch(`${platforms.url}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

async function get(path: string): Promise<Json> {
  return (await (await fetch(`${platforms.url}${path}`)).json()) as Json;
}

async function upload(path: string, data: Buffer, name = "a.jpg"): Promise<Json> {
  const form = new FormData();
  form.append("media", new Blob([data]), name);
  return (await (
    await fetch(`${platforms.url}${path}`, { method: "POST", body: form })
  ).json()) as Json;
}

async function token(): Promise<string> {
  const r = await get(
    `/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=${APP.secret}`,
  );
  expect(r.expires_in).toBe(7200);
  return String(r.access_token);
}

async function thumb(at: string): Promise<string> {
  const r = await upload(
    `/cgi-bin/material/add_material?type=thumb&access_token=${at}`,
    jpeg(2000),
  );
  expect(r.errcode).toBeUndefined();
  return String(r.media_id);
}

function article(thumbId: string, over: Json = {}): Json {
  return {
    title: "海关总署发布公告",
    author: "海关",
    digest: "",
    content: "<p>正文内容</p>",
    content_source_url: "http://127.0.0.1/item/1",
    thumb_media_id: thumbId,
    ...over,
  };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

beforeEach(async () => {
  clock = new TestClock();
  platforms = await startPlatforms({
    now: clock.now,
    publishJobMs: 2000,
    wechat: [APP, { appId: "wxunverified00001", secret: "x", name: "未认证", verified: false }],
  });
});
afterEach(async () => {
  await platforms.close();
});

describe("WeChat tokens", () => {
  it("keeps the previous cgi-bin/token valid for five minutes, then answers 40001", async () => {
    const first = await token();
    const second = await token();
    expect(second).not.toBe(first);
    const probe = async (at: string): Promise<unknown> =>
      (await post(`/cgi-bin/draft/get?access_token=${at}`, { media_id: "none" })).errcode;
    expect(await probe(first)).toBe(40007);
    clock.advance(5 * 60 * 1000 - 1);
    expect(await probe(first)).toBe(40007);
    clock.advance(1);
    expect(await probe(first)).toBe(40001);
    expect(await probe(second)).toBe(40007);
  });

  it("expires a token after 7200 s with 42001, and tells malformed (40014) from unknown (40001) tokens", async () => {
    const at = await token();
    clock.advance(7200 * 1000);
    expect((await post(`/cgi-bin/draft/get?access_token=${at}`, { media_id: "x" })).errcode).toBe(
      42001,
    );
    expect((await post(`/cgi-bin/draft/get?access_token=not a token`, {})).errcode).toBe(40014);
    expect((await post(`/cgi-bin/draft/get?access_token=1_${"a".repeat(40)}`, {})).errcode).toBe(
      40001,
    );
    expect((await post(`/cgi-bin/draft/get`, {})).errcode).toBe(41001);
  });

  it("refuses wrong credentials with 40013 and 40125", async () => {
    expect(
      (await get(`/cgi-bin/token?grant_type=client_credential&appid=wxnobody&secret=x`)).errcode,
    ).toBe(40013);
    expect(
      (await get(`/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=wrong`))
        .errcode,
    ).toBe(40125);
  });

  it("returns the same stable token until its last five minutes, and limits force_refresh to 20 a day", async () => {
    const call = (force: boolean): Promise<Json> =>
      post(`/cgi-bin/stable_token`, {
        grant_type: "client_credential",
        appid: APP.appId,
        secret: APP.secret,
        force_refresh: force,
      });
    const a = await call(false);
    clock.advance(1000);
    const b = await call(false);
    expect(b.access_token).toBe(a.access_token);
    expect(b.expires_in).toBe(7199);
    clock.advance(7200 * 1000 - 5 * 60 * 1000);
    const c = await call(false);
    expect(c.access_token).not.toBe(a.access_token);
    for (let i = 0; i < 20; i++) {
      clock.advance(31 * 1000);
      const r = await call(true);
      expect(r.errcode).toBeUndefined();
    }
    clock.advance(31 * 1000);
    expect((await call(true)).errcode).toBe(45009);
    // The limit is per Asia/Shanghai day.
    clock.advance(24 * 3600 * 1000);
    expect((await call(true)).errcode).toBeUndefined();
  });
});

describe("WeChat materials and drafts", () => {
  it("takes a JPG thumb up to 64 KB only, by its bytes", async () => {
    const at = await token();
    expect(
      (
        await upload(
          `/cgi-bin/material/add_material?type=thumb&access_token=${at}`,
          jpeg(64 * 1024),
        )
      ).media_id,
    ).toEqual(expect.any(String));
    expect(
      (
        await upload(
          `/cgi-bin/material/add_material?type=thumb&access_token=${at}`,
          jpeg(64 * 1024 + 1),
        )
      ).errcode,
    ).toBe(40009);
    expect(
      (
        await upload(
          `/cgi-bin/material/add_material?type=thumb&access_token=${at}`,
          png(1000),
          "cover.jpg",
        )
      ).errcode,
    ).toBe(40005);
  });

  it("hosts uploadimg images (jpg/png under 1 MB) at a URL that serves them", async () => {
    const at = await token();
    const r = await upload(`/cgi-bin/media/uploadimg?access_token=${at}`, png(5000), "x.png");
    const res = await fetch(String(r.url));
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await res.arrayBuffer()).equals(png(5000))).toBe(true);
    expect(
      (await upload(`/cgi-bin/media/uploadimg?access_token=${at}`, jpeg(1024 * 1024))).errcode,
    ).toBe(40009);
    expect(
      (await upload(`/cgi-bin/media/uploadimg?access_token=${at}`, Buffer.from("GIF89a-------")))
        .errcode,
    ).toBe(40005);
  });

  it.each([
    ["title", { title: "题".repeat(33) }, 45003],
    ["author", { author: "作".repeat(17) }, 45110],
    ["digest", { digest: "摘".repeat(129) }, 45004],
    ["content characters", { content: "<p>" + "字".repeat(19_993) + "</p>" }, 45002],
    ["thumb_media_id", { thumb_media_id: "no-such-material" }, 40007],
  ])("refuses a draft over the %s limit", async (_field, over, code) => {
    const at = await token();
    const thumbId = await thumb(at);
    expect(
      (await post(`/cgi-bin/draft/add?access_token=${at}`, { articles: [article(thumbId, over)] }))
        .errcode,
    ).toBe(code);
  });

  it("accepts drafts at the limits, derives a 54-character digest, and drops external images and scripts", async () => {
    const at = await token();
    const thumbId = await thumb(at);
    const hosted = String(
      (await upload(`/cgi-bin/media/uploadimg?access_token=${at}`, jpeg(3000))).url,
    );
    const body = `<p>${"文".repeat(60)}</p><img src="${hosted}"><img src="https://example.com/x.jpg"><script>alert(1)</script>`;
    const add = await post(`/cgi-bin/draft/add?access_token=${at}`, {
      articles: [
        article(thumbId, { title: "题".repeat(32), author: "作".repeat(16), content: body }),
      ],
    });
    const draft = await post(`/cgi-bin/draft/get?access_token=${at}`, { media_id: add.media_id });
    const item = (draft.news_item as Json[])[0] as Json;
    expect(item.digest).toBe("文".repeat(54));
    expect(item.content).toContain(hosted);
    expect(item.content).not.toContain("example.com");
    expect(item.content).not.toContain("script");
    expect(
      (await post(`/cgi-bin/draft/delete?access_token=${at}`, { media_id: add.media_id })).errcode,
    ).toBe(0);
    expect(
      (await post(`/cgi-bin/draft/get?access_token=${at}`, { media_id: add.media_id })).errcode,
    ).toBe(40007);
  });
});

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
    clock.advance(2000);
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
    expect(platforms.control.wechat(APP.appId).articles[0]?.deleted).toBe(true);
  });

  it("ends a job refused by review (4, fail_idx) when told to, and gives the draft back", async () => {
    const at = await token();
    platforms.control.nextPublish(APP.appId, { status: 4, reason: "含有违规内容" });
    const mediaId = await draft(at);
    const submit = await post(`/cgi-bin/freepublish/submit?access_token=${at}`, {
      media_id: mediaId,
    });
    clock.advance(2000);
    const r = await post(`/cgi-bin/freepublish/get?access_token=${at}`, {
      publish_id: submit.publish_id,
    });
    expect(r).toMatchObject({ publish_status: 4, fail_idx: [1] });
    expect(r.article_id).toBeUndefined();
    expect(platforms.control.wechat(APP.appId).jobs[0]).toMatchObject({
      status: 4,
      reason: "含有违规内容",
    });
    expect(
      (await post(`/cgi-bin/draft/get?access_token=${at}`, { media_id: mediaId })).news_item,
    ).toBeDefined();
  });

  it("keeps a job publishing as long as told", async () => {
    const at = await token();
    platforms.control.nextPublish(APP.appId, { status: 0, holdMs: 60_000 });
    const submit = await post(`/cgi-bin/freepublish/submit?access_token=${at}`, {
      media_id: await draft(at),
    });
    clock.advance(59_999);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${at}`, { publish_id: submit.publish_id }))
        .publish_status,
    ).toBe(1);
    clock.advance(1);
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
    expect(platforms.control.wechat(APP.appId).quotas["freepublish/get"]).toEqual({
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
    clock.advance(14 * 3600 * 1000 - 1);
    const fresh = await token();
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${fresh}`, { publish_id: publishId }))
        .errcode,
    ).toBe(45009);
    clock.advance(1);
    expect(
      (await post(`/cgi-bin/freepublish/get?access_token=${fresh}`, { publish_id: publishId }))
        .publish_status,
    ).toBe(0);
  });

  it("answers injected faults for the next N calls, expires tokens on demand, and logs every call", async () => {
    const at = await token();
    platforms.control.injectFault({
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
    platforms.control.expireTokens("wechat", APP.appId);
    expect(
      (await post(`/cgi-bin/draft/add?access_token=${at}`, { articles: [article(thumbId)] }))
        .errcode,
    ).toBe(42001);
    platforms.control.useUpQuota(APP.appId, "draft/add");
    const fresh = await token();
    expect(
      (await post(`/cgi-bin/draft/add?access_token=${fresh}`, { articles: [article(thumbId)] }))
        .errcode,
    ).toBe(45009);
    const calls = platforms.control
      .calls({ platform: "wechat", account: APP.appId, api: "draft/add" })
      .map((c) => c.errcode);
    expect(calls).toEqual([-1, -1, 0, 42001, 45009]);
    expect(platforms.control.callCounts("wechat", APP.appId)["draft/add"]).toEqual({
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
    await platforms.close();
    platforms = await startPlatforms({
      now: clock.now,
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
      clock.advance(2000);
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
