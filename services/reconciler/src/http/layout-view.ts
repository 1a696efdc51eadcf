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
  readonly generatedAt?: TimeView;
}

/** The page-specific inputs of {@link layoutView}. */
export interface LayoutInput {
  readonly title: string;
  /** The navigation entry to mark as current. */
  readonly section?: string;
  readonly auth?: AuthContext | undefined;
  /** Refresh the page every this many seconds, at `refreshUrl` (default: itself). */
  readonly refreshSeconds?: number;
  readonly refreshUrl?: string | undefined;
  readonly now?: Date | undefined;
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
    ...(input.refreshSeconds
      ? {
          refresh: {
            content: input.refreshUrl
              ? `${input.refreshSeconds}; url=${input.refreshUrl}`
              : String(input.refreshSeconds),
          },
        }
      : {}),
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
