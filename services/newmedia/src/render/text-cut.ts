/**
 * Measuring and shortening text the way a reader expects: by characters as the
 * platforms count them, cut at the end of a sentence or clause where one is near,
 * with an ellipsis so the reader knows more follows.
 */

export const ELLIPSIS = "…";

/** Characters as the platforms' "字" limits count them: one per code point, so an emoji is one, not two. */
export function charCount(text: string): number {
  return Array.from(text).length;
}

/** Marks after which a cut leaves a whole sentence: preferred. */
const SENTENCE_END = new Set([..."。！？；!?;"]);
/** Marks after which a cut leaves a whole clause: the next best. */
const CLAUSE_END = new Set([..."，、：,:"]);
/** Punctuation that reads wrongly right before an ellipsis, so it is dropped. */
const TRAILING = /[。；：，、;:,.\s]+$/u;
/** A boundary further back than this share of the room loses too much text to be worth it. */
const MIN_BOUNDARY_SHARE = 0.6;
const WORD_CHAR = /[\p{Script=Latin}\p{Nd}]/u;
/** How far a cut inside a Latin word may move back to the previous space. */
const MAX_WORD_BACKOFF = 12;

/** Collapses runs of white space to one space and trims, as rendered text reads. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}

/**
 * Shortens `text` so that `weigh(result) <= budget`, ending it with "…".
 * Returns the text unchanged when it already fits. `weigh` must not decrease when
 * characters are added (every platform count here is a sum over characters).
 */
export function cutToFit(text: string, budget: number, weigh: (s: string) => number): string {
  if (weigh(text) <= budget) return text;
  const chars = Array.from(text);
  const candidate = (n: number) => chars.slice(0, n).join("").replace(TRAILING, "") + ELLIPSIS;
  // The longest prefix that still fits with its ellipsis (binary search: weights only grow).
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (weigh(candidate(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const room = lo;
  if (room === 0) return weigh(ELLIPSIS) <= budget ? ELLIPSIS : "";
  for (const marks of [SENTENCE_END, CLAUSE_END]) {
    for (let i = room; i >= Math.ceil(room * MIN_BOUNDARY_SHARE); i--) {
      const before = chars[i - 1];
      if (before !== undefined && marks.has(before)) return candidate(i);
    }
  }
  return candidate(wordSafeCut(chars, room));
}

/** Moves a cut that would split a Latin word or a number back to the space before it. */
function wordSafeCut(chars: readonly string[], n: number): number {
  const before = chars[n - 1];
  const after = chars[n];
  if (before === undefined || after === undefined) return n;
  if (!WORD_CHAR.test(before) || !WORD_CHAR.test(after)) return n;
  for (let i = n - 1; i > 0 && n - i <= MAX_WORD_BACKOFF; i--) {
    if (chars[i] === " ") return i;
  }
  return n;
}

/** The first `n` characters of `text`, without an ellipsis: a platform's own "first N characters" rule. */
export function firstChars(text: string, n: number): string {
  return Array.from(text).slice(0, n).join("");
}
