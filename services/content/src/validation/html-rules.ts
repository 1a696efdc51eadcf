/**
 * The rules behind the body's HTML allow-list: which elements and attributes an
 * editor may use, and which markup is active content that gets a request refused.
 * Pure data and small predicates; `html-policy.ts` applies them to a parse.
 */

/** A refusal rule: a stable identifier and the sentence an editor reads. */
export interface RefusalRule {
  rule: string;
  message: string;
}

/** Elements kept in the output, with the attributes each may carry. */
export const ALLOWED_ELEMENTS: ReadonlyMap<string, readonly string[]> = new Map([
  ...[
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "caption",
    "figure",
    "figcaption",
    "hr",
    "span",
    "div",
  ].map((name): [string, readonly string[]] => [name, []]),
  ["th", ["colspan", "rowspan", "scope"]],
  ["td", ["colspan", "rowspan"]],
  ["a", ["href", "title"]],
  ["img", ["src", "alt", "width", "height"]],
  ["abbr", ["title"]],
]);

/** URL schemes an allowed URL attribute may use; a relative reference is always fine. */
export const ALLOWED_SCHEMES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["a href", new Set(["http", "https", "mailto"])],
  ["img src", new Set(["http", "https"])],
]);

function group(names: readonly string[], rule: (name: string) => RefusalRule) {
  return names.map((name): [string, RefusalRule] => [name, rule(name)]);
}

/** Elements that are active content (or parsed differently by browsers): the request is refused. */
export const REFUSED_ELEMENTS: ReadonlyMap<string, RefusalRule> = new Map([
  ...group(["script"], () => ({
    rule: "html.no-script",
    message: "Scripts are not allowed in an item body; remove the <script> element.",
  })),
  ...group(["iframe", "frame", "frameset"], (name) => ({
    rule: "html.no-embedded-frame",
    message: `Embedded frames are not allowed; remove the <${name}> and link to the page instead.`,
  })),
  ...group(["object", "embed", "applet"], (name) => ({
    rule: "html.no-embedded-object",
    message: `Embedded plug-in content is not allowed; remove the <${name}> and attach or link to the file instead.`,
  })),
  ...group(
    [
      "form",
      "input",
      "button",
      "select",
      "textarea",
      "option",
      "optgroup",
      "datalist",
      "keygen",
      "isindex",
    ],
    (name) => ({
      rule: "html.no-form",
      message: `Forms and form controls are not allowed; remove the <${name}> and link to the online service instead.`,
    }),
  ),
  ...group(["base"], () => ({
    rule: "html.no-base",
    message: "A <base> element would redirect every link on the page; remove it.",
  })),
  ...group(["meta"], () => ({
    rule: "html.no-meta",
    message:
      "<meta> elements (refreshes, redirects, cookies) are not allowed in a body; remove it.",
  })),
  ...group(["link"], () => ({
    rule: "html.no-link",
    message: "<link> elements load outside resources and are not allowed; remove it.",
  })),
  ...group(["style"], () => ({
    rule: "html.no-style-element",
    message: "<style> elements are not allowed; remove the element, the site's stylesheet applies.",
  })),
  ...group(["svg", "math"], (name) => ({
    rule: "html.no-svg-math",
    message: `Inline <${name}> markup is not allowed; upload it as an image file and use <img> instead.`,
  })),
  // Browsers read these elements' content as raw text while our parser reads markup
  // (or the reverse), the gap that mutation-XSS payloads use. No editor needs them.
  ...group(["noscript", "noembed", "noframes", "xmp", "plaintext"], (name) => ({
    rule: "html.no-raw-text-element",
    message: `<${name}> is not allowed because browsers read its content differently; remove the element.`,
  })),
]);

/** Attributes whose value a browser loads or navigates to as a URL. */
const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  "href",
  "src",
  "action",
  "formaction",
  "xlink:href",
  "background",
  "poster",
  "data",
  "codebase",
  "cite",
  "longdesc",
  "dynsrc",
  "lowsrc",
  "ping",
]);

/** Attributes holding a comma-separated list of image candidates, each starting with a URL. */
const SRCSET_ATTRIBUTES: ReadonlySet<string> = new Set(["srcset", "imagesrcset"]);

const SCRIPT_SCHEMES: ReadonlySet<string> = new Set(["javascript", "vbscript"]);

