import {
  applyTrustProxy,
  displayCookie,
  displayFromCookie,
  isSecureRequest,
  MALFORMED_URL_MESSAGE,
  nextDisplay,
  rejectMalformedUrl,
  safeRedirect,
  securityHeaders,
  type TrustProxy,
} from "@herald/web";
import express, { type Application, type Request, type Response } from "express";
import { atomFeed, jsonFeed, rssFeed, sitemap, sitemapIndex, sitemapParts } from "./feeds";
import { type PageRequest, type PageResult, Pages } from "./pages";
import type { PortalIndex } from "./portal-index";
import { absoluteUrl, type SiteConfig } from "./render/layout-view";
import { createRenderer } from "./render/renderer";

/** What the website is built from. */
export interface SiteAppOptions {
  readonly index: PortalIndex;
  readonly site: SiteConfig;
  /**
   * False while the index is still being loaded: pages then answer 503 with
   * Retry-After instead of a misleading 404 for items not loaded yet.
   */
  readonly isReady?: () => boolean;
  /** Templates folder; the package's own by default. */
  readonly templatesDir?: string;
  /**
   * Which proxies in front are believed about the client's address and TLS
   * (PORTAL_TRUST_PROXY; off by default). See @herald/web's parseTrustProxy.
   */
  readonly trustProxy?: TrustProxy;
}

/** WARNING: the policy the website's markup is written for; loosening it is a security decision. */
export { CONTENT_SECURITY_POLICY } from "@herald/web";

function firstString(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return "";
}

function pageRequest(req: Request): PageRequest {
  return {
    path: req.originalUrl,
    display: displayFromCookie(req.headers.cookie),
    query: (name) => firstString((req.query as Record<string, unknown>)[name]),
  };
}

function send(res: Response, result: PageResult): void {
  if (result.location) {
    res.redirect(result.status, result.location);
    return;
  }
  res
    .status(result.status)
    .type("html")
    .set("Cache-Control", "no-cache")
    .set("Vary", "Cookie")
    .send(result.html ?? "");
}

/**
 * The public website as an express application: item pages, the disclosure
 * catalogue and listings, search, feeds, the sitemap and the display modes.
 * It serves no script; every page works without JavaScript. Templates are read
 * and compiled here, synchronously, so a broken template fails at start-up.
 */
export function createSiteApp(options: SiteAppOptions): Application {
  const { index, site } = options;
  const renderer = createRenderer(options.templatesDir);
  const pages = new Pages(index, site, renderer);
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  applyTrustProxy(app, options.trustProxy ?? false);

  app.use(securityHeaders({ referrerPolicy: "strict-origin-when-cross-origin" }));
  // Before any route: a route would misread, or fail with 500 on, what cannot be decoded.
  app.use(
    rejectMalformedUrl((res) => {
      send(res, pages.message(pageRequest(res.req), 400, "网址有误", MALFORMED_URL_MESSAGE));
    }),
  );

  app.get("/assets/site.css", (_req, res) => {
    res.type("text/css").set("Cache-Control", "public, max-age=3600").send(renderer.css);
  });

  app.get("/display", (req, res) => {
    const request = pageRequest(req);
    const mode = nextDisplay(request.display, request.query("mode"));
    const back = safeRedirect(request.query("back"), "/");
    // Over TLS (directly, or through a trusted proxy), or published at an https address.
    const secure = isSecureRequest(req) || site.baseUrl.startsWith("https:");
    if (mode) res.append("Set-Cookie", displayCookie(mode, secure));
    res.set("Cache-Control", "no-store").redirect(303, back);
  });

  app.get("/robots.txt", (_req, res) => {
    res
      .type("text/plain")
      .send(
        `User-agent: *\nDisallow: /search\nDisallow: /display\nSitemap: ${absoluteUrl(site, "/sitemap.xml")}\n`,
      );
  });

  app.use((req, res, next) => {
    if (!options.isReady || options.isReady()) {
      next();
      return;
    }
    res.set("Retry-After", "5");
    send(
      res,
      pages.message(pageRequest(req), 503, "网站正在更新", "网站正在加载公开信息，请稍后再试。"),
    );
  });

  app.get("/", (req, res) => send(res, pages.home(pageRequest(req))));
  app.get("/items/:id", (req, res) => send(res, pages.item(pageRequest(req), req.params.id)));
  app.get("/catalogue", (req, res) => send(res, pages.catalogue(pageRequest(req))));
  app.get("/catalogue/:category", (req, res) =>
    send(res, pages.category(pageRequest(req), req.params.category)),
  );
  app.get("/kinds/:slug", (req, res) => send(res, pages.kind(pageRequest(req), req.params.slug)));
  app.get("/double-publicity", (req, res) => send(res, pages.doublePublicity(pageRequest(req))));
  app.get("/search", (req, res) => send(res, pages.search(pageRequest(req))));

  app.get("/feed.atom", (_req, res) => {
    res.type("application/atom+xml; charset=utf-8").send(atomFeed(site, index.listed()));
  });
  app.get("/feed.xml", (_req, res) => {
    res.type("application/rss+xml; charset=utf-8").send(rssFeed(site, index.listed()));
  });
  app.get("/feed.json", (_req, res) => {
    res.type("application/feed+json; charset=utf-8").send(jsonFeed(site, index.listed()));
  });
  app.get("/sitemap.xml", (_req, res) => {
    const listed = index.listed();
    const parts = sitemapParts(listed.length);
    res
      .type("application/xml; charset=utf-8")
      .send(parts > 1 ? sitemapIndex(site, parts) : sitemap(site, listed));
  });
  app.get("/sitemap-:part.xml", (req, res) => {
    const listed = index.listed();
    const part = Number(req.params.part);
    if (!Number.isInteger(part) || part < 1 || part > sitemapParts(listed.length)) {
      send(res, pages.notFound(pageRequest(req)));
      return;
    }
    res.type("application/xml; charset=utf-8").send(sitemap(site, listed, part - 1));
  });

  app.use((req, res) => send(res, pages.notFound(pageRequest(req))));
  app.use((error: unknown, req: Request, res: Response, next: (error?: unknown) => void) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status =
      typeof error === "object" &&
      error !== null &&
      "status" in error &&
      typeof error.status === "number" &&
      error.status >= 400 &&
      error.status < 500
        ? error.status
        : 500;
    send(
      res,
      pages.message(
        pageRequest(req),
        status,
        status === 500 ? "服务暂时不可用" : "请求有误",
        status === 500 ? "服务器处理请求时出错，请稍后再试。" : "无法处理该请求，请检查网址。",
      ),
    );
  });
  return app;
}
