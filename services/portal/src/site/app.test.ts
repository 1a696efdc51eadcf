import {
  ItemKind,
  ItemState,
  ItemStatus,
  Relation,
  Schemas,
  TakedownKind,
} from "@herald/contracts";
import { loadExamples } from "@herald/contracts/testing";
import { createSiteApp, CONTENT_SECURITY_POLICY } from "./app";
import { createPortalIndex, type PortalIndex } from "./portal-index";
import {
  makeItem,
  type RunningSite,
  seedInterpretation,
  seedWorkPlan,
  metaContent,
  readPage,
  startSite,
  TEST_SITE,
} from "./test-support";

let index: PortalIndex;
let site: RunningSite;

beforeEach(async () => {
  index = createPortalIndex();
  site = await startSite(createSiteApp({ index, site: TEST_SITE }));
});

afterEach(async () => {
  await site.close();
});

const page = (path: string, cookie?: string) => readPage(site, path, cookie);
const meta = metaContent;

describe("item pages", () => {
  it("show the metadata block, the body unescaped and everything else escaped", async () => {
    index.put(
      makeItem({
        id: "doc",
        kind: ItemKind.ITEM_KIND_POLICY_DOCUMENT,
        title: "关于<script>alert(1)</script>的通知",
        summary: '摘要 "引号" & <b>',
        bodyHtml: "<p>正文<strong>加粗</strong></p>",
        documentNumber: "署办发〔2016〕12号",
        indexNumber: "000014672/2016-00012",
        tags: ["政务公开", "<i>"],
        attachments: [
          {
            name: "附件1.pdf",
            url: "https://example.org/a.pdf",
            mediaType: "application/pdf",
            sizeBytes: 204800,
          },
        ],
        dates: {
          formedAt: new Date("2016-05-20T00:00:00+08:00"),
          publishedAt: new Date("2016-05-23T20:30:00Z"),
        },
      }),
    );
    const { status, html, res } = await page("/items/doc");
    expect(status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBeTruthy();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).not.toContain("<script>");
    expect(html).toContain("关于&lt;script&gt;alert(1)&lt;/script&gt;的通知");
    expect(html).toContain("<p>正文<strong>加粗</strong></p>");
    expect(meta(html, "ArticleTitle")).toBe("关于&lt;script&gt;alert(1)&lt;/script&gt;的通知");
    expect(meta(html, "Description")).toBe("摘要 &quot;引号&quot; &amp; &lt;b&gt;");
    expect(meta(html, "PubDate")).toBe("2016-05-24 04:30"); // Asia/Shanghai
    expect(meta(html, "SiteName")).toBe(TEST_SITE.name);
    expect(meta(html, "SiteDomain")).toBe("127.0.0.1:4100");
    expect(meta(html, "ColumnName")).toBe("工作动态");
    expect(meta(html, "ContentSource")).toBe("海关总署办公厅");
    expect(meta(html, "Keywords")).toBe("政务公开,&lt;i&gt;");
    expect(meta(html, "Url")).toBe("http://127.0.0.1:4100/items/doc");
    expect(html).toContain('<link rel="canonical" href="http://127.0.0.1:4100/items/doc">');
    for (const text of [
      "<dt>索引号</dt><dd>000014672/2016-00012</dd>",
      "<dt>文号</dt><dd>署办发〔2016〕12号</dd>",
      "<dt>成文日期</dt><dd>2016年5月20日</dd>",
      "<dt>发布日期</dt><dd>2016年5月24日</dd>",
      "<dt>有效性</dt><dd>有效</dd>",
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toMatch(
      /<a href="https:\/\/example.org\/a.pdf">附件1.pdf<\/a> <span class="file-info">（PDF，200.0 KB）<\/span>/,
    );
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain('<a class="skip-link" href="#main">');
    expect(html).toMatch(/<nav class="breadcrumbs" aria-label="当前位置">/);
    expect(html).not.toMatch(/<script|style=/);
  });

  it("answer 404 for an unknown id", async () => {
    const { status, html } = await page("/items/nope");
    expect(status).toBe(404);
    expect(html).toContain("页面不存在");
  });

  it("show penalty details for the double publicity listing", async () => {
    index.put(
      makeItem({
        id: "penalty",
        kind: ItemKind.ITEM_KIND_ADMINISTRATIVE_PENALTY,
        category: "行政处罚",
        title: "皇岗海关行政处罚决定书",
        details: {
          $case: "penalty",
          value: {
            decisionNumber: "皇关缉违字〔2016〕0186号",
            party: { name: "张某某", kind: 1, identifier: "4403**********7717" },
            legalBasis: "条例第十九条",
            violation: "未申报",
            penalty: "罚款3,800元",
            decidingOffice: "皇岗海关",
            decisionDate: new Date("2016-07-15T00:00:00+08:00"),
          },
        },
      }),
    );
    const { html } = await page("/items/penalty");
    expect(html).toContain('<h2 id="penalty-heading">行政处罚信息</h2>');
    expect(html).toContain("<dt>当事人</dt><dd>张某某</dd>");
    expect(html).toContain("<dt>处罚决定日期</dt><dd>2016年7月15日</dd>");
    const listing = await page("/double-publicity");
    expect(listing.html).toContain('href="/items/penalty"');
  });
});

describe("interpretation links", () => {
  it.each([
    ["document first", [seedWorkPlan, seedInterpretation]],
    ["interpretation first", [seedInterpretation, seedWorkPlan]],
  ])("link both ways when the %s arrives", async (_order, makers) => {
    for (const make of makers) index.put(make());
    const doc = await page("/items/customs-disclosure-2016");
    expect(doc.html).toMatch(
      /<h2 id="interpretations-heading">政策解读<\/h2>[\s\S]*href="\/items\/customs-disclosure-2016-interpretation"/,
    );
    const interp = await page("/items/customs-disclosure-2016-interpretation");
    expect(interp.html).toMatch(
      /<h2 id="interprets-heading">解读的文件<\/h2>[\s\S]*href="\/items\/customs-disclosure-2016"/,
    );
  });

  it("drop an interpretation from the document once it no longer points there", async () => {
    index.put(seedWorkPlan());
    index.put(seedInterpretation());
    index.put(
      makeItem({
        ...seedInterpretation(),
        version: 2,
        related: [{ relation: Relation.RELATION_SEE_ALSO, itemId: "x" }],
      }),
    );
    expect((await page("/items/customs-disclosure-2016")).html).not.toContain(
      "interpretations-heading",
    );
  });
});

describe("takedowns", () => {
  beforeEach(() => {
    index.put(makeItem({ id: "w", title: "撤回的公告" }));
    index.put(
      makeItem({
        id: "w",
        version: 2,
        title: "撤回的公告",
        bodyHtml: "<p>秘密正文</p>",
        status: ItemStatus.ITEM_STATUS_RETRACTED,
        takedown: {
          kind: TakedownKind.TAKEDOWN_KIND_WITHDRAWN,
          publicExplanation: "因内容调整，本公告撤回。",
          reason: "内部原因",
        },
      }),
    );
    index.put(
      makeItem({
        id: "gone",
        status: ItemStatus.ITEM_STATUS_RETRACTED,
        takedown: { kind: TakedownKind.TAKEDOWN_KIND_REMOVED },
      }),
    );
    index.put(
      makeItem({
        id: "old",
        status: ItemStatus.ITEM_STATUS_RETRACTED,
        takedown: { kind: TakedownKind.TAKEDOWN_KIND_REPLACED, replacedBy: "new one" },
      }),
    );
    index.put(
      makeItem({
        id: "exp",
        title: "过期的办法",
        kind: ItemKind.ITEM_KIND_POLICY_DOCUMENT,
        status: ItemStatus.ITEM_STATUS_EXPIRED,
      }),
    );
  });

  it("keeps a withdrawn page with its public explanation but not its content", async () => {
    const { status, html } = await page("/items/w");
    expect(status).toBe(200);
    expect(html).toContain("因内容调整，本公告撤回。");
    expect(html).not.toContain("秘密正文");
    expect(html).not.toContain("内部原因");
    expect(html).toContain('<meta name="robots" content="noindex">');
    expect(html).toContain("<dt>有效性</dt><dd>已废止</dd>");
  });

  it("leaves withdrawn items out of listings, search, feeds and the sitemap", async () => {
    for (const path of [
      "/",
      "/kinds/news",
      "/catalogue/%E5%B7%A5%E4%BD%9C%E5%8A%A8%E6%80%81",
      "/search?q=%E6%92%A4%E5%9B%9E",
      "/feed.atom",
      "/feed.xml",
      "/feed.json",
      "/sitemap.xml",
    ]) {
      expect((await page(path)).html).not.toContain("/items/w");
    }
  });

  it("answers 410 for a removed item and 301 to the successor for a replaced one", async () => {
    const gone = await page("/items/gone");
    expect(gone.status).toBe(410);
    expect(gone.html).toContain("该信息已删除");
    const moved = await site.get("/items/old");
    expect(moved.status).toBe(301);
    expect(moved.headers.get("location")).toBe("/items/new%20one");
  });

  it("marks an expired item 已失效 on its page, in listings and in search, and keeps it listed", async () => {
    const item = await page("/items/exp");
    expect(item.html).toContain("<dt>有效性</dt><dd>已失效</dd>");
    expect(item.html).toContain("本文件已失效");
    expect((await page("/kinds/policy-document")).html).toMatch(/href="\/items\/exp"[\s\S]*已失效/);
    expect((await page("/search?q=%E8%BF%87%E6%9C%9F")).html).toMatch(
      /href="\/items\/exp"[\s\S]*已失效/,
    );
  });
});

describe("the contract examples", () => {
  it.each(loadExamples(Schemas.itemState, ItemState).map((e) => [e.name, e.message] as const))(
    "%s gets the page its status calls for",
    async (_name, state) => {
      index.put(state);
      const res = await page(`/items/${encodeURIComponent(state.id)}`);
      const listed = await page("/sitemap.xml");
      if (state.status === ItemStatus.ITEM_STATUS_RETRACTED) {
        expect(res.status).toBe(
          state.takedown?.kind === TakedownKind.TAKEDOWN_KIND_WITHDRAWN
            ? 200
            : state.takedown?.kind === TakedownKind.TAKEDOWN_KIND_REPLACED
              ? 301
              : 410,
        );
        if (res.status === 200) expect(res.html).toContain(state.takedown?.publicExplanation ?? "");
        expect(listed.html).not.toContain(encodeURIComponent(state.id));
      } else {
        expect(res.status).toBe(200);
        expect(listed.html).toContain(`/items/${encodeURIComponent(state.id)}`);
        const category = await page(`/catalogue/${encodeURIComponent(state.category)}`);
        expect(category.html).toContain(`/items/${encodeURIComponent(state.id)}`);
      }
    },
  );
});
