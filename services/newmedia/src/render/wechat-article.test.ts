import { ItemState } from "@herald/contracts";
import { ELLIPSIS, charCount } from "./text-cut";
import {
  WECHAT_LIMITS,
  contentLimitRefusal,
  rehostImages,
  renderWechatArticle,
  type WechatArticle,
} from "./wechat-article";

const PORTAL = "https://www.customs.example.cn";
const SETTINGS = { portalBaseUrl: PORTAL, author: "海关发布" };

type ItemInput = Parameters<typeof ItemState.fromPartial>[0];

function item(partial: ItemInput = {}): ItemState {
  return ItemState.fromPartial({
    id: "item/42",
    version: 3,
    title: "关于调整进口商品税率的公告",
    summary: "自明年起调整部分进口商品税率。",
    bodyHtml: "<p>正文第一段。</p>",
    ...partial,
  });
}

function article(state: ItemState): WechatArticle {
  const result = renderWechatArticle(state, SETTINGS);
  if (!result.ok) throw new Error(`expected an article, got ${result.rule}: ${result.message}`);
  return result.article;
}

function refusal(state: ItemState, settings = SETTINGS) {
  const result = renderWechatArticle(state, settings);
  if (result.ok) throw new Error("expected a refusal");
  return result;
}

describe("renderWechatArticle: title", () => {
  it.each([
    ["the item's title at the limit", { title: "题".repeat(32) }, "题".repeat(32)],
    [
      "a WeChat short title over the long title",
      { title: "题".repeat(40), overrides: [{ channel: "wechat", shortTitle: "短标题" }] },
      "短标题",
    ],
    [
      "the newmedia override when there is no WeChat one",
      { title: "题".repeat(40), overrides: [{ channel: "newmedia", shortTitle: "通用短标题" }] },
      "通用短标题",
    ],
    [
      "the WeChat override before the newmedia one",
      {
        overrides: [
          { channel: "newmedia", shortTitle: "通用" },
          { channel: "wechat", shortTitle: "微信" },
        ],
      },
      "微信",
    ],
  ])("uses %s", (_name, partial, title) => {
    expect(article(item(partial as ItemInput)).title).toBe(title);
  });

  it("refuses a title one over the limit rather than cutting it, asking for a short title", () => {
    const r = refusal(item({ title: "题".repeat(33) }));
    expect(r).toMatchObject({ ok: false, outcome: "REJECTED", rule: "wechat.title_too_long" });
    expect(r.message).toContain("33");
    expect(r.message).toContain("32");
    expect(r.message).toContain("短标题");
  });

  it("refuses a short title over the limit, naming the short title", () => {
    const r = refusal(item({ overrides: [{ channel: "wechat", shortTitle: "短".repeat(33) }] }));
    expect(r.rule).toBe("wechat.title_too_long");
    expect(r.message).toContain("微信短标题");
  });
});

describe("renderWechatArticle: author", () => {
  it("accepts an author at the limit", () => {
    expect(renderWechatArticle(item(), { ...SETTINGS, author: "作".repeat(16) }).ok).toBe(true);
  });

  it("refuses an author one over the limit as a configuration error", () => {
    const r = refusal(item(), { ...SETTINGS, author: "作".repeat(17) });
    expect(r).toMatchObject({ outcome: "REJECTED", rule: "wechat.author_too_long" });
    expect(r.message).toContain("17");
    expect(r.message).toContain("16");
  });
});

describe("renderWechatArticle: digest", () => {
  it("uses the override's digest before the summary", () => {
    expect(
      article(item({ overrides: [{ channel: "wechat", digest: "编辑写的摘要" }] })).digest,
    ).toBe("编辑写的摘要");
  });

  it("keeps a summary at the limit whole", () => {
    const summary = "要".repeat(128);
    expect(article(item({ summary })).digest).toBe(summary);
  });

  it("cuts a summary one over the limit at a sentence end, with an ellipsis", () => {
    const first = `${"甲".repeat(100)}。`;
    const digest = article(item({ summary: `${first}${"乙".repeat(28)}` })).digest;
    expect(digest).toBe(`${"甲".repeat(100)}${ELLIPSIS}`);
    expect(charCount(digest)).toBeLessThanOrEqual(128);
  });

  it("takes the first 54 characters of the body when there is no digest or summary, as the platform does", () => {
    const body = `<p>${"正".repeat(50)}</p><p>${"文".repeat(20)}</p>`;
    expect(article(item({ summary: "", bodyHtml: body })).digest).toBe(
      `${"正".repeat(50)} ${"文".repeat(3)}`,
    );
  });
});

