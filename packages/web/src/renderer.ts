import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import Handlebars from "handlebars";

/**
 * The house style's base stylesheet. This file sits at src/ (or dist/ once
 * built), one level below the package, beside which assets/ lives.
 */
export const BASE_CSS_FILE = join(__dirname, "../assets/base.css");

/** The house style every UI starts from: colours, type, focus, skip link, large text and high contrast. */
export function baseCss(): string {
  return readFileSync(BASE_CSS_FILE, "utf8");
}

/** Renders a page from its view; the view's strings are escaped unless a template says otherwise. */
export interface Renderer<P extends string = string> {
  render(page: P, view: object): string;
  /** The stylesheet served with the pages: the base CSS, then the UI's own. */
  readonly css: string;
}

/** Where a UI's templates are and which pages it has. */
export interface RendererOptions<P extends string> {
  /** The folder holding `pages/<name>.tmpl`, `partials/<name>.tmpl` and `assets/<stylesheet>`. */
  readonly dir: string;
  readonly pages: readonly P[];
  /** The UI's own stylesheet in `assets/`, appended to the base CSS. */
  readonly stylesheet: string;
}

/**
 * Reads and compiles every template once, synchronously, into an isolated
 * Handlebars instance, so a broken template fails at start-up and no helper
 * or partial registered elsewhere in the process can leak in. No helpers are
 * registered: views arrive formatted and templates only place them. Pages
 * compose through partial blocks (`{{#> layout}}`), so no page needs `{{{ }}}`
 * to embed another's output.
 */
export function createRenderer<P extends string>(options: RendererOptions<P>): Renderer<P> {
  const { dir } = options;
  const hbs = Handlebars.create();
  const partialsDir = join(dir, "partials");
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith(".tmpl"))) {
    const source = readFileSync(join(partialsDir, file), "utf8");
    hbs.registerPartial(basename(file, ".tmpl"), hbs.compile(source, { preventIndent: true }));
  }
  const compiled = new Map<P, Handlebars.TemplateDelegate>();
  for (const page of options.pages) {
    const source = readFileSync(join(dir, "pages", `${page}.tmpl`), "utf8");
    const template = hbs.compile(source, { preventIndent: true });
    // Handlebars compiles lazily on first use; render once now so errors surface at start-up.
    template({});
    compiled.set(page, template);
  }
  const css = `${baseCss()}\n${readFileSync(join(dir, "assets", options.stylesheet), "utf8")}`;
  return {
    css,
    render(page, view) {
      const template = compiled.get(page);
      if (!template) throw new Error(`no template for page ${page}`);
      return template(view);
    },
  };
}
