import { ItemKind, ItemStatus } from "@herald/contracts";
import { formatDate } from "../dates";
import { CATALOGUE_ORDER, KINDS, kindInfo } from "../kinds";
import type { PortalItem } from "../model";
import type { ItemPage, ListingKey, PortalIndex, SearchPage } from "../portal-index";
import { highlight, snippet, type TextPart } from "../search/snippet";
import { itemPath } from "./format";
import { type ItemRef, itemRef } from "./item-view";

/** Items a listing page shows. */
export const PAGE_SIZE = 20;

/** Prev/next links and where the visitor is. */
export interface PagerView {
  readonly page: number;
  readonly pages: number;
  readonly total: number;
  readonly prevHref: string | undefined;
  readonly nextHref: string | undefined;
  readonly show: boolean;
}

/** Number of pages for `total` items (at least one, so an empty listing has page 1). */
export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_SIZE));
}

/** The pager of a listing at `path`, whose other query parameters are kept. */
export function pagerView(
  path: string,
  params: Readonly<Record<string, string>>,
  page: number,
  total: number,
): PagerView {
  const pages = pageCount(total);
  const href = (n: number) => {
    const query = new URLSearchParams({
      ...params,
      ...(n > 1 ? { page: String(n) } : {}),
    }).toString();
    return query ? `${path}?${query}` : path;
  };
  return {
    page,
    pages,
    total,
    prevHref: page > 1 ? href(page - 1) : undefined,
    nextHref: page < pages ? href(page + 1) : undefined,
    show: pages > 1,
  };
}

/** A listing entry: a link plus its column. */
export interface ListEntry extends ItemRef {
  readonly kindName: string;
}

function entry(item: PortalItem): ListEntry {
  return { ...itemRef(item), kindName: kindInfo(item.kind)?.name ?? "" };
}

/** One page of a listing. */
export function listEntries(page: ItemPage): ListEntry[] {
  return page.items.map(entry);
}

/** The home page: urgent banner, latest items and a few columns. */
export function homeView(index: PortalIndex) {
  const column = (title: string, key: ListingKey, href: string) => ({
    title,
    href,
    entries: listEntries(index.list(key, 0, 6)),
  });
  return {
    urgent: index.urgent().slice(0, 3).map(entry),
    latest: listEntries(index.list("all", 0, 10)),
    columns: [
      column("通知公告", `kind:${ItemKind.ITEM_KIND_NOTICE}`, "/kinds/notice"),
      column("政策文件", `kind:${ItemKind.ITEM_KIND_POLICY_DOCUMENT}`, "/kinds/policy-document"),
      column(
        "政策解读",
        `kind:${ItemKind.ITEM_KIND_POLICY_INTERPRETATION}`,
        "/kinds/policy-interpretation",
      ),
      column("双公示", "double-publicity", "/double-publicity"),
    ].filter((c) => c.entries.length > 0),
  };
}

/** The disclosure catalogue: every column with its count, and the kinds. */
export function catalogueView(index: PortalIndex) {
  const counts = new Map(index.categories().map((c) => [c.name, c.count]));
  const names = [
    ...CATALOGUE_ORDER,
    ...[...counts.keys()].filter((n) => !CATALOGUE_ORDER.includes(n)).sort(),
  ];
  return {
    columns: names.map((name) => ({
      name,
      href: `/catalogue/${encodeURIComponent(name)}`,
      count: counts.get(name) ?? 0,
    })),
    kinds: KINDS.map((k) => ({
      name: k.name,
      href: `/kinds/${k.slug}`,
      count: index.list(`kind:${k.kind}`, 0, 0).total,
    })),
    doublePublicity: index.list("double-publicity", 0, 0).total,
  };
}

/** A search result: highlighted title and snippet, as text runs rendered escaped. */
export interface SearchHit {
  readonly href: string;
  readonly title: readonly TextPart[];
  readonly snippet: readonly TextPart[];
  readonly date: string;
  readonly kindName: string;
  readonly expired: boolean;
}

/** The results of one search page. */
export function searchHits(page: SearchPage, bodyText: (item: PortalItem) => string): SearchHit[] {
  const needles = page.query.needles;
  return page.items.map((item) => {
    const time = item.publishedAt ?? item.updatedAt;
    const body = bodyText(item);
    const inSummary = snippet(item.summary, needles, 120);
    return {
      href: itemPath(item.id),
      title: highlight(item.title, needles),
      snippet: inSummary.some((p) => p.mark) || !body ? inSummary : snippet(body, needles, 120),
      date: time === undefined ? "" : formatDate(time),
      kindName: kindInfo(item.kind)?.name ?? "",
      expired: item.status === ItemStatus.ITEM_STATUS_EXPIRED,
    };
  });
}
