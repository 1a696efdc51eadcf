/**
 * Characters no text field of a public item may hold: they are invisible or
 * change how the text around them is shown (a bidi override can make a file name
 * or an amount read backwards), and channels handle them differently.
 */

/** One refused character: the rule, the code point and where it is (UTF-16 offset). */
export interface HygieneProblem {
  rule:
    "text.control-character" | "text.bidi-control" | "text.lone-surrogate" | "text.line-separator";
  codePoint: number;
  offset: number;
}

const BIDI_CONTROLS: ReadonlySet<number> = new Set([
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
]);

function problemAt(text: string, offset: number, multiline: boolean): HygieneProblem | undefined {
  const code = text.charCodeAt(offset);
  if (code === 0x09 || code === 0x0a || code === 0x0d) {
    return multiline ? undefined : { rule: "text.control-character", codePoint: code, offset };
  }
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
    return { rule: "text.control-character", codePoint: code, offset };
  }
  if (BIDI_CONTROLS.has(code)) return { rule: "text.bidi-control", codePoint: code, offset };
  if (code === 0x2028 || code === 0x2029) {
    return { rule: "text.line-separator", codePoint: code, offset };
  }
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(offset + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return undefined;
    return { rule: "text.lone-surrogate", codePoint: code, offset };
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const previous = text.charCodeAt(offset - 1);
    if (previous >= 0xd800 && previous <= 0xdbff) return undefined;
    return { rule: "text.lone-surrogate", codePoint: code, offset };
  }
  return undefined;
}

/**
 * The refused characters in `text`: C0 controls (tab, line feed and carriage
 * return only where the field is multiline), DEL and C1 controls, bidi controls
 * (U+061C, U+200E/F, U+202A-E, U+2066-9), U+2028/U+2029, and lone surrogates.
 * The first problem of each rule is enough to tell the editor, so at most one
 * per rule is returned.
 */
export function hygieneProblems(text: string, multiline: boolean): HygieneProblem[] {
  const byRule = new Map<HygieneProblem["rule"], HygieneProblem>();
  for (let offset = 0; offset < text.length; offset += 1) {
    const problem = problemAt(text, offset, multiline);
    if (problem && !byRule.has(problem.rule)) byRule.set(problem.rule, problem);
  }
  return [...byRule.values()].sort((a, b) => a.offset - b.offset);
}

const WHAT: Record<HygieneProblem["rule"], string> = {
  "text.control-character": "a control character",
  "text.bidi-control": "a bidirectional-text control",
  "text.lone-surrogate": "a lone surrogate (half of a character)",
  "text.line-separator": "a Unicode line or paragraph separator",
};

/** The sentence an editor reads: what was found, where, and what to do. */
export function hygieneMessage(problem: HygieneProblem, multiline: boolean): string {
  const code = `U+${problem.codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
  const where = `at character ${problem.offset}`;
  const fix =
    problem.rule === "text.line-separator"
      ? multiline
        ? "use an ordinary line break instead"
        : "this field is one line; remove it"
      : problem.rule === "text.control-character" && !multiline && problem.codePoint <= 0x0d
        ? "this field is one line; remove tabs and line breaks"
        : "remove it (it is invisible, or changes how the text around it is shown)";
  return `contains ${WHAT[problem.rule]} (${code}) ${where}; ${fix}`;
}
