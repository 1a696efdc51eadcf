import { toWechatHtml } from "./wechat-html";

const PORTAL = "https://www.customs.example.cn";

describe("toWechatHtml", () => {
  it("keeps no script, style sheet, class, id, frame or form", () => {
    const { html } = toWechatHtml(
      `<p class="lead" id="top" style="color:red" onclick="x()">正文</p><script>alert(1)</script>` +
        `<style>p{color:red}</style><iframe src="https://evil.example"></iframe>` +
        `<form action="/x"><input name="q"><button>提交</button></form><link rel="stylesheet" href="/a.css">`,
      PORTAL,
    );
    expect(html).toContain("正文");
    for (const banned of [
      "<script",
      "alert",
      "<style",
      "p{color",
      "class=",
      "id=",
      "onclick",
      "<iframe",
      "<form",
      "<input",
      "<button",
      "提交",
      "<link",
      "color:red",
    ]) {
      expect(html).not.toContain(banned);
    }
  });

  it("gives paragraphs and headings the house style inline", () => {
    const { html } = toWechatHtml(
      "<h2>一、总体要求</h2><p>内容</p><h3>（一）</h3><h4>1.</h4>",
      PORTAL,
    );
    expect(html).toMatch(
      /^<p style="[^"]*font-size:19px[^"]*font-weight:bold[^"]*">一、总体要求<\/p><p style="[^"]*line-height:1\.75[^"]*">内容<\/p>/,
    );
    expect(html).not.toMatch(/<h[2-4]/);
  });

  it("wraps a table in a sideways-scrolling section, with bordered padded cells and no fixed widths", () => {
    const { html } = toWechatHtml(
      `<table><caption>表1 税率</caption><thead><tr><th scope="col">商品</th><th>税率</th></tr></thead>` +
        `<tbody><tr><td colspan="2" width="300">合计</td></tr></tbody></table>`,
      PORTAL,
    );
    expect(html).toMatch(
      /^<section style="[^"]*overflow-x:auto[^"]*"><p style="[^"]*">表1 税率<\/p><table style="[^"]*border-collapse:collapse/,
    );
    expect(html).toMatch(
      /<th style="[^"]*border:1px solid #cccccc;padding:6px 8px[^"]*">商品<\/th>/,
    );
    expect(html).toContain('<td colspan="2" style="');
    expect(html).not.toContain("width=");
    expect(html).not.toContain("scope=");
    expect(html).toMatch(/<\/table><\/section>$/);
  });

  it("lists body images once each, in document order, resolved against the portal", () => {
    const { html, images } = toWechatHtml(
      `<p><img src="/media/a.jpg" alt="图一" width="800"></p><img src="https://cdn.example.cn/b.png"><img src="/media/a.jpg"><img src="">`,
      PORTAL,
    );
    expect(images).toEqual([`${PORTAL}/media/a.jpg`, "https://cdn.example.cn/b.png"]);
    expect(html).toContain(
      `<img src="${PORTAL}/media/a.jpg" alt="图一" style="display:block;max-width:100%`,
    );
    expect(html).not.toContain("width=");
    expect(html.match(/<img /g)).toHaveLength(3);
  });

  it("keeps links to WeChat articles and turns other links into their text and address", () => {
    const { html } = toWechatHtml(
      `<p><a href="https://mp.weixin.qq.com/s/abc">上一期</a> 与 <a href="/items/42">相关公告</a>，` +
        `<a href="https://other.example.org/x">https://other.example.org/x</a>，<a href="mailto:ask@customs.example.cn">邮箱</a></p>`,
      PORTAL,
    );
    expect(html).toContain(
      '<a href="https://mp.weixin.qq.com/s/abc" style="color:#576b95">上一期</a>',
    );
    expect(html).toContain(`相关公告（${PORTAL}/items/42）`);
    expect(html).toContain("https://other.example.org/x，");
    expect(html).not.toContain("https://other.example.org/x（");
    expect(html).toContain("邮箱（ask@customs.example.cn）");
    expect(html.match(/<a /g)).toHaveLength(1);
  });

  it("escapes text and attribute values it writes", () => {
    const { html } = toWechatHtml(
      `<p>a &lt; b &amp; "c"</p><img src="/x.jpg" alt='say "hi"'>`,
      PORTAL,
    );
    expect(html).toContain('a &lt; b &amp; "c"');
    expect(html).toContain('alt="say &quot;hi&quot;"');
  });

  it("gives the body's plain text with blocks separated and white space collapsed", () => {
    const { text } = toWechatHtml(
      "<p>第一段</p>\n\n<p>Second   para</p><script>x</script>",
      PORTAL,
    );
    expect(text).toBe("第一段 Second para");
  });
});
