/**
 * Markup the sanitiser drops without a word: comments, CDATA sections,
 * processing instructions and declarations, end tags that close nothing, a tag
 * left unfinished at the end of the body (whose text goes with it), and any
 * other source the parser reads as nothing. Found
 * with the same parser sanitize-html uses (htmlparser2, same version): every
 * event marks the source it came from, and what no event covers was dropped.
 */
import { Parser } from "htmlparser2";

export type DroppedWhat =
  | "comment"
  | "cdata"
  | "processing-instruction"
  | "declaration"
  | "end-tag"
  | "unclosed-tag"
  | "markup";

/** One piece of dropped markup: what it was and its source, shortened. */
export interface DroppedMarkup {
  what: DroppedWhat;
  excerpt: string;
}

const EXCERPT_LENGTH = 60;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length <= EXCERPT_LENGTH ? flat : `${flat.slice(0, EXCERPT_LENGTH - 1)}…`;
}

/** What source that no event covered was: a stray end tag, a tag left unfinished at the end, or other markup. */
function uncovered(source: string, atEnd: boolean): DroppedWhat | undefined {
  const trimmed = source.trimStart();
  if (trimmed === "") return undefined;
  if (trimmed.startsWith("</")) return "end-tag";
  return atEnd && trimmed.startsWith("<") ? "unclosed-tag" : "markup";
}

/** Everything in `html` that the sanitiser will drop without listing it itself, in source order. */
export function droppedMarkup(html: string): DroppedMarkup[] {
  const dropped: Array<DroppedMarkup & { at: number }> = [];
  const covered: Array<[number, number]> = [];
  const cover = () => covered.push([parser.startIndex, parser.endIndex + 1]);
  const parser: Parser = new Parser(
    {
      onopentag: cover,
      ontext: cover,
      onclosetag: (_name, isImplied) => {
        // An implied end tag has no source of its own.
        if (!isImplied) cover();
      },
      oncomment: (data) => {
        cover();
        const source = html.slice(parser.startIndex, parser.endIndex + 1);
        // In HTML (not XML) mode CDATA is read as a comment.
        const what = data.startsWith("[CDATA[") ? "cdata" : "comment";
        dropped.push({ what, excerpt: shorten(source), at: parser.startIndex });
      },
      onprocessinginstruction: (name) => {
        cover();
        const source = html.slice(parser.startIndex, parser.endIndex + 1);
        dropped.push({
          what: name.startsWith("?") ? "processing-instruction" : "declaration",
          excerpt: shorten(source),
          at: parser.startIndex,
        });
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  covered.sort((a, b) => a[0] - b[0]);
  const gap = (start: number, end: number, atEnd: boolean) => {
    const source = html.slice(start, end);
    const what = uncovered(source, atEnd);
    if (what) dropped.push({ what, excerpt: shorten(source.trimStart()), at: start });
  };
  let cursor = 0;
  for (const [start, end] of covered) {
    if (start > cursor) gap(cursor, start, false);
    cursor = Math.max(cursor, end);
  }
  if (cursor < html.length) gap(cursor, html.length, true);
  return dropped.sort((a, b) => a.at - b.at).map(({ what, excerpt }) => ({ what, excerpt }));
}
