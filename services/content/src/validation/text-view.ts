/**
 * A normalised view of a text, as a reader sees it, with a map back to the
 * original: what the personal-data matcher reads, so that a number written with
 * full-width digits, no-break or zero-width spaces, or split across inline
 * elements is read as the number it shows, while every match is still reported
 * (and masked) where it was written.
 */

/** The view and, for each UTF-16 unit of it, the range of the original it came from. */
export interface TextView {
  text: string;
  /** `starts[i]`–`ends[i]` (end exclusive) is the original text that view unit `i` stands for. */
  starts: Int32Array;
  ends: Int32Array;
}

/** Characters a reader never sees and that the view drops: zero-width space and joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator. */
const INVISIBLE_CHARACTERS: ReadonlySet<number> = new Set([
  0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad, 0x180e,
]);

/** Dashes a reader takes for a hyphen; NFKC leaves them, the view turns them into "-". */
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63]/;

/**
 * Elements a browser lays out inline: text on either side of their tags reads as
 * one run. Every other element, `<br>` included, starts a new line.
 */
const INLINE_ELEMENTS: ReadonlySet<string> = new Set([
  ...["a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i"],
  ...["ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub"],
  ...["sup", "time", "tt", "u", "var", "wbr", "nobr", "big", "label", "ruby", "rb", "rt"],
]);

const TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*)?\/?>/y;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/y;
const ENTITY = /&(?:#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/y;

/** The named references that can stand for a digit, a separator or an invisible character. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00A0",
  ensp: "\u2002",
  emsp: "\u2003",
  thinsp: "\u2009",
  numsp: "\u2007",
  puncsp: "\u2008",
  hairsp: "\u200A",
  shy: "\u00AD",
  zwnj: "\u200C",
  zwj: "\u200D",
  ndash: "\u2013",
  mdash: "\u2014",
  minus: "\u2212",
  hyphen: "\u2010",
  dash: "\u2010",
  period: ".",
  NoBreak: "\u2060",
  ZeroWidthSpace: "\u200B",
};

/** True for code points NFKC leaves alone, checked first so that long Chinese texts skip `normalize`. */
function isStable(code: number): boolean {
  return (
    (code >= 0x20 && code < 0x7f) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x3001 && code <= 0x3003)
  );
}

/** What one character of the original reads as in the view ("" if nothing). */
function readAs(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (isStable(code)) return char;
  // Line breaks read as spaces in plain text too: a summary's lines are joined
  // wherever a channel shows it in one line (meta descriptions, feeds, digests).
  if (char === "\n" || char === "\r" || char === "\t") return " ";
  if (INVISIBLE_CHARACTERS.has(code)) return "";
  if (DASHES.test(char)) return "-";
  const normalised = char.normalize("NFKC");
  // Circled, superscript or parenthesised numbers are list marks and exponents,
  // not digits of a number: they stay opaque rather than join the digits next to them.
  if (/[0-9]/.test(normalised) && !/^\p{Nd}$/u.test(char)) return char;
  if (DASHES.test(normalised)) return "-";
  return normalised.replace(/\p{Zs}/gu, " ");
}

/** Characters already read: most texts use a few hundred distinct ones. */
const READ_CACHE = new Map<string, string>();
const READ_CACHE_LIMIT = 4096;

function cachedReadAs(char: string): string {
  let read = READ_CACHE.get(char);
  if (read === undefined) {
    read = readAs(char);
    // Bounded, so that a text of many distinct characters cannot grow it without end.
    if (READ_CACHE.size < READ_CACHE_LIMIT) READ_CACHE.set(char, read);
  }
  return read;
}

class ViewBuilder {
  private readonly parts: string[] = [];
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);
  private length = 0;

  private reserve(count: number): void {
    if (this.length + count <= this.starts.length) return;
    const size = Math.max(this.starts.length * 2, this.length + count);
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    starts.set(this.starts.subarray(0, this.length));
    ends.set(this.ends.subarray(0, this.length));
    this.starts = starts;
    this.ends = ends;
  }

  /** Original text that reads as itself: each unit stands for itself. */
  copy(text: string, start: number, end: number): void {
    if (end <= start) return;
    this.parts.push(text.slice(start, end));
    this.reserve(end - start);
    for (let i = start; i < end; i += 1) {
      this.starts[this.length] = i;
      this.ends[this.length] = i + 1;
      this.length += 1;
    }
  }

  /** `read` stands for the original from `start` to `end`. */
  push(read: string, start: number, end: number): void {
    if (read === "") return;
    this.parts.push(read);
    this.reserve(read.length);
    for (let i = 0; i < read.length; i += 1) {
      this.starts[this.length] = start;
      this.ends[this.length] = end;
      this.length += 1;
    }
  }

  view(): TextView {
    return {
      text: this.parts.join(""),
      starts: this.starts.subarray(0, this.length),
      ends: this.ends.subarray(0, this.length),
    };
  }
}

