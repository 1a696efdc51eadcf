import express, { type Router } from "express";
import { type World } from "../world";
import { wechatCalls } from "./call";
import { mediaAndDraftRoutes } from "./draft-routes";
import { publishRoutes } from "./publish-routes";
import { tokenRoutes } from "./token-routes";

/** The WeChat official-account API under `/cgi-bin/`, answering as https://api.weixin.qq.com does. */
export function wechatRouter(world: World, settle: () => void): Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: "25mb" }));
  const calls = wechatCalls(world, settle);
  tokenRoutes(router, world, calls, settle);
  mediaAndDraftRoutes(router, world, calls);
  publishRoutes(router, world, calls);
  return router;
}
