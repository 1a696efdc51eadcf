import { ItemKind, Priority } from "@herald/contracts";
import { createSiteApp } from "./app";
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

describe("home and listings", () => {
  it("shows an urgent banner for urgent published items", async () => {
    index.put(
      makeItem({ id: "u", title: "紧急通知：台风停止通关", priority: Priority.PRIORITY_URGENT }),
    );
    const { html } = await page("/");
    expect(html).toMatch(/<section class="urgent"[\s\S]*紧急通知：台风停止通关/);
    expect(meta(html, "ColumnName")).toBe("首页");
  });

  it("pages listings 20 at a time, newest first, and says when a page is out of range", async () => {
    for (let i = 0; i < 45; i += 1) {
      index.put(
        makeItem({
          id: `n${String(i).padStart(2, "0")}`,
          kind: ItemKind.ITEM_KIND_NOTICE,
          dates: { publishedAt: new Date(Date.UTC(2016, 0, 1 + i)) },
        }),
      );
    }
    const first = await page("/kinds/notice");
    expect(first.html.indexOf("/items/n44")).toBeLessThan(first.html.indexOf("/items/n43"));
    expect(first.html).toContain('<a rel="next" href="/kinds/notice?page=2">');
    const third = await page("/kinds/notice?page=3");
    expect(third.html).toContain('<a rel="prev" href="/kinds/notice?page=2">');
    expect(third.html).toContain("/items/n00");
    expect(third.html).not.toContain('rel="next"');
    const beyond = await page("/kinds/notice?page=4");
    expect(beyond.status).toBe(404);
    expect(beyond.html).toContain("共 3 页，没有第 4 页");
    expect((await page("/kinds/notice?page=abc")).status).toBe(400);
    expect((await page("/kinds/unknown")).status).toBe(404);
  });

  it("lists catalogue columns with counts", async () => {
    index.put(seedWorkPlan());
    index.put(seedInterpretation());
    const { html } = await page("/catalogue");
    expect(html).toMatch(
      /<a href="\/catalogue\/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80">政务公开<\/a> <span class="count">（1）<\/span>/,
    );
    expect((await page("/catalogue/%E6%94%BF%E7%AD%96%E8%A7%A3%E8%AF%BB")).html).toContain(
      "customs-disclosure-2016-interpretation",
    );
  });
});

describe("search page", () => {
  beforeEach(() => {
    index.put(seedWorkPlan());
    index.put(makeItem({ id: "xss", title: "<script>x</script>双公示" }));
  });

  it("finds the work plan and highlights matches after escaping", async () => {
    const { html } = await page(`/search?q=${encodeURIComponent("双公示")}`);
    expect(html).toContain('href="/items/customs-disclosure-2016"');
    expect(html).toContain("<mark>雙公示</mark>");
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;<mark>双公示</mark>");
    expect(html).not.toContain("<script>");
    expect(html).toMatch(
      /<label for="search-q">[^<]+<\/label>\s*<input type="search" id="search-q" name="q"/,
    );
    expect(html).toMatch(/<label for="site-search-q">/);
  });

  it("explains what to do on an empty query and on no results", async () => {
    expect((await page("/search")).html).toContain("请输入关键词");
    const none = await page(`/search?q=${encodeURIComponent("没有这个词语")}&kind=notice`);
    expect(none.html).toContain("没有找到与“没有这个词语”相关的结果");
    expect(none.html).toContain("在全部信息中搜索");
  });

  it("filters by kind and year", async () => {
    const byKind = await page(`/search?q=${encodeURIComponent("双公示")}&kind=policy-document`);
    expect(byKind.html).toContain("/items/customs-disclosure-2016");
    expect(byKind.html).not.toContain("/items/xss");
    const byYear = await page(`/search?q=${encodeURIComponent("双公示")}&year=2015`);
    expect(byYear.html).toContain("没有找到");
  });
});

describe("display modes", () => {
  it("sets a cookie and redirects back to a path on this site only", async () => {
    const res = await site.get(`/display?mode=large&back=${encodeURIComponent("/items/a?x=1")}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/items/a?x=1");
    expect(res.headers.get("set-cookie")).toMatch(
      /^herald_display=large; Max-Age=31536000; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    for (const back of [
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example",
      "javascript:alert(1)",
      "/%0d%0aSet-Cookie:x",
    ]) {
      const r = await site.get(`/display?mode=contrast&back=${encodeURIComponent(back)}`);
      const location = r.headers.get("location") ?? "";
      expect(location.startsWith("/") && !location.startsWith("//")).toBe(true);
      expect(location).not.toContain("evil");
    }
  });

  it("renders the chosen mode from the cookie, and standard clears it", async () => {
    const { html } = await page("/", "herald_display=large.contrast");
    expect(html).toContain('<body class="mode-large mode-contrast">');
    const res = await site.get("/display?mode=standard&back=/");
    expect(res.headers.get("set-cookie")).toMatch(/^herald_display=; Max-Age=0/);
  });

  it("serves the stylesheet as a file", async () => {
    const res = await site.get("/assets/site.css");
    expect(res.headers.get("content-type")).toMatch(/^text\/css/);
    expect(await res.text()).toContain("mode-contrast");
  });
});

describe("readiness", () => {
  it("answers 503 with Retry-After until the index is loaded", async () => {
    let ready = false;
    const loading = await startSite(
      createSiteApp({ index, site: TEST_SITE, isReady: () => ready }),
    );
    try {
      const res = await loading.get("/items/x");
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      ready = true;
      expect((await loading.get("/")).status).toBe(200);
    } finally {
      await loading.close();
    }
  });
});
