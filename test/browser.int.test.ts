/**
 * The harness's browser works: Debian's Chromium, launched through playwright-core,
 * loads a page from a local server, reads its Chinese text, draws it with a CJK font
 * and saves a screenshot where test artifacts go.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { artifactPath, launchBrowser } from "@herald/test-harness";
import type { Browser } from "playwright-core";

const HEADING = "关于做好2026年春节期间安全工作的通知";
const PAGE = `<!doctype html>
<html lang="zh-CN">
  <head><meta charset="utf-8"><title>浏览器自检</title></head>
  <body><h1>${HEADING}</h1><p>各单位：请按要求落实值班制度。</p></body>
</html>`;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let server: Server;
let url: string;
let browser: Browser;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test("renders a Chinese page and saves a screenshot", async () => {
  const page = await browser.newPage();
  await page.goto(url);
  expect(await page.title()).toBe("浏览器自检");
  expect(await page.locator("h1").textContent()).toBe(HEADING);

  // Without a CJK font Chromium draws boxes, and the screenshot is useless to a reader.
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send("DOM.getDocument");
  const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: "h1" });
  await cdp.send("CSS.enable");
  const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
  expect(fonts.map((font) => font.familyName)).toContainEqual(expect.stringMatching(/CJK/));

  const path = artifactPath("browser-self-test.png");
  await page.screenshot({ path, fullPage: true });
  const png = readFileSync(path);
  expect(png.length).toBeGreaterThan(PNG_SIGNATURE.length);
  expect(png.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)).toBe(true);
});
