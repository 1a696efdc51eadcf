/**
 * Who is calling: a bearer token (API, scripts, tests) or a dashboard
 * session cookie (browsers). Either way the caller must hold `operator`.
 */
import { readCookie, type Session } from "@herald/web";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Operator, OperatorTokens } from "../auth";
import { HttpError } from "./errors";
import { type DashboardSessions, SESSION_COOKIE } from "./session";

/**
 * How a token is checked: the operator token file's interface. The dashboard
 * asks it on every request, sessions included, so a token that is no longer
 * accepted (rotated out of a reloaded file) is refused at once.
 */
export type TokenCheck = Pick<OperatorTokens, "identify" | "authenticate">;

/** The authenticated caller of a request, in `res.locals.auth`. */
export interface AuthContext {
  readonly operator: Operator;
  /** Set for browser sessions; forms then need its CSRF token. */
  readonly session?: Session<string>;
  /** The CSRF token to put in forms ("" for bearer callers, who need none). */
  readonly csrf: string;
}

/** The caller, once {@link requireApiOperator} or {@link requirePageOperator} let the request in. */
export function authOf(res: Response): AuthContext {
  const auth = res.locals.auth as AuthContext | undefined;
  if (!auth) throw new Error("no authenticated operator on this request");
  return auth;
}

const BEARER_HINT = "send Authorization: Bearer <token> with an operator token";

function hasOperatorRole(operator: Operator): boolean {
  return operator.roles.includes("operator");
}

function forbidden(operator: Operator): HttpError {
  return new HttpError(
    403,
    "permission_denied",
    `${operator.name} does not have the operator role`,
  );
}

/** The JSON API: a bearer token only. A cookie is never enough, so no API call can be forged cross-site. */
export function requireApiOperator(tokens: TokenCheck): RequestHandler {
  return (req, res, next) => {
    const operator = tokens.authenticate(req.headers.authorization);
    if (!operator) {
      const message = req.headers.authorization
        ? `the bearer token is not recognised; ${BEARER_HINT}`
        : `authentication required: ${BEARER_HINT}`;
      throw new HttpError(401, "unauthenticated", message);
    }
    if (!hasOperatorRole(operator)) throw forbidden(operator);
    res.locals.auth = { operator, csrf: "" } satisfies AuthContext;
    next();
  };
}

/**
 * Where a login should return to. A GET returns to itself; a form post whose
 * session ran out returns to the section it was posted from (`/problems/…`
 * → `/problems`), since its target answers POST only.
 */
function returnPath(req: Request): string {
  if (req.method === "GET" || req.method === "HEAD") return req.originalUrl;
  return `/${req.path.split("/")[1] ?? ""}`;
}

/**
 * The operator a session stands for, while the token it was opened with is
 * still accepted and still names the same operator with the operator role.
 */
export function sessionOperator(
  tokens: TokenCheck,
  session: Session<string>,
): Operator | undefined {
  const operator = tokens.identify(session.credential);
  if (!operator || operator.name !== session.name || !hasOperatorRole(operator)) return undefined;
  return operator;
}

/**
 * Dashboard pages: a bearer header when one is sent (then it must be valid),
 * else a session cookie whose token is still valid; without either, a 303 to
 * the login page.
 */
export function requirePageOperator(
  tokens: TokenCheck,
  sessions: DashboardSessions,
  now: () => Date,
): RequestHandler {
  return (req, res, next) => {
    if (req.headers.authorization !== undefined) {
      const operator = tokens.authenticate(req.headers.authorization);
      if (!operator) throw new HttpError(401, "unauthenticated", `令牌无效（${BEARER_HINT}）`);
      if (!hasOperatorRole(operator)) throw forbidden(operator);
      res.locals.auth = { operator, csrf: "" } satisfies AuthContext;
      next();
      return;
    }
    const session = sessions.find(readCookie(req.headers.cookie, SESSION_COOKIE), now());
    const operator = session && sessionOperator(tokens, session);
    if (!session || !operator) {
      // A token rotated out ends its sessions for good, not just for this request.
      if (session) sessions.revoke(session.value);
      res
        .set("Cache-Control", "no-store")
        .redirect(303, `/login?next=${encodeURIComponent(returnPath(req))}`);
      return;
    }
    res.locals.auth = {
      operator,
      session,
      csrf: sessions.csrfToken(session),
    } satisfies AuthContext;
    next();
  };
}

/**
 * Whether a browser says the request comes from another site. Fetch metadata
 * and Origin are sent by every current browser on form posts; their absence
 * (scripts, older clients) is not taken as proof either way.
 */
export function isCrossSite(req: Request): boolean {
  const site = req.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = req.get("origin");
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.get("host");
  } catch {
    // "null" (sandboxed or redirected contexts) and anything unparseable.
    return true;
  }
}

/**
 * Form posts of a session need the session's CSRF token, and must not come
 * from another site. Bearer callers need no token: a browser never attaches
 * an Authorization header to a forged cross-site request on its own.
 */
export function requireCsrf(sessions: DashboardSessions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const { session } = authOf(res);
    if (!session) {
      next();
      return;
    }
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (isCrossSite(req) || !sessions.checkCsrf(session, token)) {
      throw new HttpError(
        403,
        "permission_denied",
        "表单已过期或来源不明（CSRF token missing or wrong）：请回到页面刷新后重新提交。",
        "_csrf",
      );
    }
    next();
  };
}
