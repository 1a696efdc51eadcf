import type { AuthContext } from "./authenticate";
import { type TimeView, timeView } from "./format";

/** The dashboard's sections, in navigation order. */
const NAV = [
  { label: "概览", href: "/" },
  { label: "交付矩阵", href: "/matrix" },
  { label: "问题", href: "/problems" },
  { label: "立即核查", href: "/audit" },
] as const;

/** What every page's frame needs. */
export interface LayoutView {
  readonly documentTitle: string;
  readonly nav: readonly { label: string; href: string; current: boolean }[];
  /** The signed-in operator; absent on the login page. */
  readonly operator?: string;
  /** Whether to offer "log out" (sessions only: a bearer caller has nothing to end). */
  readonly canLogout: boolean;
  readonly csrf: string;
  /** `<meta http-equiv="refresh">`: seconds, and the URL to reload (without one-off notices). */
  readonly refresh?: { readonly content: string };
  /** On a page that can reload itself: the link that turns reloading on or off. */
  readonly refreshToggle?: {
    readonly on: boolean;
    readonly href: string;
    readonly seconds: number;
  };
  readonly generatedAt?: TimeView;
}

/** The page-specific inputs of {@link layoutView}. */
export interface LayoutInput {
  readonly title: string;
  /** The navigation entry to mark as current. */
  readonly section?: string;
  readonly auth?: AuthContext | undefined;
  /**
   * A page that can reload itself every this many seconds, at `refreshUrl`
   * (without one-off notices); it does only when `autoRefresh` is on.
   */
  readonly refreshSeconds?: number;
  readonly refreshUrl?: string | undefined;
  /** The operator asked for reloading (`?refresh=on`). */
  readonly autoRefresh?: boolean;
  readonly now?: Date | undefined;
}

/** `url` (a path with its query) with `refresh=on`, or without any `refresh`. */
export function withRefresh(url: string, on: boolean): string {
  const parsed = new URL(url, "http://reconciler.invalid");
  if (on) parsed.searchParams.set("refresh", "on");
  else parsed.searchParams.delete("refresh");
  return parsed.pathname + parsed.search;
}

function refreshOf(input: LayoutInput): Pick<LayoutView, "refresh" | "refreshToggle"> {
  if (!input.refreshSeconds || input.refreshUrl === undefined) return {};
  const seconds = input.refreshSeconds;
  const on = input.autoRefresh === true;
  return {
    ...(on
      ? { refresh: { content: `${seconds}; url=${withRefresh(input.refreshUrl, true)}` } }
      : {}),
    refreshToggle: { on, seconds, href: withRefresh(input.refreshUrl, !on) },
  };
}

/** The frame of a dashboard page: title, navigation, who is signed in, self-refresh. */
export function layoutView(input: LayoutInput): LayoutView {
  const generatedAt = timeView(input.now);
  return {
    documentTitle: `${input.title} - Herald 对账中心`,
    nav: NAV.map((n) => ({ ...n, current: n.href === input.section })),
    ...(input.auth ? { operator: input.auth.operator.name } : {}),
    canLogout: input.auth?.session !== undefined,
    csrf: input.auth?.csrf ?? "",
    ...refreshOf(input),
    ...(generatedAt ? { generatedAt } : {}),
  };
}

/** Prev/next links of a paged listing, keeping its other query parameters. */
export interface PagerView {
  readonly page: number;
  readonly pages: number;
  readonly total: number;
  readonly prevHref?: string;
  readonly nextHref?: string;
  readonly show: boolean;
}

/** The pager of a listing at `path`. */
export function pagerView(
  path: string,
  params: Readonly<Record<string, string>>,
  page: number,
  pageSize: number,
  total: number,
): PagerView {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (n: number) => {
    const query = new URLSearchParams({ ...params, ...(n > 1 ? { page: String(n) } : {}) });
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  };
  return {
    page,
    pages,
    total,
    ...(page > 1 ? { prevHref: href(Math.min(page - 1, pages)) } : {}),
    ...(page < pages ? { nextHref: href(page + 1) } : {}),
    show: pages > 1 || page > 1,
  };
}
