import { type Router } from "express";
import { queryString } from "../http";
import { type World } from "../world";
import { jsonBody, str, type Body, type WechatCalls } from "./call";
import { refuse, wechatError, WechatRefusal } from "./errors";
import { issueToken, stableToken } from "./tokens";

export function tokenRoutes(
  router: Router,
  world: World,
  calls: WechatCalls,
  settle: () => void,
): void {
  const { answer, run, credentials } = calls;
  router.get("/cgi-bin/token", async (req, res) => {
    settle();
    if (queryString(req, "grant_type") !== "client_credential")
      return answer(res, undefined, "token", { ...wechatError("invalidGrantType") });
    const account = credentials(queryString(req, "appid"), queryString(req, "secret"));
    if (!("seed" in account)) return answer(res, undefined, "token", { ...account });
    await run(res, account, "token", req, (acc) => ({ ...issueToken(acc, world.now()) }));
  });

  router.post("/cgi-bin/stable_token", async (req, res) => {
    settle();
    let body: Body;
    try {
      body = jsonBody(req);
    } catch (e) {
      if (e instanceof WechatRefusal) return answer(res, undefined, "stable_token", { ...e.body });
      throw e;
    }
    if (str(body, "grant_type") !== "client_credential")
      return answer(res, undefined, "stable_token", { ...wechatError("invalidGrantType") });
    const account = credentials(str(body, "appid"), str(body, "secret"));
    if (!("seed" in account)) return answer(res, undefined, "stable_token", { ...account });
    const force = body.force_refresh === true || body.force_refresh === "true";
    await run(res, account, "stable_token", req, (acc) => {
      const result = stableToken(acc, world.now(), force);
      if (!result.ok) refuse("quotaReached", "force_refresh is limited to 20 calls a day");
      return { ...result.token };
    });
  });
}
