import { type Router } from "express";
import { opaqueId, sniffImage } from "../ids";
import { fileField, formBody, queryString } from "../http";
import { type World } from "../world";
import { jsonBody, str, type WechatCalls } from "./call";
import { checkArticle } from "./content";
import { refuse } from "./errors";
import { hostImage, isHostedImage } from "./images";

/** Material and image limits of the platform's upload APIs. */
export const MEDIA_LIMITS = {
  thumbBytes: 64 * 1024,
  imageMaterialBytes: 10 * 1024 * 1024,
  uploadImgBytes: 1024 * 1024,
} as const;

export function mediaAndDraftRoutes(router: Router, world: World, calls: WechatCalls): void {
  const { withToken } = calls;
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
    "/cgi-bin/draft/count",
    withToken("draft/count", (account) => ({ total_count: account.drafts.length })),
  );

  router.post(
    "/cgi-bin/draft/batchget",
    withToken("draft/batchget", (account, req) => {
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
      const newestFirst = [...account.drafts].sort((a, b) => b.updatedAt - a.updatedAt);
      return {
        total_count: newestFirst.length,
        item_count: Math.max(0, Math.min(count, newestFirst.length - offset)),
        item: newestFirst.slice(offset, offset + count).map((d) => ({
          media_id: d.mediaId,
          content: {
            news_item: d.articles.map((a) => ({ ...a, content: noContent ? "" : a.content })),
            create_time: Math.floor(d.createdAt / 1000),
            update_time: Math.floor(d.updatedAt / 1000),
          },
          update_time: Math.floor(d.updatedAt / 1000),
        })),
      };
    }),
  );
}
