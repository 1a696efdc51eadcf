import { CATALOGUE_ORDER, kindBySlug, KINDS } from "./kinds";
import { type DisplayMode } from "@herald/web";
import { type PortalItem, presenceOf } from "./model";
import type { ListingKey, PortalIndex } from "./portal-index";
import { htmlToText } from "./search/fold";
import { itemCrumbs, itemMeta, itemView } from "./render/item-view";
import { type LayoutInput, layoutView, type SiteConfig } from "./render/layout-view";
import {
  catalogueView,
  homeView,
  listEntries,
  PAGE_SIZE,
  pageCount,
  pagerView,
  searchHits,
} from "./render/list-views";
import type { PageName, Renderer } from "./render/renderer";

/** A rendered answer: status, HTML, and for redirects the target. */
export interface PageResult {
  readonly status: number;
  readonly html?: string;
  readonly location?: string;
}

/** What a page handler knows about the request. */
export interface PageRequest {
  readonly path: string;
  readonly display: DisplayMode;
  readonly query: (name: string) => string;
}

/** Search results beyond this page are not served (deep pages are of no use to readers). */
export const MAX_SEARCH_PAGES = 50;
const MAX_QUERY_LENGTH = 100;

/** Parses `?page=`: absent → 1, a positive integer → itself, anything else → undefined. */
export function parsePage(value: string): number | undefined {
  if (value === "") return 1;
  return /^[1-9][0-9]{0,6}$/.test(value) ? Number(value) : undefined;
}

/** Builds each page's view from the index and renders it. */
export class Pages {
  constructor(
    private readonly index: PortalIndex,
    private readonly site: SiteConfig,
    private readonly renderer: Renderer,
  ) {}

  private page(
    name: PageName,
    request: PageRequest,
    layout: LayoutInput,
    view: object,
    status = 200,
  ): PageResult {
    const html = this.renderer.render(name, {
      ...view,
      layout: layoutView(this.site, request.display, layout),
    });
    return { status, html };
  }

  /** An error or notice page (404, 410, 400, 503…). */
  message(
    request: PageRequest,
    status: number,
    heading: string,
    text: string,
    link?: { href: string; label: string },
  ): PageResult {
    return this.page(
      "message",
      request,
      { title: heading, path: request.path, noindex: true, breadcrumbs: [{ label: heading }] },
      { heading, text, link },
      status,
    );
  }

  notFound(request: PageRequest): PageResult {
    return this.message(
      request,
      404,
      "页面不存在",
      "您访问的页面不存在或已被删除，请检查网址，或使用站内搜索查找。",
    );
  }

  home(request: PageRequest): PageResult {
    return this.page(
      "home",
      request,
      { title: "首页", path: "/", breadcrumbs: [] },
      homeView(this.index),
    );
  }

  item(request: PageRequest, id: string): PageResult {
    const item = this.index.get(id);
    const presence = item ? presenceOf(item) : { kind: "hidden" as const };
    if (!item || presence.kind === "hidden") return this.notFound(request);
    if (presence.kind === "gone") {
      return this.message(request, 410, "该信息已删除", "您访问的信息已依法删除，不再公开。");
    }
    if (presence.kind === "moved")
      return { status: 301, location: `/items/${encodeURIComponent(presence.to)}` };
    return this.page(
      "item",
      request,
      {
        title: item.title,
        path: `/items/${encodeURIComponent(item.id)}`,
        ...(item.category ? { column: item.category } : {}),
        meta: itemMeta(this.site, item),
        breadcrumbs: itemCrumbs(item),
        noindex: presence.kind === "withdrawn",
      },
      { item: itemView(this.index, item) },
    );
  }

  catalogue(request: PageRequest): PageResult {
    return this.page(
      "catalogue",
      request,
      {
        title: "政府信息公开目录",
        path: "/catalogue",
        column: "信息公开目录",
        breadcrumbs: [{ label: "信息公开目录" }],
      },
      catalogueView(this.index),
    );
  }

