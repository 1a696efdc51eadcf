/**
 * Turns an item's body HTML (already sanitised by the content service) into the
 * HTML a WeChat article keeps: a small set of elements, each shaped by an inline
 * `style`, because the platform strips classes, ids, style sheets, scripts and
 * frames. Links leave the platform only to other WeChat articles; any other link
 * becomes its text followed by the address, so a reader can still copy it.
 */
import { Parser } from "htmlparser2";
import { STYLE } from "./wechat-styles";

export interface WechatBody {
  /** The article body HTML, body images still at their source URLs. */
  html: string;
  /** Distinct absolute src URLs of body images, in document order. */
  images: string[];
  /** The body as a reader sees it: text only, white space collapsed. */
  text: string;
}

/** The hosts whose links survive in an article: WeChat keeps links to its own articles only. */
const KEPT_LINK_HOSTS = new Set(["mp.weixin.qq.com"]);

/** Elements whose content must not reach the article at all. */
const DROPPED_WITH_CONTENT = new Set([
  ..."script style iframe frame frameset object embed applet noscript template".split(" "),
  ..."input button select option textarea svg math video audio canvas head title link meta".split(
    " ",
  ),
]);

/** Elements shown as another element with the house style; others are unwrapped, their text kept. */
const MAPPED: ReadonlyMap<string, { tag: string; style?: string }> = new Map([
  ["p", { tag: "p", style: STYLE.paragraph }],
  ["h1", { tag: "p", style: STYLE.heading2 }],
  ["h2", { tag: "p", style: STYLE.heading2 }],
  ["h3", { tag: "p", style: STYLE.heading3 }],
  ["h4", { tag: "p", style: STYLE.heading4 }],
  ["h5", { tag: "p", style: STYLE.heading4 }],
  ["h6", { tag: "p", style: STYLE.heading4 }],
  ["div", { tag: "section" }],
  ["figure", { tag: "section", style: STYLE.section }],
  ["figcaption", { tag: "p", style: STYLE.caption }],
  ["strong", { tag: "strong" }],
  ["b", { tag: "strong" }],
  ["em", { tag: "em" }],
  ["i", { tag: "em" }],
  ["u", { tag: "span", style: STYLE.underline }],
  ["s", { tag: "span", style: STYLE.strike }],
  ["sup", { tag: "span", style: STYLE.superscript }],
  ["sub", { tag: "span", style: STYLE.subscript }],
  ["ul", { tag: "ul", style: STYLE.list }],
  ["ol", { tag: "ol", style: STYLE.list }],
  ["li", { tag: "li", style: STYLE.listItem }],
  ["blockquote", { tag: "blockquote", style: STYLE.quote }],
  ["pre", { tag: "section", style: STYLE.preformatted }],
  ["code", { tag: "span", style: STYLE.code }],
  ["thead", { tag: "thead" }],
  ["tbody", { tag: "tbody" }],
  ["tfoot", { tag: "tbody" }],
  ["tr", { tag: "tr" }],
]);

/** Elements whose edges separate words in the plain text. */
const BLOCKS = new Set([
  ..."p h1 h2 h3 h4 h5 h6 div figure figcaption ul ol li blockquote pre table caption tr th td br hr".split(
    " ",
  ),
]);

export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, "&quot;");
}

function open(tag: string, attributes: Record<string, string | undefined> = {}): string {
  const rendered = Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
    .join("");
  return `<${tag}${rendered}>`;
}

