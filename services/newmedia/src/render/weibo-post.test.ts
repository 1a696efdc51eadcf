import { ItemState } from "@herald/contracts";
import { ELLIPSIS } from "./text-cut";
import {
  WEIBO_MAX_WEIGHT,
  isSafeHost,
  renderWeiboPost,
  weiboWeight,
  type WeiboPost,
} from "./weibo-post";

type ItemInput = Parameters<typeof ItemState.fromPartial>[0];

const PORTAL = "https://www.customs.example.cn";
const SETTINGS = { portalBaseUrl: PORTAL, safeDomains: ["customs.example.cn"] };
const URL_OF_42 = `${PORTAL}/items/42`;
/** " " + the link, as the platform counts it. */
const LINK_WEIGHT = weiboWeight(` ${URL_OF_42}`);

function item(partial: ItemInput = {}): ItemState {
  return ItemState.fromPartial({
    id: "42",
    title: "关于调整进口商品税率的公告",
    summary: "自明年起调整部分进口商品税率。",
    ...partial,
  });
}

function post(state: ItemState, settings = SETTINGS): WeiboPost {
  const r = renderWeiboPost(state, settings);
  if (!r.ok) throw new Error(`expected a post, got ${r.rule}: ${r.message}`);
  return r.post;
}

function refusal(state: ItemState, settings = SETTINGS) {
  const r = renderWeiboPost(state, settings);
  if (r.ok) throw new Error("expected a refusal");
  return r;
}

describe("weiboWeight", () => {
  it.each([
    ["", 0],
    ["海关总署", 4],
    ["ab", 1],
    ["abc", 2],
    ["海关 ab", 4],
    ["海关abc", 4],
    ["é½", 1],
    ["，。", 2],
    ["👍", 1],
    ["https://www.customs.example.cn/items/42", 20],
  ])("counts %j as %i", (text, weight) => {
    expect(weiboWeight(text)).toBe(weight);
  });
});

describe("isSafeHost", () => {
  it.each([
    ["customs.example.cn", true],
    ["www.customs.example.cn", true],
    ["WWW.Customs.Example.CN", true],
    ["evilcustoms.example.cn", false],
    ["customs.example.cn.evil.org", false],
    ["example.cn", false],
  ])("%s is safe: %s", (host, safe) => {
    expect(isSafeHost(host, ["customs.example.cn"])).toBe(safe);
  });
});

describe("renderWeiboPost", () => {
  it("posts 【title】summary and the portal link", () => {
    const p = post(item());
    expect(p.text).toBe(
      `【关于调整进口商品税率的公告】自明年起调整部分进口商品税率。 ${URL_OF_42}`,
    );
    expect(p.url).toBe(URL_OF_42);
    expect(p.weight).toBe(weiboWeight(p.text));
  });

  it("keeps a summary that fits exactly whole", () => {
    const head = "【关于调整进口商品税率的公告】";
    const summary = "要".repeat(WEIBO_MAX_WEIGHT - LINK_WEIGHT - weiboWeight(head));
    const p = post(item({ summary }));
    expect(p.text).toBe(`${head}${summary} ${URL_OF_42}`);
    expect(p.weight).toBeLessThanOrEqual(WEIBO_MAX_WEIGHT);
  });

  it("cuts a summary one over, with an ellipsis, so that text and link fit in 140", () => {
    const head = "【关于调整进口商品税率的公告】";
    const summary = "要".repeat(WEIBO_MAX_WEIGHT - LINK_WEIGHT - weiboWeight(head) + 1);
    const p = post(item({ summary }));
    expect(p.text.endsWith(`${ELLIPSIS} ${URL_OF_42}`)).toBe(true);
    expect(p.weight).toBeLessThanOrEqual(WEIBO_MAX_WEIGHT);
    expect(weiboWeight(p.text)).toBe(p.weight);
  });

  it("cuts a long mixed Chinese and English summary at the last clause end in reach", () => {
    const summary = `${"一".repeat(70)}。Customs will publish details later, see the notice.${"二".repeat(80)}`;
    const p = post(item({ summary }));
    expect(p.text).toBe(
      `【关于调整进口商品税率的公告】${"一".repeat(70)}。Customs will publish details later${ELLIPSIS} ${URL_OF_42}`,
    );
    expect(p.weight).toBeLessThanOrEqual(WEIBO_MAX_WEIGHT);
  });

  it("posts the title alone when only an ellipsis of the summary would fit", () => {
    const title = "题".repeat(WEIBO_MAX_WEIGHT - LINK_WEIGHT - 2 - 1);
    const p = post(item({ title, summary: "摘要内容" }));
    expect(p.text).toBe(`【${title}】 ${URL_OF_42}`);
    expect(p.weight).toBe(WEIBO_MAX_WEIGHT - 1);
  });

  it("uses the Weibo override's digest, then its short title, instead of the title and summary", () => {
    expect(
      post(item({ overrides: [{ channel: "weibo", digest: "编辑写的微博", shortTitle: "短" }] }))
        .text,
    ).toBe(`编辑写的微博 ${URL_OF_42}`);
    expect(post(item({ overrides: [{ channel: "weibo", shortTitle: "短标题" }] })).text).toBe(
      `短标题 ${URL_OF_42}`,
    );
  });

  it("accepts an override that fits exactly and refuses one a character over, never cutting it", () => {
    const room = WEIBO_MAX_WEIGHT - LINK_WEIGHT;
    expect(
      post(item({ overrides: [{ channel: "weibo", digest: "写".repeat(room) }] })).weight,
    ).toBe(WEIBO_MAX_WEIGHT);
    const r = refusal(item({ overrides: [{ channel: "weibo", digest: "写".repeat(room + 1) }] }));
    expect(r).toMatchObject({ outcome: "REJECTED", rule: "weibo.text_too_long" });
    expect(r.message).toContain(`${WEIBO_MAX_WEIGHT + 1}`);
    expect(r.message).toContain(`${room} 字以内`);
  });

  it("refuses a title that cannot fit with the link rather than cutting it", () => {
    const r = refusal(item({ title: "题".repeat(WEIBO_MAX_WEIGHT) }));
    expect(r.rule).toBe("weibo.title_too_long");
  });

  it("refuses a link outside the safe domains, naming the host", () => {
    const r = refusal(item(), { ...SETTINGS, safeDomains: ["gov.example.cn"] });
    expect(r).toMatchObject({ outcome: "REJECTED", rule: "weibo.url_not_safe_domain" });
    expect(r.message).toContain("www.customs.example.cn");
    expect(r.message).toContain("gov.example.cn");
  });

  it("refuses a #topic# the share API does not allow", () => {
    expect(refusal(item({ overrides: [{ channel: "weibo", digest: "#海关# 新规" }] })).rule).toBe(
      "weibo.topic_not_allowed",
    );
  });

  it("takes the override's cover, else the first body image, as the picture", () => {
    const bodyHtml = `<p><img src="/media/a.jpg"></p>`;
    expect(post(item({ bodyHtml })).picture).toBe(`${PORTAL}/media/a.jpg`);
    expect(
      post(item({ bodyHtml, overrides: [{ channel: "weibo", coverImageUrl: "/media/c.jpg" }] }))
        .picture,
    ).toBe(`${PORTAL}/media/c.jpg`);
    expect("picture" in post(item())).toBe(false);
  });

  it("throws, naming the setting, when the portal base URL is not absolute", () => {
    expect(() => renderWeiboPost(item(), { ...SETTINGS, portalBaseUrl: "portal" })).toThrow(
      "portalBaseUrl",
    );
  });
});
