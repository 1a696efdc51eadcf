import sanitizeHtml from "sanitize-html";
import { sanitizeBody } from "./html-policy";
import { XSS_PAYLOADS } from "./xss-payloads";

/** Every start tag of `html` as htmlparser2 reads it (names lower-cased, values decoded). */
function parseTags(html: string): Array<{ name: string; attribs: Record<string, string> }> {
  const tags: Array<{ name: string; attribs: Record<string, string> }> = [];
  sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    onOpenTag: (name, attribs) => tags.push({ name, attribs: { ...attribs } }),
  });
  return tags;
}

/** What a browser might execute, read from a parse of sanitised output. */
function activeContent(html: string): string[] {
  const found: string[] = [];
  if (/<script/i.test(html)) found.push("raw <script");
  for (const { name, attribs } of parseTags(html)) {
    if (name === "script") found.push("script element");
    for (const [attribute, value] of Object.entries(attribs)) {
      if (attribute.startsWith("on")) found.push(`${name} ${attribute}`);
      const squeezed = value.replace(/[\s\p{Cc}]/gu, "").toLowerCase();
      if (squeezed.includes("javascript:")) found.push(`${name} ${attribute}=${value}`);
    }
  }
  return found;
}

describe("sanitizeBody: XSS payloads", () => {
  it("has at least 40 payloads, and an output check that would notice one getting through", () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(40);
    expect(activeContent('<img src="x" ONERROR="a()"><a href="jav&#x61;script:b()">x</a>')).toEqual(
      ["img onerror", "a href=javascript:b()"],
    );
  });

  it.each(XSS_PAYLOADS.map((p) => [p.name, p] as const))("refuses %s", (_name, payload) => {
    const check = sanitizeBody(payload.html);
    expect(check.refused.map((r) => r.rule)).toContain(payload.rule);
    for (const r of check.refused) {
      expect(r.excerpt.length).toBeGreaterThan(0);
      expect(r.excerpt.length).toBeLessThanOrEqual(80);
      expect(r.message).toMatch(/^\S.*[.]$/);
    }
  });

  it.each(XSS_PAYLOADS.map((p) => [p.name, p] as const))(
    "leaves no active content in the output of %s",
    (_name, payload) => {
      const { html } = sanitizeBody(payload.html);
      expect(activeContent(html)).toEqual([]);
      expect(html.toLowerCase()).not.toContain("javascript:");
    },
  );

  it("sees through the same obfuscation in any case and spacing", () => {
    for (const href of [
      "jav&#x61;script:x",
      "java\tscript:x",
      " JAVASCRIPT:x",
      "\u0001javascript:x",
    ]) {
      expect(sanitizeBody(`<a href="${href}">x</a>`).refused).toEqual([
        expect.objectContaining({ rule: "html.no-script-url" }),
      ]);
    }
  });

  it("quotes the offending tag in the excerpt, decoded and shortened", () => {
    const check = sanitizeBody(
      `<p>正文</p><img alt="${"很长的说明".repeat(20)}" src="//img.example/a.png" onerror="alert(1)">`,
      { imageHosts: ["img.example"] },
    );
    expect(check.refused).toEqual([
      {
        rule: "html.no-event-handler",
        excerpt: '<img onerror="alert(1)" …>',
        message:
          "Event-handler attributes such as onerror run code and are not allowed; remove the attribute.",
      },
    ]);
    expect(sanitizeBody('<a href="jav&#x61;script:go()">x</a>').refused[0]?.excerpt).toBe(
      '<a href="javascript:go()">',
    );
    expect(sanitizeBody("<script>alert(1)</script>").refused[0]?.excerpt).toBe("<script>");
  });
});

