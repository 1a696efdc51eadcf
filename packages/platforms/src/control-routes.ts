import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { ControlError, type PlatformName, type PlatformsControl } from "./control";
import { type WechatQuotaApi } from "./types";

function platform(value: string): PlatformName {
  if (value !== "wechat" && value !== "weibo")
    throw new ControlError(`platform must be "wechat" or "weibo", not "${value}"`);
  return value;
}

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  return typeof b === "object" && b !== null ? (b as Record<string, unknown>) : {};
}

/**
 * `/_control`: JSON over HTTP for the same operations as `Platforms.control`.
 *   GET  /_control/accounts
 *   GET  /_control/wechat/:appId            articles, drafts, materials, jobs, quotas
 *   GET  /_control/weibo/:uid               posts
 *   GET  /_control/calls?platform&account&api
 *   GET  /_control/calls/:platform/:account/counts
 *   POST /_control/faults                   {platform, account, api, errcode, count?, errmsg?}
 *   POST /_control/:platform/:account/expire-tokens
 *   POST /_control/wechat/:appId/quota/use-up   {api}
 *   POST /_control/wechat/:appId/next-publish   {status, reason?, holdMs?}
 *   DELETE /_control/faults?platform&account
 *   DELETE /_control/weibo/:uid/posts/:id      (an operator deletes a post by hand)
 */
export function controlRouter(control: PlatformsControl, controlToken: string | undefined): Router {
  const router = express.Router();
  router.use(express.json({ limit: "1mb" }));
  router.use((req, res, next) => {
    if (controlToken !== undefined && req.headers.authorization !== `Bearer ${controlToken}`) {
      return void res
        .status(401)
        .json({ error: "the control API needs Authorization: Bearer <control token>" });
    }
    next();
  });
  const q = (req: Request, name: string): string | undefined =>
    typeof req.query[name] === "string" ? req.query[name] : undefined;

  router.get("/accounts", (_req, res) => void res.json(control.accounts()));
  router.get("/wechat/:appId", (req, res) => void res.json(control.wechat(req.params.appId)));
  router.get("/weibo/:uid", (req, res) => void res.json(control.weibo(req.params.uid)));
  router.delete("/weibo/:uid/posts/:id", (req, res) => {
    control.deleteWeiboPost(req.params.uid, req.params.id);
    res.status(204).end();
  });
  router.get("/calls", (req, res) => {
    const p = q(req, "platform");
    const account = q(req, "account");
    const api = q(req, "api");
    res.json(
      control.calls({
        ...(p === undefined ? {} : { platform: platform(p) }),
        ...(account === undefined ? {} : { account }),
        ...(api === undefined ? {} : { api }),
      }),
    );
  });
  router.get(
    "/calls/:platform/:account/counts",
    (req, res) =>
      void res.json(control.callCounts(platform(req.params.platform), req.params.account)),
  );
  router.post("/faults", (req, res) => {
    const b = body(req);
    control.injectFault({
      platform: platform(String(b.platform)),
      account: String(b.account),
      api: String(b.api),
      errcode: Number(b.errcode),
      ...(b.count === undefined ? {} : { count: Number(b.count) }),
      ...(typeof b.errmsg === "string" ? { errmsg: b.errmsg } : {}),
    });
    res.json({ ok: true });
  });
  router.delete("/faults", (req, res) => {
    const p = q(req, "platform");
    control.clearFaults(p === undefined ? undefined : platform(p), q(req, "account"));
    res.json({ ok: true });
  });
  router.post("/:platform/:account/expire-tokens", (req, res) => {
    control.expireTokens(platform(req.params.platform), req.params.account);
    res.json({ ok: true });
  });
  router.post("/wechat/:appId/quota/use-up", (req, res) => {
    control.useUpQuota(req.params.appId, String(body(req).api) as WechatQuotaApi);
    res.json({ ok: true });
  });
  router.post("/wechat/:appId/next-publish", (req, res) => {
    const b = body(req);
    const status = Number(b.status);
    if (status !== 0 && status !== 2 && status !== 3 && status !== 4)
      throw new ControlError("status must be 0, 2, 3 or 4");
    control.nextPublish(req.params.appId, {
      status,
      ...(typeof b.reason === "string" ? { reason: b.reason } : {}),
      ...(b.holdMs === undefined ? {} : { holdMs: Number(b.holdMs) }),
    });
    res.json({ ok: true });
  });
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof ControlError) return void res.status(400).json({ error: err.message });
    next(err);
  });
  return router;
}
