import { SIMPLIFIED, TRADITIONAL } from "./han-fold-table";

// One UTF-16 unit in, one out: folded text keeps every offset of the original, so
// a match found in folded text can be highlighted in the original at the same place.
const TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let unit = 0; unit < table.length; unit += 1) table[unit] = unit;
  for (let unit = 0x41; unit <= 0x5a; unit += 1) table[unit] = unit + 0x20;
  // Full-width ASCII (Ａ１２) as typed with a Chinese input method.
  for (let unit = 0xff01; unit <= 0xff5e; unit += 1) {
    const ascii = unit - 0xfee0;
    table[unit] = ascii >= 0x41 && ascii <= 0x5a ? ascii + 0x20 : ascii;
  }
  table[0x3000] = 0x20; // ideographic space
  for (let i = 0; i < TRADITIONAL.length; i += 1) {
    table[TRADITIONAL.charCodeAt(i)] = SIMPLIFIED.charCodeAt(i);
  }
  return table;
}

/**
 * Folds text for matching: traditional Han characters to simplified, full-width
 * ASCII to ASCII, ASCII letters to lower case. The result has exactly the length
 * of the input, so offsets carry over. The seed work plan is in traditional
 * characters while users type simplified ones; both fold to the same form.
 */
export function foldText(text: string): string {
  let units: Uint16Array | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    const folded = TABLE[unit] ?? unit;
    if (folded !== unit) {
      if (!units) {
        units = new Uint16Array(text.length);
        for (let j = 0; j < i; j += 1) units[j] = text.charCodeAt(j);
      }
      units[i] = folded;
    } else if (units) {
      units[i] = unit;
    }
  }
  return units
    ? Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString("utf16le")
    : text;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ldquo: "“",
  rdquo: "”",
  lsquo: "‘",
  rsquo: "’",
  mdash: "—",
  ndash: "–",
  hellip: "…",
  middot: "·",
  times: "×",
};

function decodeEntity(entity: string, name: string): string {
  if (name.startsWith("#")) {
    const code =
      name[1] === "x" || name[1] === "X"
        ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff
      ? String.fromCodePoint(code)
      : entity;
  }
  return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
}

const BLOCK_TAG =
  /<\/?(?:p|div|h[1-6]|li|ul|ol|tr|td|th|table|br|hr|blockquote|section|article|pre)\b[^>]*>/gi;

/**
 * Plain text of sanitised HTML, for indexing and snippets: tags dropped, block
 * boundaries kept as line breaks (so words of two paragraphs never run together),
 * entities decoded, runs of white space collapsed.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(BLOCK_TAG, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, decodeEntity)
    .replace(/[ \t\r\f\v\u00a0]+/g, " ")
    .replace(/ ?\n[\s]*/g, "\n")
    .trim();
}
