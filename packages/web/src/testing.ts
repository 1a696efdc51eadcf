/**
 * Test support, never shipped by production code: golden pages. A page's
 * HTML is compared, one tag or text run per line, with a file under the
 * test's `__golden__/` folder. After an intended change to templates or
 * views, refresh the files with `UPDATE_GOLDEN=1` and review their diff like
 * any other change. The files end in .golden, not .html, so that Prettier
 * leaves the exact output alone.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One tag or text run per line, so a diff shows what changed and white space does not. */
export function normaliseHtml(html: string): string {
  return html
    .replace(/>\s*</g, ">\n<")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .join("\n")
    .concat("\n");
}

/** Expects `html` to match `dir/name`, or writes it there when UPDATE_GOLDEN=1. */
export function expectGolden(dir: string, name: string, html: string): void {
  const file = join(dir, name);
  const actual = normaliseHtml(html);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`no golden file ${name}: run with UPDATE_GOLDEN=1`);
  expect(actual).toBe(readFileSync(file, "utf8"));
}
