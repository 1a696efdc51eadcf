import { join } from "node:path";
import { createRenderer as createWebRenderer, type Renderer as WebRenderer } from "@herald/web";

/** The dashboard's pages; each is `templates/pages/<name>.tmpl`. */
export const PAGE_NAMES = [
  "overview",
  "matrix",
  "problems",
  "item",
  "audit",
  "audit-report",
  "login",
  "message",
] as const;
export type PageName = (typeof PAGE_NAMES)[number];

/**
 * The templates folder. This file sits at src/http (or dist/http once built),
 * two levels below the package, beside which templates/ lives.
 */
export const TEMPLATES_DIR = join(__dirname, "../../templates");

/** Renders a page from its view; every string in the view is escaped. */
export type Renderer = WebRenderer<PageName>;

/**
 * The dashboard's templates, compiled at once by @herald/web's renderer.
 * There is no triple-stash anywhere in the set (charts included: they are
 * geometry drawn by a partial, not markup made in code). The stylesheet is
 * the house style's base CSS followed by `assets/dashboard.css`.
 */
export function createRenderer(dir: string = TEMPLATES_DIR): Renderer {
  return createWebRenderer({ dir, pages: PAGE_NAMES, stylesheet: "dashboard.css" });
}
