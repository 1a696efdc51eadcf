/**
 * The shared web layer every Herald UI is built on: pages rendered from
 * Handlebars templates, the security headers they are written for, cookies,
 * sessions, CSRF and sign-in throttling, safe redirects, URL checks, the
 * trust-proxy setting and the house style's base CSS. Golden-page test
 * support is in `@herald/web/testing`.
 */
export { readCookie, setCookie, type CookieOptions } from "./cookies";
export {
  DISPLAY_COOKIE,
  displayClasses,
  displayCookie,
  displayFromCookie,
  nextDisplay,
  STANDARD_DISPLAY,
  type DisplayMode,
} from "./display-mode";
export { CONTENT_SECURITY_POLICY, securityHeaders, type SecurityHeaderOptions } from "./headers";
export { applyTrustProxy, isSecureRequest, parseTrustProxy, type TrustProxy } from "./proxy";
export { safeRedirect } from "./redirect";
export {
  BASE_CSS_FILE,
  baseCss,
  createRenderer,
  type Renderer,
  type RendererOptions,
} from "./renderer";
export { MIN_SECRET_BYTES, SessionStore, type Session, type SessionStoreOptions } from "./sessions";
export {
  SignInThrottle,
  throttledMessage,
  type SignInThrottleOptions,
  type ThrottleVerdict,
} from "./throttle";
export {
  MALFORMED_URL_MESSAGE,
  malformedUrl,
  PERCENT_ENCODING_RULE,
  rejectMalformedUrl,
  type MalformedUrl,
} from "./url";
