import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// markdownToHtml is covered by the CLI's integration tests: jest cannot load marked, an ES module only.
import { parseMarkdownItem, readItemFile } from "./item-file";

const fakeHtml = (markdown: string) => Promise.resolve(`<html>${markdown.trim()}</html>`);

describe("parseMarkdownItem", () => {
  it("takes the fields from the front matter and the body from the text below it", async () => {
    const item = await parseMarkdownItem(
      "\uFEFF---\nkind: notice\ntitle: 公告\ntags: [a, b]\ndates:\n  effectiveAt: 2016-10-08\n---\n\n正文\n",
      "notice.md",
      fakeHtml,
    );
    expect(item).toEqual({
      kind: "notice",
      title: "公告",
      tags: ["a", "b"],
      // YAML 1.2: a date stays the text the service parses.
      dates: { effectiveAt: "2016-10-08" },
      body: "<html>正文</html>",
    });
  });

  it("keeps a body given in the front matter when there is no text below", async () => {
    const item = await parseMarkdownItem("---\nbody: <p>x</p>\n---\n", "a.md", fakeHtml);
    expect(item).toEqual({ body: "<p>x</p>" });
  });

  it("refuses a file without front matter, with bad YAML, or with the body twice", async () => {
    await expect(parseMarkdownItem("# 标题\n", "a.md", fakeHtml)).rejects.toThrow(
      "a.md: a Markdown item starts with YAML front matter",
    );
    await expect(parseMarkdownItem("---\ntitle: [\n---\n", "b.md", fakeHtml)).rejects.toThrow(
      /^b\.md: the front matter is not valid YAML: /,
    );
    await expect(parseMarkdownItem("---\n- a\n---\n", "c.md", fakeHtml)).rejects.toThrow(
      "c.md: the front matter must be a mapping of fields",
    );
    await expect(
      parseMarkdownItem("---\nbody: <p>x</p>\n---\ntext\n", "d.md", fakeHtml),
    ).rejects.toThrow("d.md: the body is given twice");
  });
});

describe("readItemFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "herald-item-file-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a JSON object, and names what is wrong with other files", async () => {
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    await expect(readItemFile(write("a.json", '{"kind":"news"}'))).resolves.toEqual({
      kind: "news",
    });
    await expect(readItemFile(write("b.json", "[1]"))).rejects.toThrow(
      "b.json: expected a JSON object of item fields",
    );
    await expect(readItemFile(write("c.json", "{"))).rejects.toThrow(/c\.json: not valid JSON/);
    await expect(readItemFile(write("d.txt", "x"))).rejects.toThrow(
      "d.txt: expected a .json file, or a .md file with front matter",
    );
    await expect(readItemFile(join(dir, "none.md"))).rejects.toThrow(
      `cannot read ${join(dir, "none.md")}: no such file`,
    );
  });
});
