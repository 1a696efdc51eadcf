/**
 * Large-text and high-contrast display (适老化), chosen with plain links and
 * kept in a cookie, so it works with no script at all. The base CSS keys on
 * the classes {@link displayClasses} gives the page's body.
 */
import { readCookie, setCookie } from "./cookies";

/** WARNING: the cookie name is stored in visitors' browsers; never change it. */
export const DISPLAY_COOKIE = "herald_display";

/** A year: a visitor who needs large text needs it next time too. */
const DISPLAY_MAX_AGE_SECONDS = 31_536_000;

/** The display settings a visitor chose. */
export interface DisplayMode {
  readonly large: boolean;
  readonly contrast: boolean;
}

/** Standard display: neither large text nor high contrast. */
export const STANDARD_DISPLAY: DisplayMode = { large: false, contrast: false };

/** Reads the display mode from a Cookie header. */
export function displayFromCookie(header: string | undefined): DisplayMode {
  const value = readCookie(header, DISPLAY_COOKIE);
  if (!value) return STANDARD_DISPLAY;
  const flags = value.split(".");
  return { large: flags.includes("large"), contrast: flags.includes("contrast") };
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
  return setCookie(DISPLAY_COOKIE, flags, {
    maxAge: flags ? DISPLAY_MAX_AGE_SECONDS : 0,
    sameSite: "Lax",
    secure,
  });
}

/** Class names the base stylesheet keys on. */
export function displayClasses(mode: DisplayMode): string {
  return [mode.large ? "mode-large" : "", mode.contrast ? "mode-contrast" : ""]
    .filter(Boolean)
    .join(" ");
}
