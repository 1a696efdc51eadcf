import express, { type Request, type Response, type Router } from "express";
import { opaqueId, sniffImage } from "../ids";
import { fileField, formBody, queryString, rawBody } from "../http";
import { DEFAULT_WECHAT_QUOTAS, takeQuota } from "../quotas";
import { type WechatApi } from "../types";
import { type World } from "../world";
import { checkArticle } from "./content";
import {
  errorBody,
  messageForCode,
  refuse,
  wechatError,
  WechatRefusal,
  type WechatErrorBody,
} from "./errors";
import { hostImage, isHostedImage } from "./images";
import { deleteArticle, findArticle, jobView, newsItems, submitDraft } from "./publish";
import { type WechatAccountState } from "./state";
import { checkToken, issueToken, stableToken } from "./tokens";

/** Material and image limits of the platform's upload APIs. */
export const MEDIA_LIMITS = {
  thumbBytes: 64 * 1024,
  imageMaterialBytes: 10 * 1024 * 1024,
  uploadImgBytes: 1024 * 1024,
} as const;

type Body = Record<string, unknown>;
type Handler = (account: WechatAccountState, req: Request) => Promise<Body> | Body;

function jsonBody(req: Request): Body {
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

function str(body: Body, field: string): string | undefined {
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

export function wechatRouter(world: World, settle: () => void): Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: "25mb" }));

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

  router.post(
    "/cgi-bin/material/add_material",
    withToken("material/add_material", async (account, req) => {
      const type = queryString(req, "type");
      if (type !== "thumb" && type !== "image") refuse("invalidMediaType", `type ${type ?? ""}`);
      const data = await fileField(await formBody(req), "media");
      if (data === undefined) refuse("missingMedia", "multipart field media");
      if (data.length === 0) refuse("emptyMedia");
      const kind = sniffImage(data);
      if (type === "thumb") {
        if (kind !== "jpeg") refuse("invalidFileType", "thumb must be JPG");
        if (data.length > MEDIA_LIMITS.thumbBytes) refuse("invalidImageSize", "thumb > 64KB");
      } else {
        if (kind === undefined) refuse("invalidFileType", "image must be bmp/png/jpeg/gif");
        if (data.length > MEDIA_LIMITS.imageMaterialBytes)
          refuse("invalidImageSize", "image > 10MB");
      }
      const url = hostImage(world, data, kind ?? "jpeg");
      const mediaId = opaqueId(32);
      account.materials.push({ mediaId, type, url, bytes: data.length, createdAt: world.now() });
      return { media_id: mediaId, url };
    }),
  );

  router.post(
    "/cgi-bin/media/uploadimg",
    withToken("media/uploadimg", async (_account, req) => {
      const data = await fileField(await formBody(req), "media");
      if (data === undefined) refuse("missingMedia", "multipart field media");
      if (data.length === 0) refuse("emptyMedia");
      const kind = sniffImage(data);
      if (kind !== "jpeg" && kind !== "png") refuse("invalidFileType", "uploadimg takes jpg/png");
      if (data.length >= MEDIA_LIMITS.uploadImgBytes) refuse("invalidImageSize", "image >= 1MB");
      return { url: hostImage(world, data, kind) };
    }),
  );

  router.post(
    "/cgi-bin/draft/add",
    withToken("draft/add", (account, req) => {
      const body = jsonBody(req);
      const articles = body.articles;
      if (!Array.isArray(articles) || articles.length === 0) refuse("emptyNews", "articles");
      if (articles.length > 8) refuse("articleSizeOutOfLimit", "at most 8 articles");
      const checked = articles.map((raw: unknown) => {
        const result = checkArticle(
          raw,
          (id) => account.materials.some((m) => m.mediaId === id),
          (src) => isHostedImage(world, src),
        );
        if (!result.ok) refuse(result.error, result.hint);
        return result.article;
      });
      const mediaId = opaqueId(32);
      account.drafts.push({
        mediaId,
        articles: checked,
        createdAt: world.now(),
        updatedAt: world.now(),
      });
      return { media_id: mediaId };
    }),
  );

  router.post(
    "/cgi-bin/draft/get",
    withToken("draft/get", (account, req) => {
      const mediaId = str(jsonBody(req), "media_id");
      const draft = account.drafts.find((d) => d.mediaId === mediaId);
      if (draft === undefined) refuse("invalidMediaId");
      return {
        news_item: draft.articles.map((a) => ({
          ...a,
          thumb_url: account.materials.find((m) => m.mediaId === a.thumb_media_id)?.url ?? "",
          url: "",
        })),
        create_time: Math.floor(draft.createdAt / 1000),
        update_time: Math.floor(draft.updatedAt / 1000),
      };
    }),
  );

  router.post(
    "/cgi-bin/draft/delete",
    withToken("draft/delete", (account, req) => {
      const mediaId = str(jsonBody(req), "media_id");
      const index = account.drafts.findIndex((d) => d.mediaId === mediaId);
      if (index < 0) refuse("invalidMediaId");
      account.drafts.splice(index, 1);
      return { errcode: 0, errmsg: "ok" };
    }),
  );

  router.post(
    "/cgi-bin/freepublish/submit",
    withToken("freepublish/submit", (account, req) => {
      if (account.seed.verified === false)
        refuse("apiUnauthorized", "freepublish needs a verified account");
      const mediaId = str(jsonBody(req), "media_id");
      if (mediaId === undefined || mediaId === "") refuse("invalidMediaId", "media_id");
      const job = submitDraft(account, mediaId, world.now(), world.publishJobMs);
      if (job === undefined) refuse("invalidMediaId", "no such draft");
      return { errcode: 0, errmsg: "ok", publish_id: job.publishId, msg_data_id: job.msgDataId };
    }),
  );

  router.post(
    "/cgi-bin/freepublish/get",
    withToken("freepublish/get", (account, req) => {
      if (account.seed.verified === false) refuse("apiUnauthorized");
      const publishId = str(jsonBody(req), "publish_id");
      const job = account.jobs.find((j) => j.publishId === publishId);
      if (job === undefined) refuse("invalidPublishId");
      return jobView(account, job);
    }),
  );

  router.post(
    "/cgi-bin/freepublish/delete",
    withToken("freepublish/delete", (account, req) => {
      if (account.seed.verified === false) refuse("apiUnauthorized");
      const body = jsonBody(req);
      const article = findArticle(account, str(body, "article_id") ?? "");
      if (article === undefined) refuse("invalidArticleId");
      const index = body.index === undefined ? 0 : Number(body.index);
      if (!Number.isInteger(index) || !deleteArticle(article, index, world.now()))
        refuse("invalidParameter", "index");
      return { errcode: 0, errmsg: "ok" };
    }),
  );

  router.post(
    "/cgi-bin/freepublish/getarticle",
    withToken("freepublish/getarticle", (account, req) => {
      const article = findArticle(account, str(jsonBody(req), "article_id") ?? "");
      if (article === undefined) refuse("invalidArticleId");
      return {
        news_item: newsItems(article, true),
        create_time: Math.floor(article.publishedAt / 1000),
        update_time: Math.floor(article.updatedAt / 1000),
      };
    }),
  );

  router.post(
    "/cgi-bin/freepublish/batchget",
    withToken("freepublish/batchget", (account, req) => {
      const body = jsonBody(req);
      const offset = Number(body.offset ?? 0);
      const count = Number(body.count ?? 0);
      if (
        !Number.isInteger(offset) ||
        offset < 0 ||
        !Number.isInteger(count) ||
        count < 1 ||
        count > 20
      ) {
        refuse("invalidParameter", "offset >= 0, 1 <= count <= 20");
      }
      const noContent = body.no_content === 1 || body.no_content === true;
      const newestFirst = [...account.articles].sort((a, b) => b.publishedAt - a.publishedAt);
      const page = newestFirst.slice(offset, offset + count);
      return {
        total_count: newestFirst.length,
        item_count: page.length,
        item: page.map((a) => ({
          article_id: a.articleId,
          content: {
            news_item: newsItems(a, !noContent),
            create_time: Math.floor(a.publishedAt / 1000),
            update_time: Math.floor(a.updatedAt / 1000),
          },
          update_time: Math.floor(a.updatedAt / 1000),
        })),
      };
    }),
  );

  return router;
}
