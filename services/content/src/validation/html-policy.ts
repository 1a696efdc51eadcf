/**
 * The allow-list for an item's body HTML. sanitize-html writes the output; the
 * refusals come from the same htmlparser2 parse (its `onOpenTag` hook sees every
 * start tag with lower-cased names and entity-decoded attribute values), so what
 * is checked is exactly what is sanitised, and no regular expression ever reads
 * raw markup.
 */
import sanitizeHtml from "sanitize-html";
import { type DroppedWhat, droppedMarkup } from "./html-drops";
import {
  ALLOWED_ELEMENTS,
  ALLOWED_SCHEMES,
  REFUSED_ELEMENTS,
  isAbsoluteUrl,
  refusedAttribute,
  imageSourceRefusal,
  styleProperties,
  urlScheme,
  type RefusalRule,
} from "./html-rules";

/** Active content found in a body: the request must be refused. */
export interface RefusedMarkup {
  /** A stable rule identifier, e.g. "html.no-script" or "html.no-event-handler". */
  rule: string;
  /** The offending start tag, rebuilt from the parse and shortened to 80 characters. */
  excerpt: string;
  /** One sentence for the editor: what is not allowed and what to do instead. */
  message: string;
}

/** Harmless markup outside the allow-list that was removed, counted by name. */
export interface StrippedMarkup {
  /**
   * An element (unwrapped, its text kept), an attribute, a declaration of a
   * `style` attribute, or markup the parser drops (comments, CDATA, processing
   * instructions, declarations, stray end tags, an unfinished tag at the end).
   */
  what: "element" | "attribute" | "style" | DroppedWhat;
  /** The element or attribute name, the CSS property name for `style`, else the same as `what`. */
  name: string;
  count: number;
  /** For markup the parser drops: the first occurrence, shortened. */
  excerpt?: string;
}

/** What a body may hold beyond the fixed allow-list. */
export interface BodyPolicy {
  /** Hosts images may come from (`CONTENT_IMAGE_HOSTS`); none by default. */
  imageHosts?: readonly string[];
}

/** The outcome of checking a body against the allow-list. */
export interface BodyCheck {
  /** The sanitised HTML; publishable only when `refused` is empty. */
  html: string;
  /** Active content, in document order; any entry means the request must be refused. */
  refused: RefusedMarkup[];
  /** What was removed without changing the meaning, in order of first appearance. */
  stripped: StrippedMarkup[];
}

const EXCERPT_LENGTH = 80;
const ABSOLUTE_LINK_REL = "noopener noreferrer";

/** What sanitize-html may let through: the allow-list plus the `rel` the policy adds. */
const OUTPUT_ATTRIBUTES: Record<string, string[]> = Object.fromEntries(
  [...ALLOWED_ELEMENTS].map(([element, names]) => [
    element,
    element === "a" ? [...names, "rel"] : [...names],
  ]),
);

interface StrippedAttribute {
  what: "attribute" | "style";
  name: string;
}

interface VettedAttributes {
  kept: Record<string, string>;
  stripped: StrippedAttribute[];
}

/** Splits an allowed element's attributes into those kept and those removed. */
function vetAttributes(
  element: string,
  attribs: Readonly<Record<string, string>>,
): VettedAttributes {
  const allowed = ALLOWED_ELEMENTS.get(element) ?? [];
  const kept: Record<string, string> = {};
  const stripped: StrippedAttribute[] = [];
  for (const [name, value] of Object.entries(attribs)) {
    // Refused attributes are reported as refusals, and never reach the output.
    if (refusedAttribute(name, value)) continue;
    if (name === "style") {
      for (const property of styleProperties(value)) {
        stripped.push({ what: "style", name: property });
      }
      continue;
    }
    const schemes = ALLOWED_SCHEMES.get(`${element} ${name}`);
    const scheme = urlScheme(value);
    const schemeAllowed = !schemes || scheme === undefined || schemes.has(scheme);
    if (allowed.includes(name) && schemeAllowed) kept[name] = value;
    else stripped.push({ what: "attribute", name });
  }
  // Links that leave the site must not hand the new page a window.opener or a referrer.
  if (element === "a" && kept.href !== undefined && isAbsoluteUrl(kept.href)) {
    kept.rel = ABSOLUTE_LINK_REL;
  }
  return { kept, stripped };
}

function readable(text: string): string {
  // Control characters are the point of some payloads; show them as spaces.
  return [...text]
    .map((char) => ((char.codePointAt(0) ?? 0) < 0x20 || char === "\u007f" ? " " : char))
    .join("")
    .replace(/\s+/g, " ");
}

