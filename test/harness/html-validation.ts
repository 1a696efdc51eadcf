/**
 * HTML validation with the Nu Html Checker (vnu, from the `vnu-jar` package) on
 * the JDK the machine has. A JVM takes about a second to start here, so one call
 * checks every document in one java process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** One error vnu reports in a document. */
export interface HtmlError {
  /** The name the document was given to {@link validateHtml}. */
  readonly file: string;
  /** 1-based; undefined when vnu reports the error for the whole document. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly message: string;
  /** The markup around the error, as vnu quotes it. */
  readonly extract: string | undefined;
}

/** vnu's `--format json` output, as far as it is read here. */
interface VnuReport {
  messages: {
    type: string;
    subType?: string;
    url?: string;
    lastLine?: number;
    firstLine?: number;
    firstColumn?: number;
    message: string;
    extract?: string;
  }[];
}

/** The java executable: JAVA_HOME's if set, else the one on PATH. */
function javaExecutable(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, "bin", "java") : "java";
}

/** A document name as a file name: letters, digits, dot, dash and underscore. */
function fileNameOf(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "_");
  return safe.endsWith(".html") ? safe : `${safe}.html`;
}

function runVnu(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(javaExecutable(), args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", (error) =>
      reject(
        new Error(
          `vnu needs Java 17 or newer and \`${javaExecutable()}\` could not be started (${error.message}); install a JDK or set JAVA_HOME`,
        ),
      ),
    );
    child.once("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * Validates HTML documents (name → markup) with vnu in one java process and
 * returns every error, in the order vnu gives them ([] when all are valid).
 * Warnings are not returned: the standard is no errors. The documents are
 * written to a temporary folder, named after their names, which is removed after.
 *
 * @throws when java or vnu fails to run, or its output is not vnu's JSON report.
 */
export async function validateHtml(documents: ReadonlyMap<string, string>): Promise<HtmlError[]> {
  if (documents.size === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), "herald-vnu-"));
  try {
    const nameOfFile = new Map<string, string>();
    for (const [name, html] of documents) {
      const file = fileNameOf(name);
      if (nameOfFile.has(file))
        throw new Error(
          `validateHtml: the documents ${JSON.stringify(nameOfFile.get(file))} and ${JSON.stringify(name)} map to the same file name ${file}`,
        );
      nameOfFile.set(file, name);
      writeFileSync(join(dir, file), html);
    }
    const jar = require.resolve("vnu-jar/build/dist/vnu.jar");
    const files = [...nameOfFile.keys()].map((file) => join(dir, file));
    // --stdout: the JSON report on stdout, so stderr keeps only what the JVM says.
    const run = await runVnu(["-jar", jar, "--format", "json", "--stdout", ...files]);
    let report: VnuReport;
    try {
      report = JSON.parse(run.stdout) as VnuReport;
    } catch {
      throw new Error(
        `vnu exited with ${run.code} without a JSON report; stdout: ${run.stdout.slice(0, 2000)} stderr: ${run.stderr.slice(0, 2000)}`,
      );
    }
    return report.messages
      .filter((message) => message.type === "error" || message.type === "non-document-error")
      .map((message) => {
        // vnu names a file `file:/tmp/…/name.html`; the name is the document's file name.
        const file =
          message.url === undefined ? "(vnu)" : basename(decodeURIComponent(message.url));
        return {
          file: nameOfFile.get(file) ?? file,
          line: message.lastLine ?? message.firstLine,
          column: message.firstColumn,
          message: message.message,
          extract: message.extract,
        };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** vnu's errors as a list a developer can work from, grouped by document; empty when there are none. */
export function formatHtmlErrors(errors: readonly HtmlError[]): string {
  const byFile = new Map<string, HtmlError[]>();
  for (const error of errors) byFile.set(error.file, [...(byFile.get(error.file) ?? []), error]);
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(`${file}:`);
    for (const error of list) {
      const at =
        error.line === undefined
          ? ""
          : `line ${error.line}${error.column === undefined ? "" : `:${error.column}`}: `;
      lines.push(`  ${at}${error.message}`);
      if (error.extract) lines.push(`      ${error.extract.replace(/\s+/g, " ").trim()}`);
    }
  }
  return lines.join("\n");
}