  /** A listing page: a catalogue column, a kind, or the double publicity listing. */
  listing(
    request: PageRequest,
    spec: {
      key: ListingKey;
      heading: string;
      path: string;
      description?: string;
      crumbs?: { label: string; href: string }[];
    },
  ): PageResult {
    const page = parsePage(request.query("page"));
    if (page === undefined)
      return this.message(request, 400, "页码无效", "页码应为正整数。", {
        href: spec.path,
        label: "查看第一页",
      });
    const result = this.index.list(spec.key, (page - 1) * PAGE_SIZE, PAGE_SIZE);
    const pages = pageCount(result.total);
    if (page > pages) {
      return this.message(
        request,
        404,
        "页码超出范围",
        `${spec.heading}共 ${pages} 页，没有第 ${page} 页。`,
        {
          href: pages > 1 ? `${spec.path}?page=${pages}` : spec.path,
          label: `查看最后一页（第 ${pages} 页）`,
        },
      );
    }
    const layout: LayoutInput = {
      title: page > 1 ? `${spec.heading}（第${page}页）` : spec.heading,
      path: page > 1 ? `${spec.path}?page=${page}` : spec.path,
      column: spec.heading,
      section: spec.path,
      breadcrumbs: [...(spec.crumbs ?? []), { label: spec.heading }],
    };
    return this.page("listing", request, layout, {
      heading: spec.heading,
      description: spec.description ?? "",
      entries: listEntries(result),
      pager: pagerView(spec.path, {}, page, result.total),
    });
  }

  category(request: PageRequest, category: string): PageResult {
    const known =
      this.index.list(`category:${category}`, 0, 0).total > 0 || KNOWN_COLUMNS.has(category);
    if (!known) return this.notFound(request);
    return this.listing(request, {
      key: `category:${category}`,
      heading: category,
      path: `/catalogue/${encodeURIComponent(category)}`,
      crumbs: [{ label: "信息公开目录", href: "/catalogue" }],
    });
  }

  kind(request: PageRequest, slug: string): PageResult {
    const info = kindBySlug(slug);
    if (!info) return this.notFound(request);
    return this.listing(request, {
      key: `kind:${info.kind}`,
      heading: info.name,
      path: `/kinds/${info.slug}`,
      crumbs: [{ label: "信息公开目录", href: "/catalogue" }],
    });
  }

  doublePublicity(request: PageRequest): PageResult {
    return this.listing(request, {
      key: "double-publicity",
      heading: "双公示",
      description: "行政许可和行政处罚信息“双公示”：依法公开的行政许可决定和行政处罚决定。",
      path: "/double-publicity",
      crumbs: [{ label: "信息公开目录", href: "/catalogue" }],
    });
  }

  search(request: PageRequest): PageResult {
    const query = request.query("q").trim().slice(0, MAX_QUERY_LENGTH);
    const kindSlug = request.query("kind");
    const kind = kindSlug ? kindBySlug(kindSlug) : undefined;
    const yearText = request.query("year");
    const year = /^[12][0-9]{3}$/.test(yearText) ? Number(yearText) : undefined;
    const page = parsePage(request.query("page"));
    if (page === undefined || page > MAX_SEARCH_PAGES) {
      return this.message(
        request,
        400,
        "页码无效",
        `搜索结果最多显示 ${MAX_SEARCH_PAGES} 页，请缩小搜索范围。`,
      );
    }
    const params: Record<string, string> = { q: query };
    if (kind) params.kind = kind.slug;
    if (year) params.year = String(year);
    const result = query
      ? this.index.search(query, {
          kind: kind?.kind,
          year,
          offset: (page - 1) * PAGE_SIZE,
          limit: PAGE_SIZE,
        })
      : undefined;
    const total = result?.total ?? 0;
    if (result && total > 0 && page > pageCount(total)) {
      return this.message(
        request,
        404,
        "页码超出范围",
        `共 ${pageCount(total)} 页搜索结果，没有第 ${page} 页。`,
        {
          href: `/search?${new URLSearchParams(params).toString()}`,
          label: "回到第一页",
        },
      );
    }
    const layout: LayoutInput = {
      title: query ? `搜索：${query}` : "站内搜索",
      path: `/search${query ? `?${new URLSearchParams({ ...params, ...(page > 1 ? { page: String(page) } : {}) }).toString()}` : ""}`,
      column: "站内搜索",
      breadcrumbs: [{ label: "站内搜索" }],
      searchQuery: query,
      noindex: true,
    };
    return this.page("search", request, layout, {
      query,
      empty: !query,
      total,
      filtered: Boolean(kind || year),
      indexing: result ? !result.complete : false,
      unfilteredHref: `/search?${new URLSearchParams({ q: query }).toString()}`,
      kinds: KINDS.map((k) => ({ slug: k.slug, name: k.name, selected: k.slug === kind?.slug })),
      years: this.index.publicationYears().map((y) => ({ year: y, selected: y === year })),
      results: result ? searchHits(result, (item: PortalItem) => htmlToText(item.bodyHtml)) : [],
      pager: pagerView("/search", params, page, Math.min(total, MAX_SEARCH_PAGES * PAGE_SIZE)),
    });
  }
}

// A known catalogue column is a page even while it is empty.
const KNOWN_COLUMNS = new Set<string>(CATALOGUE_ORDER);
