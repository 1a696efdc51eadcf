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

/** Where two normalised pages first differ, with a few lines of context, for the failure message. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split("\n");
  const got = actual.split("\n");
  let at = 0;
  while (at < want.length && at < got.length && want[at] === got[at]) at += 1;
  const context = (lines: string[]) =>
    lines
      .slice(Math.max(0, at - 2), at + 3)
      .map((line, i) => `  ${Math.max(0, at - 2) + i + 1}: ${line}`)
      .join("\n");
  return `first difference at line ${at + 1}\nexpected:\n${context(want)}\nactual:\n${context(got)}`;
}

/**
 * Checks `html` against `dir/name`, or writes it there when UPDATE_GOLDEN=1.
 * Throws (and so fails the test, under any runner) with the first difference.
 */
export function expectGolden(dir: string, name: string, html: string): void {
  const file = join(dir, name);
  const actual = normaliseHtml(html);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`no golden file ${name}: run with UPDATE_GOLDEN=1`);
  const expected = readFileSync(file, "utf8");
  if (actual !== expected) {
    throw new Error(`${name} differs from its golden file: ${firstDifference(expected, actual)}`);
  }
}
