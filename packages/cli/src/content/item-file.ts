import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { CommandError } from "./errors";

/** An item as a file supplies it: the fields of the content service's item input. */
export type ItemInput = Record<string, unknown>;

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/;

/** Markdown to HTML; the content service sanitises the HTML it receives. */
export async function markdownToHtml(text: string): Promise<string> {
  // marked is an ECMAScript module only, so it is imported, not required.
  const { Marked } = await import("marked");
  // An instance of our own, so no other code's marked options change what we produce.
  return new Marked({ gfm: true }).parse(text, { async: false });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A Markdown item: YAML front matter between `---` lines holds the fields, the
 * Markdown below it becomes the body as HTML (through `toHtml`).
 */
export async function parseMarkdownItem(
  text: string,
  path: string,
  toHtml: (markdown: string) => Promise<string> = markdownToHtml,
): Promise<ItemInput> {
  const match = FRONT_MATTER.exec(text.replace(/^\uFEFF/, ""));
  if (!match) {
    throw new CommandError(
      `${path}: a Markdown item starts with YAML front matter between two \`---\` lines (kind, title, …)`,
    );
  }
  let fields: unknown;
  try {
    fields = parseYaml(match[1] ?? "");
  } catch (error) {
    const reason = error instanceof YAMLParseError ? error.message : String(error);
    throw new CommandError(`${path}: the front matter is not valid YAML: ${reason}`);
  }
  if (!isObject(fields)) {
    throw new CommandError(`${path}: the front matter must be a mapping of fields (kind: …)`);
  }
  const body = match[2] ?? "";
  if (body.trim() === "") return fields;
  if (fields.body !== undefined) {
    throw new CommandError(`${path}: the body is given twice, in the front matter and below it`);
  }
  return { ...fields, body: await toHtml(body) };
}

export function parseJsonItem(text: string, path: string): ItemInput {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new CommandError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new CommandError(`${path}: expected a JSON object of item fields`);
  return value;
}

/** Reads an item from a `.json` file, or a `.md` file with front matter. */
export async function readItemFile(path: string): Promise<ItemInput> {
  const extension = extname(path).toLowerCase();
  if (![".json", ".md", ".markdown"].includes(extension)) {
    throw new CommandError(`${path}: expected a .json file, or a .md file with front matter`);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandError(
      `cannot read ${path}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  return extension === ".json" ? parseJsonItem(text, path) : parseMarkdownItem(text, path);
}
