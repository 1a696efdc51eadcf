import { ItemStatus } from "@herald/contracts";
import type { PortalItem } from "./model";
import { itemPath } from "./render/format";
import { absoluteUrl, type SiteConfig } from "./render/layout-view";

/** Items in each feed: the newest listed ones. */
export const FEED_SIZE = 50;
/** URLs in one sitemap file, as the sitemaps protocol allows. */
export const SITEMAP_LIMIT = 50_000;

// Characters XML 1.0 cannot carry at all, even escaped: C0 controls other than
// tab and line breaks, U+FFFE/U+FFFF, and unpaired surrogates.
const INVALID_XML = new RegExp(
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  "[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]",
  "g",
);

/** Text escaped for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** Text as HTML that shows exactly that text. */
function htmlText(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * Plain text for an RSS `<title>` or `<description>`. RSS gives text no type:
 * readers take these elements as HTML (feedparser does whenever the text looks
 * like markup), so text is escaped for HTML and then for XML. Escaped once,
 * `<b>bold</b>` would arrive as bold and `&amp;` as `&`.
 */
function rssText(text: string): string {
  return xmlEscape(htmlText(text));
}

function isoTime(item: PortalItem): string {
  return new Date(item.publishedAt ?? item.updatedAt ?? 0).toISOString();
}

function updatedTime(item: PortalItem): string {
  return new Date(item.updatedAt ?? item.publishedAt ?? 0).toISOString();
}

function url(site: SiteConfig, item: PortalItem): string {
  return absoluteUrl(site, itemPath(item.id));
}

/** Atom 1.0 feed of the newest listed items. Titles and summaries are typed text, the body HTML. */
export function atomFeed(site: SiteConfig, items: readonly PortalItem[]): string {
  const newest = items.slice(0, FEED_SIZE);
  const updated = newest.reduce(
    (max, i) => (updatedTime(i) > max ? updatedTime(i) : max),
    new Date(0).toISOString(),
  );
  const entries = newest.map(
    (item) => `<entry>
<id>${xmlEscape(url(site, item))}</id>
<title type="text">${xmlEscape(item.title)}</title>
<link rel="alternate" type="text/html" href="${xmlEscape(url(site, item))}"/>
<published>${isoTime(item)}</published>
<updated>${updatedTime(item)}</updated>
${item.issuingOffice ? `<author><name>${xmlEscape(item.issuingOffice)}</name></author>\n` : ""}${item.category ? `<category term="${xmlEscape(item.category)}"/>\n` : ""}<summary type="text">${xmlEscape(item.summary)}</summary>
<content type="html">${xmlEscape(item.bodyHtml)}</content>
</entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
<id>${xmlEscape(absoluteUrl(site, "/"))}</id>
<title type="text">${xmlEscape(site.name)}</title>
<link rel="self" type="application/atom+xml" href="${xmlEscape(absoluteUrl(site, "/feed.atom"))}"/>
<link rel="alternate" type="text/html" href="${xmlEscape(absoluteUrl(site, "/"))}"/>
<updated>${updated}</updated>
${entries.join("\n")}
</feed>
`;
}

/** RSS 2.0 feed of the newest listed items, for readers that take no Atom. */
export function rssFeed(site: SiteConfig, items: readonly PortalItem[]): string {
  const entries = items.slice(0, FEED_SIZE).map(
    (item) => `<item>
<title>${rssText(item.title)}</title>
<link>${xmlEscape(url(site, item))}</link>
<guid isPermaLink="true">${xmlEscape(url(site, item))}</guid>
<pubDate>${new Date(item.publishedAt ?? item.updatedAt ?? 0).toUTCString()}</pubDate>
${item.category ? `<category>${xmlEscape(item.category)}</category>\n` : ""}<description>${rssText(item.summary)}</description>
</item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>${rssText(site.name)}</title>
<link>${xmlEscape(absoluteUrl(site, "/"))}</link>
<description>${rssText(site.name)}</description>
<language>zh-CN</language>
${entries.join("\n")}
</channel>
</rss>
`;
}

/** JSON Feed 1.1 of the newest listed items, for the mobile app: title and summary are plain text by the spec. */
export function jsonFeed(site: SiteConfig, items: readonly PortalItem[]): string {
  return JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: site.name,
    home_page_url: absoluteUrl(site, "/"),
    feed_url: absoluteUrl(site, "/feed.json"),
    language: "zh-CN",
    items: items.slice(0, FEED_SIZE).map((item) => ({
      id: item.id,
      url: url(site, item),
      title: item.title,
      summary: item.summary,
      content_html: item.bodyHtml,
      date_published: isoTime(item),
      date_modified: updatedTime(item),
      tags: item.tags,
      ...(item.issuingOffice ? { authors: [{ name: item.issuingOffice }] } : {}),
      _herald: {
        version: item.version,
        category: item.category,
        document_number: item.documentNumber,
        index_number: item.indexNumber,
        expired: item.status === ItemStatus.ITEM_STATUS_EXPIRED,
      },
    })),
  });
}

/** Number of sitemap files needed for `count` items (the first also lists the fixed pages). */
export function sitemapParts(count: number): number {
  return Math.max(1, Math.ceil(count / SITEMAP_LIMIT));
}

/** One sitemap `urlset`: part `part` (0-based) of the listed items. */
export function sitemap(site: SiteConfig, items: readonly PortalItem[], part = 0): string {
  const fixed =
    part === 0
      ? ["/", "/catalogue", "/double-publicity"].map(
          (p) => `<url><loc>${xmlEscape(absoluteUrl(site, p))}</loc></url>`,
        )
      : [];
  const urls = items
    .slice(part * SITEMAP_LIMIT, (part + 1) * SITEMAP_LIMIT)
    .map(
      (item) =>
        `<url><loc>${xmlEscape(url(site, item))}</loc><lastmod>${updatedTime(item)}</lastmod></url>`,
    );
  return `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${[...fixed, ...urls].join("\n")}
</urlset>
`;
}

/** A sitemap index naming `parts` sitemap files, used once items outgrow one file. */
export function sitemapIndex(site: SiteConfig, parts: number): string {
  const entries = Array.from(
    { length: parts },
    (_, i) =>
      `<sitemap><loc>${xmlEscape(absoluteUrl(site, `/sitemap-${i + 1}.xml`))}</loc></sitemap>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${entries.join("\n")}
</sitemapindex>
`;
}
