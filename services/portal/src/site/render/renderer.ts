import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import Handlebars from "handlebars";

/** The pages the website renders; each is `templates/pages/<name>.tmpl`. */
export type PageName = "home" | "item" | "listing" | "catalogue" | "search" | "message";

const PAGES: readonly PageName[] = ["home", "item", "listing", "catalogue", "search", "message"];

/**
 * The templates folder. This file sits at src/site/render (or dist/site/render
 * once built), three levels below the package, beside which templates/ lives.
 */
export const TEMPLATES_DIR = join(__dirname, "../../../templates");

/** Renders a page from its view; the view's strings are escaped unless the template says otherwise. */
export interface Renderer {
  render(page: PageName, view: object): string;
  /** The stylesheet, read once with the templates. */
  readonly css: string;
}

/**
 * Reads and compiles every template once, synchronously, into an isolated
 * Handlebars instance (no helper or partial registered anywhere else can leak
 * in). Templates compose through the `layout` partial block, so the only
 * triple-stash in the whole set is the sanitised item body.
 */
export function createRenderer(dir: string = TEMPLATES_DIR): Renderer {
  const hbs = Handlebars.create();
  const partialsDir = join(dir, "partials");
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith(".tmpl"))) {
    const source = readFileSync(join(partialsDir, file), "utf8");
    hbs.registerPartial(
      basename(file, ".tmpl"),
      hbs.compile(source, { strict: false, preventIndent: true }),
    );
  }
  const compiled = new Map<PageName, Handlebars.TemplateDelegate>();
  for (const page of PAGES) {
    const source = readFileSync(join(dir, "pages", `${page}.tmpl`), "utf8");
    const template = hbs.compile(source, { preventIndent: true });
    // Compile now rather than on first use, so a broken template fails at start-up.
    template({});
    compiled.set(page, template);
  }
  const css = readFileSync(join(dir, "assets", "site.css"), "utf8");
  return {
    css,
    render(page, view) {
      const template = compiled.get(page);
      if (!template) throw new Error(`no template for page ${page}`);
      return template(view);
    },
  };
}
