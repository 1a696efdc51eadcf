import { foldText } from "./fold";

// Han runs, and runs of other letters and digits (Latin words, numbers such as 12360).
const TOKEN = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HAN = /^\p{Script=Han}/u;

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

/** Index terms of one field with their counts, and how many tokens the field has. */
export interface TermCounts {
  readonly counts: Map<string, number>;
  length: number;
}

/** An empty accumulator for {@link addTerms}. */
export function newTermCounts(): TermCounts {
  return { counts: new Map(), length: 0 };
}

function bump(into: TermCounts, term: string, weight: number): void {
  into.counts.set(term, (into.counts.get(term) ?? 0) + weight);
}

/**
 * Adds the terms of already folded text to `into`, each counted `weight` times:
 * every Han character and every overlapping pair of Han characters (so any phrase
 * of two or more characters is found wherever a word segmenter would cut), and
 * every Latin word or number. With `words`, words of three or more Han characters
 * found by `Intl.Segmenter` are added too; they only raise the rank of documents
 * that use the word as a whole. Segmenting is slow (under 1 M characters a second),
 * so callers ask for words on short fields only.
 */
export function addTerms(folded: string, weight: number, into: TermCounts, words = false): void {
  for (const match of folded.matchAll(TOKEN)) {
    const token = match[0];
    if (!HAN.test(token)) {
      bump(into, token, weight);
      into.length += weight;
      continue;
    }
    const chars = Array.from(token);
    for (let i = 0; i < chars.length; i += 1) {
      const char = chars[i] as string;
      bump(into, char, weight);
      const next = chars[i + 1];
      if (next !== undefined) bump(into, char + next, weight);
    }
    into.length += chars.length * weight;
  }
  if (words) {
    for (const word of longWords(folded)) bump(into, word, weight);
  }
}

function longWords(folded: string): string[] {
  const out: string[] = [];
  for (const segment of segmenter.segment(folded)) {
    if (
      segment.isWordLike &&
      HAN.test(segment.segment) &&
      Array.from(segment.segment).length >= 3
    ) {
      out.push(segment.segment);
    }
  }
  return out;
}

/** A search query after analysis. */
export interface AnalyzedQuery {
  /** Terms every match must contain: Han pairs (a lone Han character as itself), Latin words, numbers. */
  readonly required: readonly string[];
  /** Whole words the segmenter finds in the query: a document using them ranks higher. */
  readonly boost: readonly string[];
  /** Folded phrases as typed (split at white space), for the exact-phrase bonus. */
  readonly phrases: readonly string[];
  /** Folded strings to highlight: the phrases, then their Han runs and words. */
  readonly needles: readonly string[];
}

/** Analyses a query the same way documents are indexed. */
export function analyzeQuery(query: string): AnalyzedQuery {
  const folded = foldText(query.normalize("NFC")).trim();
  const required = new Set<string>();
  const needles = new Set<string>();
  const phrases: string[] = [];
  for (const chunk of folded.split(/\s+/)) {
    const tokens = Array.from(chunk.matchAll(TOKEN), (m) => m[0]);
    if (tokens.length === 0) continue;
    // A phrase runs from its first to its last token, punctuation inside included.
    const first = chunk.indexOf(tokens[0] as string);
    const lastToken = tokens[tokens.length - 1] as string;
    const phrase = chunk.slice(first, chunk.lastIndexOf(lastToken) + lastToken.length);
    phrases.push(phrase);
    needles.add(phrase);
    for (const token of tokens) {
      needles.add(token);
      if (!HAN.test(token)) {
        required.add(token);
        continue;
      }
      const chars = Array.from(token);
      if (chars.length === 1) required.add(token);
      for (let i = 0; i + 1 < chars.length; i += 1)
        required.add((chars[i] as string) + (chars[i + 1] as string));
    }
  }
  return {
    required: [...required],
    boost: longWords(folded).filter((w) => !required.has(w)),
    phrases,
    needles: [...needles],
  };
}
