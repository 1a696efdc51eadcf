import { foldText } from "./fold";

/** A run of text, marked when it matched the query. Rendered escaped, `<mark>` around marked runs. */
export interface TextPart {
  readonly text: string;
  readonly mark: boolean;
}

/** [start, end) ranges of `text` where any needle occurs, merged and in order. */
export function matchRanges(text: string, needles: readonly string[]): [number, number][] {
  const folded = foldText(text);
  const ranges: [number, number][] = [];
  for (const needle of needles) {
    if (!needle) continue;
    for (
      let at = folded.indexOf(needle);
      at >= 0;
      at = folded.indexOf(needle, at + needle.length)
    ) {
      ranges.push([at, at + needle.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

function parts(
  text: string,
  ranges: readonly (readonly [number, number])[],
  from: number,
  to: number,
): TextPart[] {
  const out: TextPart[] = [];
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= from || start >= to) continue;
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    if (s > at) out.push({ text: text.slice(at, s), mark: false });
    out.push({ text: text.slice(s, e), mark: true });
    at = e;
  }
  if (at < to) out.push({ text: text.slice(at, to), mark: false });
  return out;
}

/** The whole of `text` with every match of the needles marked (for titles). */
export function highlight(text: string, needles: readonly string[]): TextPart[] {
  return parts(text, matchRanges(text, needles), 0, text.length);
}

function isLowSurrogate(text: string, at: number): boolean {
  const unit = text.charCodeAt(at);
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * About `length` characters of `text` around the best match: the first place the
 * earliest needle that occurs at all is found (needles come phrase first), with
 * some context before it, and an ellipsis where the text was cut.
 */
export function snippet(text: string, needles: readonly string[], length = 120): TextPart[] {
  const flat = text.replace(/\s+/g, " ").trim();
  const folded = foldText(flat);
  let anchor = -1;
  for (const needle of needles) {
    anchor = needle ? folded.indexOf(needle) : -1;
    if (anchor >= 0) break;
  }
  let from = anchor < 0 ? 0 : Math.max(0, anchor - Math.floor(length / 4));
  let to = Math.min(flat.length, from + length);
  from = Math.max(0, Math.min(from, to - length));
  if (from > 0 && isLowSurrogate(flat, from)) from += 1;
  if (to < flat.length && isLowSurrogate(flat, to)) to -= 1;
  const out = parts(flat, matchRanges(flat, needles), from, to);
  if (from > 0) out.unshift({ text: "…", mark: false });
  if (to < flat.length) out.push({ text: "…", mark: false });
  return out;
}
