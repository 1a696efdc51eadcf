/**
 * A request whose URL has malformed percent-encoding (`%zz`, a lone `%`, or
 * bytes that are not UTF-8 such as `%E0%A4%A`) is refused with 400 before any
 * route sees it: a route that decoded it would otherwise fail with 500, or
 * act on a string it misread.
 */
import type { RequestHandler, Response } from "express";

/** The rule id a malformed URL is refused under. */
export const PERCENT_ENCODING_RULE = "url.percent-encoding";

/** Which part of the URL is malformed and how. */
export interface MalformedUrl {
  /** `path` or `query`, as the request spells its URL. */
  readonly field: "path" | "query";
  readonly rule: typeof PERCENT_ENCODING_RULE;
  /** English, naming the field and the rule, for API errors and logs. */
  readonly message: string;
}

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** What is malformed in a request URL (`/path?query`), or undefined when it decodes. */
export function malformedUrl(url: string): MalformedUrl | undefined {
  const queryAt = url.indexOf("?");
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? "" : url.slice(queryAt + 1);
  const field = !decodes(path) ? "path" : !decodes(query) ? "query" : undefined;
  if (!field) return undefined;
  return {
    field,
    rule: PERCENT_ENCODING_RULE,
    message: `${field}: malformed percent-encoding (rule ${PERCENT_ENCODING_RULE}): every % must begin %XX, and the bytes must be UTF-8`,
  };
}

/** The Chinese text a page shows for a malformed URL. */
export const MALFORMED_URL_MESSAGE =
  "网址中的百分号编码（%XX）有误，无法识别。请检查网址，或回到首页重新进入。";

/** Refuses requests with a malformed URL, answering through `reply` (a page or a JSON error). */
export function rejectMalformedUrl(
  reply: (res: Response, problem: MalformedUrl) => void,
): RequestHandler {
  return (req, res, next) => {
    const problem = malformedUrl(req.originalUrl);
    if (!problem) {
      next();
      return;
    }
    res.status(400);
    reply(res, problem);
  };
}
