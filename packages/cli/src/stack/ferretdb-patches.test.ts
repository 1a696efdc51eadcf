import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  FERRETDB_PATCHES,
  applyFerretdbPatches,
  ferretdbPatchTags,
  type FerretdbPatch,
} from "./ferretdb-patches";

let src: string;

beforeEach(() => {
  src = mkdtempSync(join(tmpdir(), "ferretdb-patches-"));
});

afterEach(() => {
  rmSync(src, { recursive: true, force: true });
});

function write(file: string, text: string): string {
  const path = join(src, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const patch: FerretdbPatch = {
  name: "example",
  file: "internal/example.go",
  upstream: "\tdefer rows.Close()\n",
  patched: "\trows.Close()\n",
};

describe("applyFerretdbPatches", () => {
  it("replaces the upstream text and leaves the rest of the file as it was", () => {
    const path = write(patch.file, "func f() {\n\tdefer rows.Close()\n\treturn $1\n}\n");
    applyFerretdbPatches(src, [patch]);
    // "$1" stays literal: the replacement is text, not a pattern.
    expect(readFileSync(path, "utf8")).toBe("func f() {\n\trows.Close()\n\treturn $1\n}\n");
  });

  it("refuses a source whose upstream text differs, naming the file and the patch", () => {
    write(patch.file, "func f() {\n\tdefer rows.Close() // changed upstream\n}\n");
    expect(() => applyFerretdbPatches(src, [patch])).toThrow(
      /internal\/example\.go: the example patch expects its upstream text exactly once, found it 0 times/,
    );
  });

  it("refuses a source where the upstream text occurs twice, since the right place is unclear", () => {
    write(patch.file, "\tdefer rows.Close()\n\tdefer rows.Close()\n");
    expect(() => applyFerretdbPatches(src, [patch])).toThrow(/found it 2 times/);
  });

  it("the stack's patches apply once each; the update loop closes a statement's readers before the next", () => {
    for (const each of FERRETDB_PATCHES) write(each.file, `// before\n${each.upstream}// after\n`);
    applyFerretdbPatches(src);
    const update = readFileSync(join(src, "internal/handler/msg_update.go"), "utf8");
    expect(update).toMatch(
      /common\.UpdateDocument\(ctx, c, "update", iter, &u\)\n(?:.*\n)*?\t\tcloser\.Close\(\)\n\n\t\tif err != nil/,
    );
    const metadata = readFileSync(
      join(src, "internal/backends/sqlite/metadata/metadata.go"),
      "utf8",
    );
    expect(metadata).toContain('IDColumn = DefaultColumn + `->"_id"`');
    // A second run finds no upstream text left: a patched source is never patched twice.
    expect(() => applyFerretdbPatches(src)).toThrow(/found it 0 times/);
  });

  it("names every patch with a build tag Go accepts", () => {
    expect(ferretdbPatchTags()).toEqual(["herald_indexed_id", "herald_close_update_readers"]);
  });
});