describe("renderWechatArticle: content", () => {
  it("adds the document number, office and date above, attachments and the source link below", () => {
    const a = article(
      item({
        documentNumber: "署税发〔2026〕12号",
        issuingOffice: "海关总署",
        dates: { publishedAt: new Date("2026-12-04T17:00:00Z") },
        attachments: [{ name: "税率表.xlsx", url: "/files/1" }],
      }),
    );
    expect(a.content.indexOf("文号：署税发〔2026〕12号")).toBeLessThan(
      a.content.indexOf("正文第一段"),
    );
    expect(a.content).toContain("发布机关：海关总署");
    expect(a.content).toContain("发布日期：2026年12月5日");
    expect(a.content).toContain("税率表.xlsx");
    expect(a.content).toContain("请到门户网站下载");
    expect(a.content).not.toContain("/files/1");
    expect(a.content).toContain(`原文链接：${PORTAL}/items/item%2F42`);
    expect(a.contentSourceUrl).toBe(`${PORTAL}/items/item%2F42`);
  });

  it("leaves out the header when the item has none of its fields", () => {
    expect(article(item()).content.startsWith("<p style=")).toBe(true);
    expect(article(item()).content).not.toContain("文号");
  });

  it("accepts content one character under the limit and refuses it at the limit, with both figures", () => {
    const base = article(item({ bodyHtml: "" })).content.length;
    const wrapper = article(item({ bodyHtml: "<p></p>" })).content.length - base;
    const fill = (n: number) => `<p>${"x".repeat(n)}</p>`;
    const room = WECHAT_LIMITS.contentChars - 1 - base - wrapper;
    const under = renderWechatArticle(item({ bodyHtml: fill(room) }), SETTINGS);
    expect(under.ok && under.article.content.length).toBe(WECHAT_LIMITS.contentChars - 1);
    const over = refusal(item({ bodyHtml: fill(room + 1) }));
    expect(over).toMatchObject({ outcome: "REJECTED", rule: "wechat.content_too_long" });
    expect(over.message).toContain(`${WECHAT_LIMITS.contentChars} 个字符`);
    expect(over.message).toContain("字节");
  });

  it("refuses content of 1 MB or more in UTF-8, naming the bytes", () => {
    const r = contentLimitRefusal("字".repeat(349_526));
    expect(r?.rule).toBe("wechat.content_too_long");
    expect(r?.message).toContain("1048578 字节");
    expect(contentLimitRefusal("字".repeat(6_000))).toBeUndefined();
  });
});

describe("renderWechatArticle: images and cover", () => {
  const body = `<p><img src="/media/a.jpg"></p><p><img src="https://cdn.example.cn/b.png"></p>`;

  it("lists body images and takes the first as the cover", () => {
    const a = article(item({ bodyHtml: body }));
    expect(a.images).toEqual([`${PORTAL}/media/a.jpg`, "https://cdn.example.cn/b.png"]);
    expect(a.coverUrl).toBe(`${PORTAL}/media/a.jpg`);
  });

  it("takes the override's cover before the body's images", () => {
    const a = article(
      item({
        bodyHtml: body,
        overrides: [{ channel: "wechat", coverImageUrl: "/media/cover.jpg" }],
      }),
    );
    expect(a.coverUrl).toBe(`${PORTAL}/media/cover.jpg`);
  });

  it("has no cover when the item has no image, leaving the account's default to the pipeline", () => {
    const a = article(item());
    expect(a.coverUrl).toBeUndefined();
    expect("coverUrl" in a).toBe(false);
  });

  it("re-hosts every body image and lists the platform's URLs", () => {
    const a = article(item({ bodyHtml: body + `<img src="/media/a.jpg">` }));
    const hosted = new Map([
      [`${PORTAL}/media/a.jpg`, "http://mmbiz.qpic.cn/mmbiz_jpg/a/0"],
      ["https://cdn.example.cn/b.png", "http://mmbiz.qpic.cn/mmbiz_png/b/0"],
    ]);
    const r = rehostImages(a, hosted);
    if (!r.ok) throw new Error(r.message);
    expect(r.article.content).not.toContain(PORTAL + "/media");
    expect(r.article.content).not.toContain("cdn.example.cn");
    expect(r.article.content.match(/mmbiz_jpg\/a\/0/g)).toHaveLength(2);
    expect(r.article.images).toEqual([
      "http://mmbiz.qpic.cn/mmbiz_jpg/a/0",
      "http://mmbiz.qpic.cn/mmbiz_png/b/0",
    ]);
    expect(r.article.coverUrl).toBe(a.coverUrl);
  });

  it("refuses when re-hosted URLs push the content over the limit", () => {
    const fill = `<p>${"x".repeat(WECHAT_LIMITS.contentChars - 3_000)}</p>`;
    const a = article(item({ bodyHtml: `<img src="/a.jpg">${fill}` }));
    const r = rehostImages(
      a,
      new Map([[`${PORTAL}/a.jpg`, `http://mmbiz.qpic.cn/${"y".repeat(4_000)}`]]),
    );
    expect(r).toMatchObject({ ok: false, rule: "wechat.content_too_long" });
  });

  it("throws, naming the image, when an image has not been uploaded", () => {
    const a = article(item({ bodyHtml: body }));
    expect(() => rehostImages(a, new Map())).toThrow(`${PORTAL}/media/a.jpg`);
  });
});
