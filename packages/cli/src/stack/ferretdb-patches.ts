import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StackError } from "./errors";

/**
 * A change the stack makes to FerretDB's source before building it: `upstream`
 * must occur exactly once in `file`, or the build stops, so a new FerretDB
 * release is reviewed instead of silently built without (or with a misplaced) fix.
 */
export interface FerretdbPatch {
  /** Short name, used in errors and as the build tag that marks a patched binary. */
  name: string;
  /** Path inside the module, with forward slashes. */
  file: string;
  upstream: string;
  patched: string;
}

/**
 * FerretDB 1.24's SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but
 * queries `_ferretdb_sjson->'$._id'`: the same value, yet SQLite only uses an
 * index for the expression it was built on, so every lookup, update and delete
 * by `_id` scanned the whole collection (findById fell from about 250/s at 1,000
 * documents to 60/s at 5,000). The query expression is written the way the index
 * is; results are unchanged (ADR 001).
 */
const INDEXED_ID: FerretdbPatch = {
  name: "indexed_id",
  file: "internal/backends/sqlite/metadata/metadata.go",
  upstream: `IDColumn = DefaultColumn + "->'$._id'"`,
  patched: 'IDColumn = DefaultColumn + `->"_id"`',
};

/**
 * The `update` command runs its statements in one loop and defers each statement's
 * iterator Close to the end of the whole command, so every statement that matched
 * an existing document keeps its SQLite reader (a pooled connection) open. A
 * database's pool has 100 connections: the 100th statement of one command waits
 * for a connection forever, and with it everything that later needs that database's
 * lock, such as creating a collection. The patch closes each statement's iterators
 * as soon as that statement is done, whether it failed or not; the deferred Close
 * stays, for a panic, and a second Close does nothing (ADR 001).
 */
const CLOSE_UPDATE_READERS: FerretdbPatch = {
  name: "close_update_readers",
  file: "internal/handler/msg_update.go",
  upstream: `\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)
		if err != nil {
			return 0, 0, nil, lazyerrors.Error(err)
		}
`,
  patched: `\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)

		// herald: release this statement's SQLite reader now, not when the whole command ends
		closer.Close()

		if err != nil {
			return 0, 0, nil, lazyerrors.Error(err)
		}
`,
};

/** Every patch the stack applies, in order. */
export const FERRETDB_PATCHES: readonly FerretdbPatch[] = [INDEXED_ID, CLOSE_UPDATE_READERS];

/**
 * Build tags that name the applied patches. No FerretDB file is constrained by
 * them, so they change nothing in the binary but its recorded build settings,
 * which `buildInfo` reports as `buildEnvironment["-tags"]`: a client can tell a
 * patched server from one built before a patch existed.
 */
export function ferretdbPatchTags(patches: readonly FerretdbPatch[] = FERRETDB_PATCHES): string[] {
  return patches.map((patch) => `herald_${patch.name}`);
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Applies `patches` to the module source in `src`; refuses when upstream text is not there exactly once. */
export function applyFerretdbPatches(
  src: string,
  patches: readonly FerretdbPatch[] = FERRETDB_PATCHES,
): void {
  for (const patch of patches) {
    const file = join(src, ...patch.file.split("/"));
    const text = readFileSync(file, "utf8");
    const found = occurrences(text, patch.upstream);
    if (found !== 1) {
      throw new StackError(
        `${file}: the ${patch.name} patch expects its upstream text exactly once, found it ${found} times; review the patch against this FerretDB release`,
      );
    }
    writeFileSync(
      file,
      text.replace(patch.upstream, () => patch.patched),
    );
  }
}