describe("sanitizeBody: ordinary documents", () => {
  const notice = [
    "<h2>关于调整进口货物报关单填制规范的公告</h2>",
    "<p>海关总署公告2024年第12号</p>",
    "<p>为进一步<strong>规范</strong>申报行为，现将有关事项<em>公告</em>如下：</p>",
    "<h3>一、适用范围</h3>",
    "<ol><li>一般贸易进口货物；</li><li>加工贸易<sub>1</sub>进口货物。</li></ol>",
    "<blockquote><p>引文</p></blockquote>",
    '<table><caption>附表</caption><thead><tr><th scope="col">序号</th><th scope="col" colspan="2">商品编码</th></tr></thead>',
    '<tbody><tr><td>1</td><td rowspan="2">0101210010</td><td>改良种用马</td></tr></tbody></table>',
    '<figure><img src="https://img.customs.gov.cn/2024/chart.png" alt="申报流程图" width="600" height="400" />',
    "<figcaption>图1 申报流程</figcaption></figure><hr />",
    '<p>详见<a href="https://www.customs.gov.cn/customs/302249/index.html" title="海关总署">附件</a>，',
    '或<a href="/zfxxgk/2024/12.html">本站原文</a>；来信请寄<a href="mailto:xxgk@customs.gov.cn">信箱</a>。',
    '<br /><abbr title="中华人民共和国海关">海关</abbr><span>特此公告。</span></p>',
    "<div><pre><code>HS 0101.21</code></pre><p><b>b</b><i>i</i><u>u</u><s>s</s><sup>2</sup></p></div>",
  ].join("");

  it("keeps a government notice as it is, adding rel only to links that leave the site", () => {
    const check = sanitizeBody(notice, { imageHosts: ["img.customs.gov.cn"] });
    expect(check.refused).toEqual([]);
    expect(check.stripped).toEqual([]);
    expect(check.html).toBe(
      notice
        .replace('title="海关总署">', 'title="海关总署" rel="noopener noreferrer">')
        .replace(
          'href="mailto:xxgk@customs.gov.cn">',
          'href="mailto:xxgk@customs.gov.cn" rel="noopener noreferrer">',
        ),
    );
  });

  it("keeps text and entities, removing comments and listing them", () => {
    const check = sanitizeBody(
      "<p>甲&amp;乙 &lt;丙&gt;<!-- 内部备注 --><!--[if IE]><script>x</script><![endif]-->丁</p>",
    );
    expect(check).toEqual({
      html: "<p>甲&amp;乙 &lt;丙&gt;丁</p>",
      refused: [],
      stripped: [{ what: "comment", name: "comment", count: 2, excerpt: "<!-- 内部备注 -->" }],
    });
  });

  it("accepts protocol-relative links and images as absolute ones", () => {
    expect(
      sanitizeBody('<a href="//www.gov.cn/">国务院</a><img src="//img.example/a.png">', {
        imageHosts: ["img.example"],
      }).html,
    ).toBe(
      '<a href="//www.gov.cn/" rel="noopener noreferrer">国务院</a><img src="//img.example/a.png" />',
    );
  });
});

describe("sanitizeBody: stripped markup", () => {
  it("unwraps unknown elements and lists removed markup with counts", () => {
    const check = sanitizeBody(
      [
        '<p class="MsoNormal" style="text-align:center;font-family:宋体">',
        '<font color="red">重要</font>通知</p>',
        '<center><span id="a1" class="x" lang="zh-CN">正文</span></center>',
        '<p style="text-align:left"><font>再次</font></p>',
      ].join(""),
    );
    expect(check.refused).toEqual([]);
    expect(check.html).toBe("<p>重要通知</p><span>正文</span><p>再次</p>");
    expect(check.stripped).toEqual([
      { what: "attribute", name: "class", count: 2 },
      { what: "style", name: "text-align", count: 2 },
      { what: "style", name: "font-family", count: 1 },
      { what: "element", name: "font", count: 2 },
      { what: "element", name: "center", count: 1 },
      { what: "attribute", name: "id", count: 1 },
      { what: "attribute", name: "lang", count: 1 },
    ]);
  });

  it("drops link attributes outside the list and schemes other than http(s)/mailto", () => {
    const check = sanitizeBody(
      '<a href="https://www.gov.cn/" target="_blank" rel="nofollow">a</a><a href="ftp://x/y">b</a><img src="mailto:x@y" alt="c">',
    );
    // A mailto: image is stripped, not refused: it loads nothing.
    expect(check.refused).toEqual([]);
    expect(check.html).toBe(
      '<a href="https://www.gov.cn/" rel="noopener noreferrer">a</a><a>b</a><img alt="c" />',
    );
    expect(check.stripped).toEqual([
      { what: "attribute", name: "target", count: 1 },
      { what: "attribute", name: "rel", count: 1 },
      { what: "attribute", name: "href", count: 1 },
      { what: "attribute", name: "src", count: 1 },
    ]);
  });

  it("reports an unreadable style attribute by its name", () => {
    expect(sanitizeBody('<p style="!!">x</p>').stripped).toEqual([
      { what: "style", name: "style", count: 1 },
    ]);
  });
});

