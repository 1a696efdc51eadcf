import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import Handlebars from "handlebars";

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
export interface Renderer {
  render(page: PageName, view: object): string;
  /** The stylesheet, read once with the templates. */
  readonly css: string;
}

/**
 * Reads and compiles every template once, synchronously, into an isolated
 * Handlebars instance, so a broken template fails at start-up and no helper
 * or partial registered elsewhere in the process can leak in. No helpers are
 * registered at all: views arrive fully formatted, and templates only place
 * them. There is no triple-stash anywhere in the set (charts included: they
 * are geometry drawn by a partial, not markup made in code).
 */
export function createRenderer(dir: string = TEMPLATES_DIR): Renderer {
  const hbs = Handlebars.create();
  const partialsDir = join(dir, "partials");
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith(".tmpl"))) {
    const source = readFileSync(join(partialsDir, file), "utf8");
    hbs.registerPartial(basename(file, ".tmpl"), hbs.compile(source, { preventIndent: true }));
  }
  const compiled = new Map<PageName, Handlebars.TemplateDelegate>();
  for (const page of PAGE_NAMES) {
    const source = readFileSync(join(dir, "pages", `${page}.tmpl`), "utf8");
    const template = hbs.compile(source, { preventIndent: true });
    // Handlebars compiles lazily on first use; render once now so errors surface at start-up.
    template({});
    compiled.set(page, template);
  }
  const css = readFileSync(join(dir, "assets", "dashboard.css"), "utf8");
  return {
    css,
    render(page, view) {
      const template = compiled.get(page);
      if (!template) throw new Error(`no template for page ${page}`);
      return template(view);
    },
  };
}