/** An absolute http(s) URL for `reference`, resolved against the portal; undefined when there is none. */
export function absoluteUrl(reference: string, base: string): string | undefined {
  try {
    const url = new URL(reference.trim(), `${base.replace(/\/+$/, "")}/`);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function span(value: string | undefined): string | undefined {
  return value !== undefined && /^[1-9][0-9]{0,2}$/.test(value) ? value : undefined;
}

interface LinkFrame {
  href: string | undefined;
  kept: boolean;
  text: string;
}

/** Renders `bodyHtml` for a WeChat article; relative URLs resolve against `portalBaseUrl`. */
export function toWechatHtml(bodyHtml: string, portalBaseUrl: string): WechatBody {
  const out: string[] = [];
  const text: string[] = [];
  const images: string[] = [];
  const closers: string[] = [];
  const links: LinkFrame[] = [];
  let skipping = 0;
  let tableOpenPending = false;

  const emit = (html: string) => out.push(html);
  const flushTable = () => {
    if (tableOpenPending) emit(open("table", { style: STYLE.table }));
    tableOpenPending = false;
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (skipping > 0 || DROPPED_WITH_CONTENT.has(name)) {
          skipping++;
          return;
        }
        if (BLOCKS.has(name)) text.push(" ");
        if (tableOpenPending && name !== "caption") flushTable();
        const mapped = MAPPED.get(name);
        if (mapped !== undefined) {
          emit(open(mapped.tag, { style: mapped.style }));
          closers.push(`</${mapped.tag}>`);
          return;
        }
        switch (name) {
          case "table":
            emit(open("section", { style: STYLE.tableScroller }));
            tableOpenPending = true;
            closers.push("</table></section>");
            return;
          case "caption":
            // A caption reads above the table; the table itself opens after it.
            emit(open("p", { style: STYLE.caption }));
            closers.push("</p>");
            return;
          case "th":
          case "td":
            emit(
              open(name, {
                colspan: span(attribs.colspan),
                rowspan: span(attribs.rowspan),
                style: name === "th" ? STYLE.headerCell : STYLE.cell,
              }),
            );
            closers.push(`</${name}>`);
            return;
          case "br":
            emit("<br>");
            closers.push("");
            return;
          case "hr":
            emit(open("section", { style: STYLE.rule }));
            closers.push("</section>");
            return;
          case "img": {
            const src = absoluteUrl(attribs.src ?? "", portalBaseUrl);
            if (src !== undefined && (attribs.src ?? "").trim() !== "") {
              if (!images.includes(src)) images.push(src);
              emit(open("img", { src, alt: attribs.alt ?? "", style: STYLE.image }));
            }
            closers.push("");
            return;
          }
          case "a":
            openLink(attribs.href);
            return;
          default:
            closers.push("");
        }
      },
      ontext(data) {
        if (skipping > 0) return;
        text.push(data);
        for (const link of links) link.text += data;
        emit(escapeText(data));
      },
      onclosetag(name) {
        if (skipping > 0) {
          skipping--;
          return;
        }
        if (name === "table") flushTable();
        if (name === "a") {
          closeLink();
          return;
        }
        if (BLOCKS.has(name)) text.push(" ");
        emit(closers.pop() ?? "");
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );

  function openLink(rawHref: string | undefined) {
    const trimmed = (rawHref ?? "").trim();
    const isMail = trimmed.toLowerCase().startsWith("mailto:");
    const href = isMail ? trimmed : absoluteUrl(trimmed, portalBaseUrl);
    const kept = href !== undefined && !isMail && KEPT_LINK_HOSTS.has(new URL(href).hostname);
    links.push({ href: trimmed === "" ? undefined : href, kept, text: "" });
    if (kept && href !== undefined) emit(open("a", { href, style: STYLE.linkText }));
  }

  function closeLink() {
    const link = links.pop();
    if (link === undefined) return;
    if (link.kept) {
      emit("</a>");
      return;
    }
    if (link.href === undefined) return;
    const address = link.href.replace(/^mailto:/i, "");
    // The platform would drop the link; the address as text keeps it usable.
    if (link.text.trim() !== address) {
      emit(`（${escapeText(address)}）`);
    }
  }

  parser.write(bodyHtml);
  parser.end();
  while (links.length > 0) closeLink();
  return { html: out.join(""), images, text: text.join("").replace(/\s+/gu, " ").trim() };
}
