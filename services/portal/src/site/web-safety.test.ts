/**
 * The website's redirects, cookies and URLs through the real HTTP server:
 * the display-mode switch's `back`, Secure cookies behind a trusted proxy,
 * and malformed percent-encoding.
 */
import { createSiteApp } from "./app";
import { createPortalIndex } from "./portal-index";
import { makeItem, readPage, type RunningSite, startSite, TEST_SITE } from "./test-support";

let site: RunningSite;

afterEach(async () => {
  await site.close();
});

describe("the display-mode switch's back", () => {
  beforeEach(async () => {
    site = await startSite(createSiteApp({ index: createPortalIndex(), site: TEST_SITE }));
  });

  it.each([
    "/a/../..//evil.example",
    "/./\\evil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%2e%2e/%2F/evil.example",
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "data:text/html,x",
    "/\t/evil.example",
    "/\n/evil.example",
  ])("sends %j home, never to another host", async (back) => {
    const res = await site.get(`/display?mode=large&back=${encodeURIComponent(back)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    // The mode is still set: only the destination was refused.
    expect(res.headers.get("set-cookie")).toMatch(/^herald_display=large;/);
  });

  it("returns to a path on this site, normalised", async () => {
    const res = await site.get(
      `/display?mode=large&back=${encodeURIComponent("/a/../items/x?y=1")}`,
    );
    expect(res.headers.get("location")).toBe("/items/x?y=1");
  });
});

describe("Secure cookies", () => {
  const secureFlag = async (headers: Record<string, string>) => {
    const res = await site.get("/display?mode=large&back=/", { headers });
    return /; Secure$/.test(res.headers.get("set-cookie") ?? "");
  };

  it("are not Secure over plain HTTP, and a forwarded https is not believed by default", async () => {
    site = await startSite(createSiteApp({ index: createPortalIndex(), site: TEST_SITE }));
    expect(await secureFlag({})).toBe(false);
    expect(await secureFlag({ "x-forwarded-proto": "https" })).toBe(false);
  });

  it("are Secure when a trusted proxy says the request came over TLS", async () => {
    site = await startSite(
      createSiteApp({ index: createPortalIndex(), site: TEST_SITE, trustProxy: ["loopback"] }),
    );
    expect(await secureFlag({ "x-forwarded-proto": "https" })).toBe(true);
    expect(await secureFlag({})).toBe(false);
  });
});

describe("malformed percent-encoding", () => {
  beforeEach(async () => {
    const index = createPortalIndex();
    index.put(makeItem({ id: "doc" }));
    site = await startSite(createSiteApp({ index, site: TEST_SITE }));
  });

  it.each([
    "/items/%E0%A4%A",
    "/items/%zz",
    "/%zz",
    "/catalogue/%FF",
    "/search?q=%E0%A4%A",
    "/search?q=%zz",
    "/feed.xml?x=%",
    "/display?mode=large&back=%zz",
  ])("%s answers 400 with a page that says what is wrong", async (path) => {
    const { status, html, res } = await readPage(site, path);
    expect(status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toContain("网址中的百分号编码（%XX）有误");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("leaves well-formed encodings alone", async () => {
    expect((await readPage(site, "/items/%64oc")).status).toBe(200);
    expect((await readPage(site, `/search?q=${encodeURIComponent("海关")}`)).status).toBe(200);
  });
});
