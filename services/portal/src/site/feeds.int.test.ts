import { readFeeds } from "@herald/test-harness";
import { atomFeed, jsonFeed, rssFeed } from "./feeds";
import { createPortalIndex } from "./portal-index";
import { makeItem } from "./test-support";

/**
 * Every feed the portal serves, read by a parser nobody here wrote: a title or
 * summary written as plain text must reach the reader as exactly that text,
 * never as markup it renders. (An integration test only because it installs
 * feedparser from PyPI on first use.)
 */
const HOSTILE = [
  "<script>alert('x')</script>",
  "&amp; is how HTML writes &",
  "a ]]> b <![CDATA[ c ]]>",
  "<b>bold</b> is literal text",
  `"双引号" and 'single' quotes`,
  "海关总署关于2016年政务公开工作要点的通知",
  "emoji 🎉 and 𠮷 outside the BMP",
  "<p>para</p> &lt;already escaped&gt; &#38; &nbsp;",
  "AT&T <i>x</i> & <img src=x onerror=alert(1)>",
];

const SITE = { name: '海关 & <政府信息公开> "站"', baseUrl: "https://www.example.gov.cn" };

function items() {
  const index = createPortalIndex();
  HOSTILE.forEach((text, i) =>
    index.put(
      makeItem({
        id: `hostile-${i}`,
        title: text,
        summary: `摘要：${text}`,
        dates: { publishedAt: new Date(Date.UTC(2016, 5, 1, i)) },
      }),
    ),
  );
  return index.listed();
}

describe("feeds as a reader sees them", () => {
  const listed = items();
  const formats = {
    rss: rssFeed(SITE, listed),
    atom: atomFeed(SITE, listed),
    json: jsonFeed(SITE, listed),
  } as const;
  const names = Object.keys(formats) as Array<keyof typeof formats>;
  const readings = readFeeds(names.map((format) => ({ format, text: formats[format] })));

  it.each(names.map((name, i) => [name, i] as const))(
    "%s: every hostile title and summary arrives as its own text",
    (_name, i) => {
      const reading = readings[i]!;
      expect(reading.bozo).toBeNull();
      expect(reading.title.text).toBe(SITE.name);
      expect(reading.title.tags).toEqual([]);
      expect(reading.entries).toHaveLength(HOSTILE.length);
      for (const entry of reading.entries) {
        const original = listed.find((item) => entry.link.endsWith(`/items/${item.id}`));
        expect(original).toBeDefined();
        // Exactly the text, and nothing the reader would render as an element.
        expect({ title: entry.title.text, tags: entry.title.tags }).toEqual({
          title: original!.title,
          tags: [],
        });
        expect({ summary: entry.summary.text, tags: entry.summary.tags }).toEqual({
          summary: original!.summary,
          tags: [],
        });
      }
    },
  );
});
