/**
 * Where to send a visitor after a form or a switch: only a path on this
 * site. The target is NORMALISED FIRST, the way a browser or a proxy down the
 * line would read it (percent-decoding, backslashes as slashes, dot segments
 * resolved), and only the normalised form is judged: checking the raw text
 * let `/a/../..//evil.example` through, which a browser resolves to
 * `//evil.example`, another site.
 */

/** Longer targets are refused: no page of ours has such an address. */
const MAX_TARGET_LENGTH = 2000;

/** Decoding rounds looked through: `%252F` is `%2F` to a server that decodes twice. */
const DECODE_ROUNDS = 3;

/** Invisible or direction-changing characters and Unicode white space beyond Latin-1. */
const UNSAFE_FORMAT = /[\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]/u;

/** C0 and C1 controls, DEL, space, no-break space, and the format characters above. */
function hasUnsafeCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit <= 0x20 || (unit >= 0x7f && unit <= 0xa0)) return true;
  }
  return UNSAFE_FORMAT.test(text);
}

/** Resolves `.` and `..` segments as a URL parser does; `..` never climbs above the root. */
function resolveDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split("/");
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] ?? "";
    const last = i === segments.length - 1;
    if (segment === ".") {
      if (last) out.push("");
    } else if (segment === "..") {
      // The root's own "" never goes: `/..` is `/`.
      if (out.length > 1) out.pop();
      if (last) out.push("");
    } else {
      out.push(segment);
    }
  }
  return out.join("/");
}

/** The path as judged: backslashes read as slashes, dot segments resolved. */
function normalisePath(decoded: string): string | undefined {
  if (hasUnsafeCharacter(decoded)) return undefined;
  const slashed = decoded.replaceAll("\\", "/");
  if (!slashed.startsWith("/")) return undefined;
  const resolved = resolveDotSegments(slashed);
  // Two leading slashes name another host (`//evil.example`).
  if (!resolved.startsWith("/") || resolved.startsWith("//")) return undefined;
  return resolved;
}

/**
 * The path returned: segment by segment, each decoded and re-encoded (so an
 * encoded slash stays inside its segment, `a%2Fb`), dot segments (`..`,
 * `%2e%2e`) resolved as a browser resolves them.
 */
function canonicalPath(rawPath: string): string | undefined {
  const segments: string[] = [];
  for (const raw of rawPath.replaceAll("\\", "/").split("/")) {
    const segment = decodeOnce(raw);
    if (segment === undefined) return undefined;
    segments.push(segment === "." || segment === ".." ? segment : encodeURIComponent(segment));
  }
  const resolved = resolveDotSegments(segments.join("/"));
  if (!resolved.startsWith("/") || resolved.startsWith("//")) return undefined;
  return resolved;
}

function decodeOnce(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * `target` as a same-origin path (`/…`, with its query), or `fallback` when it
 * is anything else: absolute or protocol-relative URLs, schemes
 * (`javascript:`, `data:`), paths that normalise to another host
 * (`/./\evil`, `/%2F%2Fevil`, `/%5Cevil`), control characters, white space or
 * tabs and newlines anywhere, malformed percent-encoding, or more than 2,000
 * characters. The path returned is the normalised one, re-encoded; the query
 * is kept as sent once it is checked; a fragment is dropped.
 */
export function safeRedirect(target: unknown, fallback: string): string {
  if (typeof target !== "string" || target.length === 0 || target.length > MAX_TARGET_LENGTH) {
    return fallback;
  }
  if (hasUnsafeCharacter(target)) return fallback;
  const withoutFragment = target.split("#", 1)[0] ?? "";
  const queryAt = withoutFragment.indexOf("?");
  const rawPath = queryAt < 0 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? "" : withoutFragment.slice(queryAt);

  // Judge the raw path and every decoding of it, as servers down the line may decode again.
  let level = rawPath;
  for (let round = 0; round <= DECODE_ROUNDS; round += 1) {
    if (normalisePath(level) === undefined) return fallback;
    const decoded = decodeOnce(level);
    if (decoded === undefined) {
      // The path as sent must decode; a later round may legitimately not (`/100%25`).
      if (round === 0) return fallback;
      break;
    }
    if (decoded === level) break;
    level = decoded;
  }
  const path = canonicalPath(rawPath);
  if (path === undefined) return fallback;

  const query = decodeOnce(rawQuery);
  if (query === undefined || hasUnsafeCharacter(query.replaceAll(/[ +]/g, ""))) return fallback;
  return path + rawQuery;
}