describe("sanitizeBody: markup the parser drops is listed too", () => {
  it.each([
    ["CDATA", "<p>甲<![CDATA[ 乙 ]]>丙</p>", "cdata", "<![CDATA[ 乙 ]]>"],
    [
      "a processing instruction",
      '<?xml version="1.0"?><p>甲</p>',
      "processing-instruction",
      '<?xml version="1.0"?>',
    ],
    ["a declaration", "<!DOCTYPE html><p>甲</p>", "declaration", "<!DOCTYPE html>"],
    ["an end tag that closes nothing", "<p>甲</div>乙</p>", "end-tag", "</div>"],
    [
      "a tag left unfinished at the end",
      '<p>甲</p><span class="x',
      "unclosed-tag",
      '<span class="x',
    ],
    ["an unfinished comment", "<p>甲</p><!-- 备注", "comment", "<!-- 备注"],
  ])("lists %s", (_name, html, what, excerpt) => {
    const check = sanitizeBody(html);
    expect(check.refused).toEqual([]);
    expect(check.stripped).toEqual([{ what, name: what, count: 1, excerpt }]);
  });

  it("lists nothing for a body it keeps whole, and nothing for an element closed by the parser", () => {
    expect(sanitizeBody("<p>甲 &lt; 乙 &amp; 丙<br></p>").stripped).toEqual([]);
    expect(sanitizeBody("<p>未闭合的段落").stripped).toEqual([]);
  });
});

describe("sanitizeBody: images", () => {
  const refusedRules = (html: string, imageHosts?: string[]) =>
    sanitizeBody(html, imageHosts ? { imageHosts } : {}).refused.map((r) => r.rule);

  it("refuses every image by default: no image host is configured", () => {
    for (const src of [
      "https://img.example/a.png",
      "//img.example/a.png",
      "/files/a.png",
      "a.png",
    ]) {
      expect({ src, rules: refusedRules(`<img src="${src}" alt="图">`) }).toEqual({
        src,
        rules: ["html.image-host"],
      });
    }
    const [refusal] = sanitizeBody('<img src="https://img.example/a.png">').refused;
    expect(refusal!.message).toMatch(/CONTENT_IMAGE_HOSTS.*WeChat.*upload/);
    expect(refusal!.excerpt).toBe('<img src="https://img.example/a.png">');
  });

  it("keeps images from a configured host, over http(s) or protocol-relative, in any case", () => {
    const hosts = ["img.customs.gov.cn"];
    for (const src of [
      "https://img.customs.gov.cn/a.png",
      "http://IMG.customs.gov.cn/a.png",
      "//img.customs.gov.cn/a.png",
    ]) {
      expect(refusedRules(`<img src="${src}">`, hosts)).toEqual([]);
    }
    expect(
      refusedRules('<img src="https://img.customs.gov.cn.evil.example/a.png">', hosts),
    ).toEqual(["html.image-host"]);
    expect(refusedRules('<img src="https://evil.example/a.png">', hosts)).toEqual([
      "html.image-host",
    ]);
  });

  it("leaves data: and script images to their own rules", () => {
    expect(refusedRules('<img src="data:image/png;base64,AAAA">')).toEqual(["html.no-data-url"]);
  });
});
