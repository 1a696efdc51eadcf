import { ItemStatus, TakedownKind } from "@herald/contracts";
import { atomFeed, jsonFeed, rssFeed, sitemap, sitemapIndex, xmlEscape } from "./feeds";
import { createPortalIndex } from "./portal-index";
import { makeItem } from "./test-support";

const SITE = { name: "海关总署 & <政府信息公开>", baseUrl: "https://www.example.gov.cn" };

/**
 * A strict well-formedness check for the XML these feeds use: balanced
 * elements, quoted attributes, only the five predefined entities or numeric
 * references, no stray "<" or "&".
 */
function parseXml(xml: string): string[] {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, "");
  const stack: string[] = [];
  const names: string[] = [];
  const token = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let at = 0;
  while (at < body.length) {
    token.lastIndex = at;
    const m = token.exec(body);
    if (!m) throw new Error(`not well-formed at ${at}: ${body.slice(at, at + 40)}`);
    at = token.lastIndex;
    const [, close, name, attrs, selfClose, text] = m;
    const checkEntities = (s: string) => {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s))
        throw new Error(`bad entity in ${s.slice(0, 40)}`);
    };
    if (text !== undefined) {
      checkEntities(text);
      if (text.includes(">") && !/^\s*$/.test(text)) checkEntities(text);
      continue;
    }
    checkEntities(attrs ?? "");
    if (close) {
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
    } else {
      names.push(name as string);
      if (!selfClose) stack.push(name as string);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed ${stack.join(",")}`);
  return names;
}

function fixture() {
  const index = createPortalIndex();
  index.put(
    makeItem({
      id: "a&b",
      title: "标题 <b>&\u0001</b>",
      summary: "摘要 ' \"",
      bodyHtml: "<p>正文 &amp; 更多</p>",
    }),
  );
  index.put(makeItem({ id: "expired", status: ItemStatus.ITEM_STATUS_EXPIRED }));
  index.put(
    makeItem({
      id: "withdrawn",
      status: ItemStatus.ITEM_STATUS_RETRACTED,
      takedown: { kind: TakedownKind.TAKEDOWN_KIND_WITHDRAWN },
    }),
  );
  return index.listed();
}

describe("feeds", () => {
  it("escape text for XML, dropping characters XML cannot carry", () => {
    expect(xmlEscape(`<a href="x">'&'</a>\u0000\ud800`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;",
    );
  });

  it("Atom and RSS parse as XML and hold only listed items", () => {
    const items = fixture();
    const atom = atomFeed(SITE, items);
    expect(parseXml(atom).filter((n) => n === "entry")).toHaveLength(2);
    expect(atom).toContain("<id>https://www.example.gov.cn/items/a%26b</id>");
    expect(atom).toContain('<title type="text">标题 &lt;b&gt;&amp;&lt;/b&gt;</title>');
    expect(atom).not.toContain("withdrawn");
    const rss = rssFeed(SITE, items);
    expect(parseXml(rss).filter((n) => n === "item")).toHaveLength(2);
    expect(rss).not.toContain("withdrawn");
  });

  it("JSON Feed 1.1 parses and holds only listed items", () => {
    const feed = JSON.parse(jsonFeed(SITE, fixture())) as {
      version: string;
      items: { id: string; url: string }[];
    };
    expect(feed.version).toBe("https://jsonfeed.org/version/1.1");
    expect(feed.items.map((i) => i.id).sort()).toEqual(["a&b", "expired"]);
    expect(feed.items[0]?.url).toMatch(/^https:\/\/www.example.gov.cn\/items\//);
  });

  it("the sitemap parses and lists fixed pages and listed items; an index names its parts", () => {
    const xml = sitemap(SITE, fixture());
    expect(parseXml(xml).filter((n) => n === "url")).toHaveLength(5);
    expect(xml).not.toContain("withdrawn");
    const index = sitemapIndex(SITE, 2);
    expect(parseXml(index).filter((n) => n === "sitemap")).toHaveLength(2);
    expect(index).toContain("https://www.example.gov.cn/sitemap-2.xml");
  });
});