function decodeEntity(match: RegExpExecArray): string | undefined {
  const [, decimal, hex, name] = match;
  const code = decimal ? Number(decimal) : hex ? Number.parseInt(hex, 16) : undefined;
  if (code !== undefined) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
  return name ? NAMED_ENTITIES[name] : undefined;
}

/** Reads markup where `text[at]` is "<" or "&"; returns where it ends, or undefined for a literal character. */
function readMarkup(text: string, at: number, out: ViewBuilder): number | undefined {
  if (text[at] === "<") {
    COMMENT.lastIndex = at;
    if (text.startsWith("<!--", at) && COMMENT.exec(text)) return COMMENT.lastIndex;
    TAG.lastIndex = at;
    const tag = TAG.exec(text);
    if (!tag) return undefined;
    const name = (tag[2] ?? "").toLowerCase();
    if (!INLINE_ELEMENTS.has(name)) out.push("\n", at, TAG.lastIndex);
    return TAG.lastIndex;
  }
  ENTITY.lastIndex = at;
  const entity = ENTITY.exec(text);
  const decoded = entity ? decodeEntity(entity) : undefined;
  if (decoded === undefined) return undefined;
  out.push(readAs(decoded), at, ENTITY.lastIndex);
  return ENTITY.lastIndex;
}

/**
 * The text as a reader sees it: each character in Unicode NFKC (full-width digits
 * and letters become ASCII, no-break and other Unicode spaces a space), invisible
 * characters removed, dashes read as "-". With `html`, markup is flattened the way
 * a browser shows it: inline elements join their neighbours with nothing between,
 * block elements and `<br>` break the line, comments vanish, character references
 * are decoded. Line breaks and tabs read as spaces.
 */
export function textView(text: string, options: { html?: boolean } = {}): TextView {
  const html = options.html ?? false;
  const out = new ViewBuilder();
  // Characters that read as themselves are copied in runs, not one by one.
  let unchanged = 0;
  let at = 0;
  while (at < text.length) {
    const first = text.charCodeAt(at);
    if (html && (first === 0x3c || first === 0x26)) {
      out.copy(text, unchanged, at);
      const end = readMarkup(text, at, out);
      if (end !== undefined) {
        at = end;
        unchanged = at;
        continue;
      }
      unchanged = at;
    }
    if (isStable(first)) {
      at += 1;
      continue;
    }
    const code = text.codePointAt(at) ?? first;
    const width = code > 0xffff ? 2 : 1;
    const char = text.slice(at, at + width);
    const read = cachedReadAs(char);
    if (read !== char) {
      out.copy(text, unchanged, at);
      out.push(read, at, at + width);
      unchanged = at + width;
    }
    at += width;
  }
  out.copy(text, unchanged, text.length);
  return out.view();
}

/** Code point ranges that make nothing visible: invisible and bidi controls, joiners, fillers, variation selectors, tags. */
const BLANK_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x2800, 0x2800],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xe0000, 0xe007f],
];

function isBlankCharacter(char: string): boolean {
  if (/\s/.test(char)) return true;
  const code = char.codePointAt(0) ?? 0;
  return BLANK_RANGES.some(([from, to]) => code >= from && code <= to);
}

function showsNothing(text: string): boolean {
  for (const char of text) if (!isBlankCharacter(char)) return false;
  return true;
}

/** True when the text shows nothing at all: a required field made of it is empty. */
export function isBlank(text: string, options: { html?: boolean } = {}): boolean {
  if (options.html) {
    if (/<img\b/i.test(text)) return false;
    return showsNothing(textView(text, { html: true }).text);
  }
  return showsNothing(text);
}
