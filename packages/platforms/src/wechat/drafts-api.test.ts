import {
  jpeg,
  png,
  post,
  fx,
  upload,
  token,
  thumb,
  article,
  type Json,
} from "../../test/wechat-client";

beforeEach(() => fx.start());
afterEach(() => fx.stop());

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

describe("WeChat draft box listing", () => {
  it("counts and lists drafts newest first, and a submitted draft leaves the box", async () => {
    const at = await token();
    const thumbId = await thumb(at);
    const first = await post(`/cgi-bin/draft/add?access_token=${at}`, {
      articles: [article(thumbId, { title: "甲" })],
    });
    fx.clock.advance(1000);
    await post(`/cgi-bin/draft/add?access_token=${at}`, {
      articles: [article(thumbId, { title: "乙" })],
    });
    expect(await post(`/cgi-bin/draft/count?access_token=${at}`, {})).toEqual({ total_count: 2 });
    const listed = await post(`/cgi-bin/draft/batchget?access_token=${at}`, {
      offset: 0,
      count: 20,
      no_content: 1,
    });
    const titles = (listed.item as Json[]).map(
      (i) => (((i.content as Json).news_item as Json[])[0] as Json).title,
    );
    expect(titles).toEqual(["乙", "甲"]);
    await post(`/cgi-bin/freepublish/submit?access_token=${at}`, { media_id: first.media_id });
    expect(await post(`/cgi-bin/draft/count?access_token=${at}`, {})).toEqual({ total_count: 1 });
  });
});
