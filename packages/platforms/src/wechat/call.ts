import { type Request, type Response } from "express";
import { queryString, rawBody } from "../http";
import { DEFAULT_WECHAT_QUOTAS, takeQuota } from "../quotas";
import { type WechatApi } from "../types";
import { type World } from "../world";
import {
  errorBody,
  messageForCode,
  refuse,
  wechatError,
  WechatRefusal,
  type WechatErrorBody,
} from "./errors";
import { type WechatAccountState } from "./state";
import { checkToken } from "./tokens";

export type Body = Record<string, unknown>;
export type Handler = (account: WechatAccountState, req: Request) => Promise<Body> | Body;

export function jsonBody(req: Request): Body {
  const raw = rawBody(req);
  if (raw.length === 0) refuse("emptyNews", "empty body");
  try {
    const parsed: unknown = JSON.parse(raw.toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Body;
  } catch {
    // fall through: the platform answers 47001 for any body it cannot parse
  }
  return refuse("dataFormatError");
}

export function str(body: Body, field: string): string | undefined {
  const v = body[field];
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** Applies an injected fault, if one is pending for this API; returns the error to answer. */
function takeFault(account: WechatAccountState, api: WechatApi): WechatErrorBody | undefined {
  const fault = account.faults[api] ?? account.faults["*"];
  if (fault === undefined || fault.remaining <= 0) return undefined;
  fault.remaining -= 1;
  return errorBody(fault.errcode, fault.errmsg ?? messageForCode(fault.errcode));
}

function quotaLimit(account: WechatAccountState, api: WechatApi): number {
  return account.seed.quotas?.[api] ?? DEFAULT_WECHAT_QUOTAS[api];
}

/** How every WeChat call is answered: token check, injected fault, daily quota, then the handler; all logged. */
export interface WechatCalls {
  answer: (
    res: Response,
    account: WechatAccountState | undefined,
    api: WechatApi,
    body: Body,
  ) => void;
  run: (
    res: Response,
    account: WechatAccountState,
    api: WechatApi,
    req: Request,
    handler: Handler,
  ) => Promise<void>;
  withToken: (api: WechatApi, handler: Handler) => (req: Request, res: Response) => Promise<void>;
  credentials: (
    appid: string | undefined,
    secret: string | undefined,
  ) => WechatAccountState | WechatErrorBody;
}

export function wechatCalls(world: World, settle: () => void): WechatCalls {
  const answer = (
    res: Response,
    account: WechatAccountState | undefined,
    api: WechatApi,
    body: Body,
  ): void => {
    const errcode = typeof body.errcode === "number" ? body.errcode : 0;
    if (account !== undefined) world.record("wechat", account.seed.appId, api, errcode);
    world.dirty = true;
    res.json(body);
  };

  /** Runs one counted call for an identified account: fault, then quota, then the handler. */
  const run = async (
    res: Response,
    account: WechatAccountState,
    api: WechatApi,
    req: Request,
    handler: Handler,
  ): Promise<void> => {
    const fault = takeFault(account, api);
    if (fault !== undefined) return answer(res, account, api, { ...fault });
    if (!takeQuota(account.quotaUse, api, quotaLimit(account, api), world.now())) {
      return answer(res, account, api, { ...wechatError("quotaReached") });
    }
    try {
      answer(res, account, api, await handler(account, req));
    } catch (e) {
      if (!(e instanceof WechatRefusal)) throw e;
      answer(res, account, api, { ...e.body });
    }
  };

  /** A call authorised by `?access_token=`. */
  const withToken =
    (api: WechatApi, handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      settle();
      const check = checkToken(
        world.wechat.values(),
        queryString(req, "access_token"),
        world.now(),
      );
      if (!check.ok) {
        const name = {
          missing: "missingAccessToken",
          malformed: "invalidAccessToken",
          invalid: "invalidCredential",
          expired: "accessTokenExpired",
        } as const;
        return answer(res, check.account, api, { ...wechatError(name[check.error]) });
      }
      await run(res, check.account, api, req, handler);
    };

  /** The account named by appid and secret, or the error the token endpoints answer. */
  const credentials = (
    appid: string | undefined,
    secret: string | undefined,
  ): WechatAccountState | WechatErrorBody => {
    if (appid === undefined || appid === "") return wechatError("missingAppId");
    const account = world.wechat.get(appid);
    if (account === undefined) return wechatError("invalidAppId");
    if (secret === undefined || secret === "") return wechatError("missingSecret");
    if (secret !== account.seed.secret) return wechatError("invalidSecret");
    return account;
  };

  return { answer, run, withToken, credentials };
}
