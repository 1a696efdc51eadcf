import { type DisplayMode, displayClasses } from "@herald/web";

/** The website's identity, as the caller configures it. */
export interface SiteConfig {
  /** The public body's site name, e.g. 海关总署政府信息公开 (the SiteName meta tag). */
  readonly name: string;
  /** Absolute base URL of the site, without a trailing path, e.g. https://www.example.gov.cn. */
  readonly baseUrl: string;
  /** ColumnName of pages that belong to no catalogue column (home, search); default 首页. */
  readonly column?: string;
}

/** A `<meta name content>` pair. */
export interface MetaTag {
  readonly name: string;
  readonly content: string;
}

/** One step of the breadcrumb trail; the last has no link. */
export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

/** What every page's layout needs. */
export interface LayoutView {
  readonly siteName: string;
  readonly documentTitle: string;
  readonly canonical: string;
  readonly meta: readonly MetaTag[];
  readonly noindex: boolean;
  readonly modeClass: string;
  readonly breadcrumbs: readonly (Crumb & { readonly current: boolean })[];
  readonly nav: readonly {
    readonly label: string;
    readonly href: string;
    readonly current: boolean;
  }[];
  readonly display: {
    readonly largeHref: string;
    readonly contrastHref: string;
    readonly standardHref: string;
    readonly large: boolean;
    readonly contrast: boolean;
  };
  readonly searchQuery: string;
}

/** The page-specific inputs of {@link layoutView}. */
export interface LayoutInput {
  /** Page title without the site name. */
  readonly title: string;
  /** Path and query of this page, for the canonical link and the display links. */
  readonly path: string;
  /** ColumnName meta tag; defaults to the site's column. */
  readonly column?: string;
  /** Item pages add ArticleTitle, PubDate and the rest. */
  readonly meta?: readonly MetaTag[];
  readonly breadcrumbs?: readonly Crumb[];
  readonly noindex?: boolean;
  readonly searchQuery?: string;
  /** The navigation entry to mark as current. */
  readonly section?: string;
}

const NAV: readonly { label: string; href: string }[] = [
  { label: "首页", href: "/" },
  { label: "信息公开目录", href: "/catalogue" },
  { label: "政策文件", href: "/kinds/policy-document" },
  { label: "政策解读", href: "/kinds/policy-interpretation" },
  { label: "双公示", href: "/double-publicity" },
  { label: "办事指南", href: "/kinds/service-guide" },
  { label: "通知公告", href: "/kinds/notice" },
  { label: "热线问答", href: "/kinds/hotline-qa" },
];

function siteDomain(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** Absolute URL of a site path. */
export function absoluteUrl(site: SiteConfig, path: string): string {
  return site.baseUrl.replace(/\/+$/, "") + path;
}

function displayHref(mode: string, back: string): string {
  return `/display?mode=${mode}&back=${encodeURIComponent(back)}`;
}

/** The layout of a page: head meta tags, navigation, breadcrumbs, display links. */
export function layoutView(site: SiteConfig, display: DisplayMode, input: LayoutInput): LayoutView {
  const column = input.column ?? site.column ?? "首页";
  const crumbs: Crumb[] = [{ label: "首页", href: "/" }, ...(input.breadcrumbs ?? [])];
  return {
    siteName: site.name,
    documentTitle: `${input.title} - ${site.name}`,
    canonical: absoluteUrl(site, input.path),
    meta: [
      { name: "SiteName", content: site.name },
      { name: "SiteDomain", content: siteDomain(site.baseUrl) },
      { name: "ColumnName", content: column },
      ...(input.meta ?? []),
    ],
    noindex: input.noindex ?? false,
    modeClass: displayClasses(display),
    breadcrumbs: crumbs.map((c, i) => ({ ...c, current: i === crumbs.length - 1 })),
    nav: NAV.map((n) => ({ ...n, current: n.href === (input.section ?? input.path) })),
    display: {
      largeHref: displayHref("large", input.path),
      contrastHref: displayHref("contrast", input.path),
      standardHref: displayHref("standard", input.path),
      large: display.large,
      contrast: display.contrast,
    },
    searchQuery: input.searchQuery ?? "",
  };
}
