import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectGolden, normaliseHtml } from "./testing";

describe("golden pages", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "herald-golden-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts one tag or text run per line", () => {
    expect(normaliseHtml("<main>\n  <p>a</p>  <b>b</b>\n\n</main>")).toBe(
      "<main>\n<p>a</p>\n<b>b</b>\n</main>\n",
    );
  });

  it("passes on the same page and names the first difference otherwise", () => {
    writeFileSync(join(dir, "p.golden"), "<main>\n<p>a</p>\n</main>\n");
    expect(() => expectGolden(dir, "p.golden", "<main> <p>a</p> </main>")).not.toThrow();
    expect(() => expectGolden(dir, "p.golden", "<main><p>b</p></main>")).toThrow(
      /p\.golden differs from its golden file: first difference at line 2[\s\S]*2: <p>a<\/p>[\s\S]*2: <p>b<\/p>/,
    );
  });

  it("fails when there is no golden file", () => {
    expect(() => expectGolden(dir, "none.golden", "<p></p>")).toThrow(/UPDATE_GOLDEN=1/);
  });
});
