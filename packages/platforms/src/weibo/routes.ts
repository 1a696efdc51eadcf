import express, { type Request, type Response, type Router } from "express";
import { IMAGE_EXTENSIONS, sniffImage, sha256Hex } from "../ids";
import { fileField, formBody, queryString } from "../http";
import { type WeiboApi } from "../types";
import { type World } from "../world";
import { injected, WeiboRefusal, weiboRefuse } from "./errors";
import { type WeiboAccountState, type WeiboPost } from "./state";
import { linksToSafeDomain, weiboLength, WEIBO_MAX_WEIGHT } from "./text";

/** share.json's picture limit. */
export const WEIBO_PIC_MAX_BYTES = 5 * 1024 * 1024;
/** Posts per hour per user when the account does not say. */
export const WEIBO_DEFAULT_POSTS_PER_HOUR = 30;
/** How far back an identical text counts as a repeat (20019). */
export const WEIBO_DUPLICATE_WINDOW_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;
/** Weibo ids are 16-digit numbers (below 2^53, so they survive JSON as numbers). */
const WEIBO_ID_BASE = 5_000_000_000_000_000;

/** `created_at` as the platform writes it: `Sat Dec 05 10:00:00 +0800 2026`, in China time. */
function createdAt(at: number): string {
  const d = new Date(at + 8 * HOUR_MS);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()] ?? "";
  const month =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
      d.getUTCMonth()
    ] ?? "";
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${day} ${month} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0800 ${d.getUTCFullYear()}`;
}

function statusView(account: WeiboAccountState, post: WeiboPost): Record<string, unknown> {
  const uid = Number(account.seed.uid);
  return {
    created_at: createdAt(post.createdAt),
    id: Number(post.id),
    idstr: post.id,
    mid: post.mid,
    text: post.text,
    source: '<a href="https://open.weibo.com" rel="nofollow">herald</a>',
    favorited: false,
    truncated: false,
    ...(post.pic === undefined
      ? {}
      : { thumbnail_pic: post.pic, bmiddle_pic: post.pic, original_pic: post.pic }),
    user: {
      id: Number.isSafeInteger(uid) ? uid : account.seed.uid,
      idstr: account.seed.uid,
      screen_name: account.seed.name,
      name: account.seed.name,
    },
    reposts_count: 0,
    comments_count: 0,
    attitudes_count: 0,
  };
}

function tokenOf(req: Request, form: FormData | undefined): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith("OAuth2 ") === true) return header.slice("OAuth2 ".length).trim();
  const fromForm = form?.get("access_token");
  return typeof fromForm === "string" ? fromForm : queryString(req, "access_token");
}

export function weiboRouter(world: World): Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: "12mb" }));

  const call =
    (
      api: WeiboApi,
      handler: (
        account: WeiboAccountState,
        form: FormData | undefined,
        req: Request,
        request: string,
      ) => Promise<WeiboPost> | WeiboPost | WeiboPost[],
    ) =>
    async (req: Request, res: Response): Promise<void> => {
      const request = `/2/${api}.json`;
      const form = req.method === "POST" ? await formBody(req) : undefined;
      const token = tokenOf(req, form);
      const account = [...world.weibo.values()].find((a) => a.seed.accessToken === token);
      try {
        if (account === undefined) weiboRefuse("invalidAccessToken", request);
        if (account.tokenExpired) weiboRefuse("expiredToken", request);
        const fault = account.faults[api] ?? account.faults["*"];
        if (fault !== undefined && fault.remaining > 0) {
          fault.remaining -= 1;
          throw injected(fault.errcode, request, fault.errmsg);
        }
        const post = await handler(account, form, req, request);
        world.record("weibo", account.seed.uid, api, 0);
        if (Array.isArray(post)) {
          res.json({
            statuses: post.map((p) => statusView(account, p)),
            total_number: account.posts.filter((p) => !p.deleted).length,
          });
          return;
        }
        const owner = [...world.weibo.values()].find((a) => a.posts.includes(post)) ?? account;
        res.json(statusView(owner, post));
      } catch (e) {
        if (!(e instanceof WeiboRefusal)) throw e;
        if (account !== undefined) world.record("weibo", account.seed.uid, api, e.body.error_code);
        world.dirty = true;
        res.status(e.http).json(e.body);
      }
    };

  router.post(
    "/statuses/share.json",
    call("statuses/share", async (account, form, _req, request) => {
      const status = form?.get("status");
      if (typeof status !== "string") return weiboRefuse("missingParameter", request, "status");
      if (status.trim() === "") weiboRefuse("contentEmpty", request);
      if (weiboLength(status) > WEIBO_MAX_WEIGHT) weiboRefuse("textTooLong", request);
      if (!linksToSafeDomain(status, account.seed.safeDomains))
        weiboRefuse("domainNotBound", request);
      const now = world.now();
      const limit = account.seed.postsPerHour ?? WEIBO_DEFAULT_POSTS_PER_HOUR;
      // Deleted posts were still posted: they count toward the hourly limit.
      if (account.posts.filter((p) => p.createdAt > now - HOUR_MS).length >= limit)
        weiboRefuse("apiRateLimit", request, "update_status");
      if (
        account.posts.some(
          (p) => !p.deleted && p.text === status && p.createdAt > now - WEIBO_DUPLICATE_WINDOW_MS,
        )
      )
        weiboRefuse("repeatedContent", request);
      let pic: string | undefined;
      const picData = await fileField(form, "pic");
      if (picData !== undefined) {
        const kind = sniffImage(picData);
        if (kind !== "jpeg" && kind !== "gif" && kind !== "png")
          weiboRefuse("unsupportedImage", request);
        if (picData.length >= WEIBO_PIC_MAX_BYTES) weiboRefuse("imageTooLarge", request);
        const file = `${sha256Hex(picData).slice(0, 40)}.${IMAGE_EXTENSIONS[kind]}`;
        world.images.set(file, { contentType: `image/${kind}`, data: picData });
        pic = `${world.baseUrl}/mmbiz/${file}`;
      }
      const id = String(WEIBO_ID_BASE + world.nextSequence());
      const post: WeiboPost = {
        id,
        mid: id,
        text: status,
        createdAt: now,
        deleted: false,
        ...(pic === undefined ? {} : { pic }),
      };
      account.posts.push(post);
      return post;
    }),
  );

  const find = (account: WeiboAccountState, id: string | undefined, request: string): WeiboPost => {
    if (id === undefined || id === "") return weiboRefuse("missingParameter", request, "id");
    for (const other of world.weibo.values()) {
      const post = other.posts.find((p) => p.id === id && !p.deleted);
      if (post === undefined) continue;
      if (other !== account && request.includes("destroy")) weiboRefuse("notYourWeibo", request);
      return post;
    }
    return weiboRefuse("weiboNotExist", request);
  };

  router.get(
    "/statuses/show.json",
    call("statuses/show", (account, _form, req, request) =>
      find(account, queryString(req, "id"), request),
    ),
  );

  // The authorised user's own latest posts, newest first (count at most 100, default 20).
  router.get(
    "/statuses/user_timeline.json",
    call("statuses/user_timeline", (account, _form, req) => {
      const count = Math.min(Math.max(Number(queryString(req, "count") ?? 20) || 20, 1), 100);
      return account.posts
        .filter((p) => !p.deleted)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, count);
    }),
  );

  router.post(
    "/statuses/destroy/biz.json",
    call("statuses/destroy/biz", (account, form, _req, request) => {
      if (account.seed.commercial !== true) weiboRefuse("insufficientPermissions", request);
      const id = form?.get("id");
      const post = find(account, typeof id === "string" ? id : undefined, request);
      post.deleted = true;
      post.deletedAt = world.now();
      return post;
    }),
  );

  return router;
}
