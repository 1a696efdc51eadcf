import { join } from "node:path";
import { createRenderer as createWebRenderer, type Renderer as WebRenderer } from "@herald/web";

/** The pages the website renders; each is `templates/pages/<name>.tmpl`. */
export type PageName = "home" | "item" | "listing" | "catalogue" | "search" | "message";

const PAGES: readonly PageName[] = ["home", "item", "listing", "catalogue", "search", "message"];

/**
 * The templates folder. This file sits at src/site/render (or dist/site/render
 * once built), three levels below the package, beside which templates/ lives.
 */
export const TEMPLATES_DIR = join(__dirname, "../../../templates");

/** Renders a page from its view; the view's strings are escaped unless the template says otherwise. */
export type Renderer = WebRenderer<PageName>;

/**
 * The website's templates, compiled at once by @herald/web's renderer. The
 * only triple-stash in the whole set is the sanitised item body; the
 * stylesheet is the house style's base CSS followed by `assets/site.css`.
 */
export function createRenderer(dir: string = TEMPLATES_DIR): Renderer {
  return createWebRenderer({ dir, pages: PAGES, stylesheet: "site.css" });
}
