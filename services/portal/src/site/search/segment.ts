import { foldText } from "./fold";
import { hanKey, scanTokens, type TermKey } from "./tokens";

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
const HAN_START = /^\p{Script=Han}/u;

/** Index terms of one document with their weighted counts, and its weighted length. */
export interface TermCounts {
  readonly counts: Map<TermKey, number>;
  length: number;
}

/** An empty accumulator for {@link addTerms}. */
export function newTermCounts(): TermCounts {
  return { counts: new Map(), length: 0 };
}

/**
 * Adds the terms of already folded text to `into`, each counted `weight` times:
 * every Han character and every overlapping pair of Han characters (so any phrase
 * of two or more characters is found wherever a word segmenter would cut), and
 * every Latin word or number. With `words`, words of three or more Han characters
 * found by `Intl.Segmenter` are added too; they only raise the rank of documents
 * that use the word whole. Segmenting runs under 1 M characters a second, so
 * callers ask for words on short fields only.
 */
export function addTerms(folded: string, weight: number, into: TermCounts, words = false): void {
  const counts = into.counts;
  const bump = (key: TermKey) => counts.set(key, (counts.get(key) ?? 0) + weight);
  scanTokens(folded, {
    han(codePoints) {
      for (let i = 0; i < codePoints.length; i += 1) {
        const cp = codePoints[i] as number;
        bump(hanKey(cp));
        const next = codePoints[i + 1];
        if (next !== undefined) bump(hanKey(cp, next));
      }
      into.length += codePoints.length * weight;
    },
    word(start, end) {
      bump(folded.slice(start, end));
      into.length += weight;
    },
  });
  if (words) {
    for (const word of longWords(folded)) bump(word);
  }
}

function longWords(folded: string): string[] {
  const out: string[] = [];
  for (const segment of segmenter.segment(folded)) {
    const text = segment.segment;
    if (
      segment.isWordLike &&
      text.length >= 3 &&
      HAN_START.test(text) &&
      Array.from(text).length >= 3
    ) {
      out.push(text);
    }
  }
  return out;
}

/** A search query after analysis. */
export interface AnalyzedQuery {
  /** Terms every match must contain: Han pairs (a lone Han character as itself), Latin words, numbers. */
  readonly required: readonly TermKey[];
  /** Whole words the segmenter finds in the query: a document using them ranks higher. */
  readonly boost: readonly TermKey[];
  /** Folded phrases as typed (split at white space), for the exact-phrase bonus. */
  readonly phrases: readonly string[];
  /** Folded strings to highlight: the phrases, then their Han runs and words. */
  readonly needles: readonly string[];
}

/** Analyses a query exactly as documents are indexed. */
export function analyzeQuery(query: string): AnalyzedQuery {
  const folded = foldText(query.normalize("NFC")).trim();
  const required = new Set<TermKey>();
  const needles = new Set<string>();
  const phrases: string[] = [];
  for (const chunk of folded.split(/\s+/)) {
    let first = -1;
    let last = -1;
    const tokens: string[] = [];
    scanTokens(chunk, {
      han(codePoints, start, end) {
        if (first < 0) first = start;
        last = end;
        tokens.push(chunk.slice(start, end));
        if (codePoints.length === 1) required.add(hanKey(codePoints[0] as number));
        for (let i = 0; i + 1 < codePoints.length; i += 1) {
          required.add(hanKey(codePoints[i] as number, codePoints[i + 1]));
        }
      },
      word(start, end) {
        if (first < 0) first = start;
        last = end;
        tokens.push(chunk.slice(start, end));
        required.add(chunk.slice(start, end));
      },
    });
    if (first < 0) continue;
    // A phrase runs from its first to its last token, punctuation inside included.
    const phrase = chunk.slice(first, last);
    phrases.push(phrase);
    needles.add(phrase);
    for (const token of tokens) needles.add(token);
  }
  return {
    required: [...required],
    boost: longWords(folded).filter((w) => !required.has(w)),
    phrases,
    needles: [...needles],
  };
}