function isIgnoredInUrl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  // C0 controls and space, DEL and C1 controls, and any other white space or
  // zero-width character: removing more than a browser does only errs on the safe side.
  return (
    code <= 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    /\s/u.test(char) ||
    (code >= 0x200b && code <= 0x200f) ||
    code === 0xad ||
    code === 0xfeff
  );
}

/**
 * The scheme a browser would see in an (already entity-decoded) URL, lower-cased,
 * or undefined for a relative reference. White space and control characters are
 * dropped first, so `java\tscript:` and ` JAVASCRIPT:` both read as `javascript`.
 */
export function urlScheme(value: string): string | undefined {
  const squeezed = [...value].filter((char) => !isIgnoredInUrl(char)).join("");
  return /^([a-z][a-z0-9+.-]*):/i.exec(squeezed)?.[1]?.toLowerCase();
}

/** True for a URL that leaves the site: it has a scheme or starts with `//` (or `\\`). */
export function isAbsoluteUrl(value: string): boolean {
  if (urlScheme(value) !== undefined) return true;
  const squeezed = [...value].filter((char) => !isIgnoredInUrl(char)).join("");
  return /^[/\\]{2}/.test(squeezed);
}

function schemeRule(scheme: string | undefined, attribute: string): RefusalRule | undefined {
  if (scheme !== undefined && SCRIPT_SCHEMES.has(scheme)) {
    return {
      rule: "html.no-script-url",
      message: `${scheme}: URLs run code and are not allowed in ${attribute}; use an http(s) address instead.`,
    };
  }
  if (scheme === "data") {
    return {
      rule: "html.no-data-url",
      message: `data: URLs embed content directly and are not allowed in ${attribute}; upload the file and use its http(s) address instead.`,
    };
  }
  return undefined;
}

/** Why an attribute (name lower-cased, value entity-decoded) is active content, if it is. */
export function refusedAttribute(name: string, value: string): RefusalRule | undefined {
  if (name.startsWith("on")) {
    return {
      rule: "html.no-event-handler",
      message: `Event-handler attributes such as ${name} run code and are not allowed; remove the attribute.`,
    };
  }
  if (name === "srcdoc") {
    return {
      rule: "html.no-srcdoc",
      message: "The srcdoc attribute embeds a whole page and is not allowed; remove the attribute.",
    };
  }
  if (URL_ATTRIBUTES.has(name)) return schemeRule(urlScheme(value), name);
  if (SRCSET_ATTRIBUTES.has(name)) {
    // Every candidate starts after a comma; splitting on all of them may cut a
    // data: URL in pieces, but its first piece still carries the scheme.
    for (const candidate of value.split(",")) {
      const found = schemeRule(urlScheme(candidate), name);
      if (found) return found;
    }
  }
  return undefined;
}

/** The property names in an inline style, for reporting what was removed. */
export function styleProperties(style: string): string[] {
  const names = style
    .split(";")
    .map((declaration) => declaration.split(":")[0]?.trim().toLowerCase() ?? "")
    .filter((name) => /^-?[a-z][a-z0-9-]*$/.test(name));
  return names.length > 0 ? names : ["style"];
}

/**
 * Why an image source breaks the image policy, if it does: a body's images must
 * come from a host in `imageHosts` (`CONTENT_IMAGE_HOSTS`) over http(s). Channels
 * load images from wherever the body says: WeChat filters external images and the
 * portal's CSP blocks them, so an image from elsewhere would show on some channels
 * and not others. A relative address would resolve against each channel's own
 * site, where no attachments are served. Script and data: URLs have rules of their own.
 */
export function imageSourceRefusal(
  src: string,
  imageHosts: readonly string[],
): RefusalRule | undefined {
  const scheme = urlScheme(src);
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") return undefined;
  let host: string | undefined;
  try {
    host = isAbsoluteUrl(src)
      ? new URL(src.trim(), "https://relative.invalid/").hostname
      : undefined;
  } catch {
    host = undefined;
  }
  const allowed = host !== undefined && imageHosts.some((h) => h.toLowerCase() === host);
  if (allowed) return undefined;
  const hosts = imageHosts.length > 0 ? imageHosts.join(", ") : "none are configured";
  return {
    rule: "html.image-host",
    message: `Images must come from an allowed image host (CONTENT_IMAGE_HOSTS: ${hosts}), because WeChat filters external images and the portal blocks them; upload the image to an allowed host and use that address, or attach the file instead.`,
  };
}
