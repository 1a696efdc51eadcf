import { type Router } from "express";
import { type World } from "../world";
import { jsonBody, str, type WechatCalls } from "./call";
import { refuse } from "./errors";
import { deleteArticle, findArticle, jobView, newsItems, submitDraft } from "./publish";

export function publishRoutes(router: Router, world: World, calls: WechatCalls): void {
  const { withToken } = calls;
  router.post(
    "/cgi-bin/freepublish/submit",
    withToken("freepublish/submit", (account, req) => {
      if (account.seed.verified === false)
        refuse("apiUnauthorized", "freepublish needs a verified account");
      const mediaId = str(jsonBody(req), "media_id");
      if (mediaId === undefined || mediaId === "") refuse("invalidMediaId", "media_id");
      const job = submitDraft(
        account,
        mediaId,
        world.now(),
        world.publishJobMs,
        world.nextSequence(),
      );
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
}
