/**
 * The one tokenizer documents and queries share: runs of Han characters, and runs
 * of other letters and digits (Latin words, numbers such as 12360). Everything
 * else separates tokens. A hand-written scan over code units, because indexing
 * 100,000 documents spends most of its time here.
 */

const OTHER_WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** True for code points of the Han script (CJK ideographs, their extensions and compatibility forms, 〇 and 々). */
export function isHan(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x323af) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2e80 && cp <= 0x2fdf) ||
    cp === 0x3005 ||
    cp === 0x3007 ||
    (cp >= 0x3021 && cp <= 0x3029) ||
    (cp >= 0x3038 && cp <= 0x303b)
  );
}

function isWordChar(cp: number): boolean {
  if (cp < 0x80)
    return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a);
  return OTHER_WORD_CHAR.test(String.fromCodePoint(cp));
}

/** Receives each token as [start, end) offsets into the scanned text. */
export interface TokenSink {
  /** A run of Han characters, with its code points. */
  han(codePoints: readonly number[], start: number, end: number): void;
  /** A run of other letters and digits. */
  word(start: number, end: number): void;
}

/** Calls the sink for each token of `text`, in order. */
export function scanTokens(text: string, sink: TokenSink): void {
  const han: number[] = [];
  let hanStart = -1;
  let wordStart = -1;
  let i = 0;
  while (i <= text.length) {
    const cp = i < text.length ? (text.codePointAt(i) as number) : -1;
    const width = cp > 0xffff ? 2 : 1;
    const kind = cp < 0 ? 0 : isHan(cp) ? 1 : isWordChar(cp) ? 2 : 0;
    if (kind !== 1 && hanStart >= 0) {
      sink.han(han, hanStart, i);
      han.length = 0;
      hanStart = -1;
    }
    if (kind !== 2 && wordStart >= 0) {
      sink.word(wordStart, i);
      wordStart = -1;
    }
    if (kind === 1) {
      if (hanStart < 0) hanStart = i;
      han.push(cp);
    } else if (kind === 2 && wordStart < 0) {
      wordStart = i;
    }
    i += width;
  }
}

// Keys of characters in U+3400–U+9FFF (almost all text) are small integers, which
// a Map hashes far faster than strings or large doubles: a pair is a * SPAN + b
// (below 2^31), a single character -(a + 1). Rarer characters use their string.
const DENSE_FROM = 0x3400;
const SPAN = 0xa000 - DENSE_FROM;

/** The key of a Han character (`second` absent) or of a pair of them. */
export function hanKey(first: number, second?: number): TermKey {
  const a = first - DENSE_FROM;
  if (second === undefined) {
    return a >= 0 && a < SPAN ? -(a + 1) : String.fromCodePoint(first);
  }
  const b = second - DENSE_FROM;
  return a >= 0 && a < SPAN && b >= 0 && b < SPAN
    ? a * SPAN + b
    : String.fromCodePoint(first) + String.fromCodePoint(second);
}

/** Index and query terms: numbers for Han characters and pairs, strings for words. */
export type TermKey = number | string;
