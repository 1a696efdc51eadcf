/**
 * Large-text and high-contrast display (适老化), chosen with plain links and
 * kept in a cookie, so it works with no script at all.
 */

/** WARNING: the cookie name is stored in visitors' browsers; never change it. */
export const DISPLAY_COOKIE = "herald_display";

/** The display settings a visitor chose. */
export interface DisplayMode {
  readonly large: boolean;
  readonly contrast: boolean;
}

/** Standard display: neither large text nor high contrast. */
export const STANDARD_DISPLAY: DisplayMode = { large: false, contrast: false };

/** Reads the display mode from a Cookie header. */
export function displayFromCookie(header: string | undefined): DisplayMode {
  if (!header) return STANDARD_DISPLAY;
  for (const pair of header.split(";")) {
    const [name, value] = pair.split("=", 2).map((s) => s.trim());
    if (name === DISPLAY_COOKIE && value) {
      const flags = value.split(".");
      return { large: flags.includes("large"), contrast: flags.includes("contrast") };
    }
  }
  return STANDARD_DISPLAY;
}

/**
 * The mode after a visitor asks for `request`: `large` and `contrast` each turn
 * their setting on (so both can be had together), `standard` turns both off.
 * Anything else is not a mode.
 */
export function nextDisplay(current: DisplayMode, request: string): DisplayMode | undefined {
  switch (request) {
    case "large":
      return { ...current, large: true };
    case "contrast":
      return { ...current, contrast: true };
    case "standard":
      return STANDARD_DISPLAY;
    default:
      return undefined;
  }
}

/** The Set-Cookie value that stores `mode` for a year (or clears it). */
export function displayCookie(mode: DisplayMode, secure: boolean): string {
  const flags = [mode.large ? "large" : "", mode.contrast ? "contrast" : ""]
    .filter(Boolean)
    .join(".");
  const attributes = `Path=/; SameSite=Lax; HttpOnly${secure ? "; Secure" : ""}`;
  return flags
    ? `${DISPLAY_COOKIE}=${flags}; Max-Age=31536000; ${attributes}`
    : `${DISPLAY_COOKIE}=; Max-Age=0; ${attributes}`;
}

/** Class names the stylesheet keys on. */
export function displayClasses(mode: DisplayMode): string {
  return [mode.large ? "mode-large" : "", mode.contrast ? "mode-contrast" : ""]
    .filter(Boolean)
    .join(" ");
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || unit === 0x7f) return true;
  }
  return false;
}

/**
 * The path to send a visitor back to: only a path on this site ("/…", never
 * "//host" or "/\host", which browsers treat as another host), else "/".
 */
export function safeBackPath(back: unknown): string {
  if (typeof back !== "string" || !back.startsWith("/") || back.length > 2000) return "/";
  if (back.startsWith("//") || back.includes("\\") || hasControlCharacter(back)) return "/";
  try {
    const base = "http://portal.invalid";
    const url = new URL(back, base);
    if (url.origin !== base) return "/";
    return url.pathname + url.search;
  } catch {
    return "/";
  }
}