function shorten(text: string): string {
  if (text.length <= EXCERPT_LENGTH) return text;
  let cut = EXCERPT_LENGTH - 1;
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * A start tag rebuilt from the parse. When it is too long and one attribute is at
 * fault, that attribute is shown alone so the excerpt still points at the problem.
 */
function excerpt(element: string, attribs: Readonly<Record<string, string>>, focus?: string) {
  const render = (entries: Array<[string, string]>, more: boolean) =>
    readable(
      `<${element}${entries.map(([name, value]) => ` ${name}="${value}"`).join("")}${more ? " …" : ""}>`,
    );
  const entries = Object.entries(attribs);
  const full = render(entries, false);
  if (full.length <= EXCERPT_LENGTH || focus === undefined) return shorten(full);
  return shorten(render([[focus, attribs[focus] ?? ""]], entries.length > 1));
}

function refusal(found: RefusalRule, excerptText: string): RefusedMarkup {
  return { rule: found.rule, excerpt: excerptText, message: found.message };
}

/** Counts stripped markup by kind and name, keeping the order of first appearance. */
class StrippedTally {
  private readonly counts = new Map<string, StrippedMarkup>();

  add(what: StrippedMarkup["what"], name: string, excerpt?: string): void {
    const key = `${what} ${name}`;
    const entry = this.counts.get(key);
    if (entry) entry.count += 1;
    else this.counts.set(key, { what, name, count: 1, ...(excerpt ? { excerpt } : {}) });
  }

  list(): StrippedMarkup[] {
    return [...this.counts.values()];
  }
}

/**
 * Checks an item body against the allow-list and sanitises it.
 *
 * Active content (scripts, frames, plug-ins, forms, document metadata, SVG/MathML,
 * event handlers, `srcdoc`, and javascript:/vbscript:/data: URLs) is listed in
 * `refused`: the caller must refuse the request rather than publish a silently
 * altered body. Other markup outside the list is removed and reported in
 * `stripped`: unknown elements are unwrapped (their text kept), and attributes,
 * inline styles, `class` and `id` are dropped; comments, CDATA, processing
 * instructions, declarations, stray end tags and an unfinished tag at the end are
 * removed and listed too, so nothing disappears unannounced. Images from hosts
 * outside `policy.imageHosts` are refused (`html.image-host`). Absolute links get
 * `rel="noopener noreferrer"`.
 */
export function sanitizeBody(html: string, policy: BodyPolicy = {}): BodyCheck {
  const refused: RefusedMarkup[] = [];
  const stripped = new StrippedTally();
  const imageHosts = policy.imageHosts ?? [];

  const inspect = (element: string, attribs: Readonly<Record<string, string>>): void => {
    const refusedElement = REFUSED_ELEMENTS.get(element);
    if (refusedElement) refused.push(refusal(refusedElement, excerpt(element, attribs)));
    const src = attribs.src;
    if (element === "img" && src !== undefined) {
      const found = imageSourceRefusal(src, imageHosts);
      if (found) refused.push(refusal(found, excerpt(element, attribs, "src")));
    }
    for (const [name, value] of Object.entries(attribs)) {
      const found = refusedAttribute(name, value);
      if (found) refused.push(refusal(found, excerpt(element, attribs, name)));
    }
    if (ALLOWED_ELEMENTS.has(element)) {
      for (const item of vetAttributes(element, attribs).stripped) {
        stripped.add(item.what, item.name);
      }
    } else if (!refusedElement) {
      stripped.add("element", element);
    }
  };

  const output = sanitizeHtml(html, {
    allowedTags: [...ALLOWED_ELEMENTS.keys()],
    // The transform below already keeps only these; sanitize-html enforces them again.
    allowedAttributes: OUTPUT_ATTRIBUTES,
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: ["http", "https"] },
    allowProtocolRelative: true,
    disallowedTagsMode: "discard",
    // Drop the content of refused raw-text elements too, should output ever be used.
    nonTextTags: [
      "script",
      "style",
      "textarea",
      "option",
      "xmp",
      "noscript",
      "noembed",
      "noframes",
    ],
    // Called for every start tag, before sanitize-html alters the attributes.
    onOpenTag: (element, attribs) => inspect(element, { ...attribs }),
    transformTags: {
      "*": (element, attribs) => ({
        tagName: element,
        attribs: ALLOWED_ELEMENTS.has(element) ? vetAttributes(element, attribs).kept : {},
      }),
    },
  });

  for (const dropped of droppedMarkup(html))
    stripped.add(dropped.what, dropped.what, dropped.excerpt);
  return { html: output, refused, stripped: stripped.list() };
}
