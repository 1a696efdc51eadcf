import express, { type Router } from "express";
import { escapeHtml } from "./http";
import { findArticle } from "./wechat/publish";
import { type World } from "./world";

/** A small valid page in Chinese, with no external resources. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:1.5rem auto;padding:0 1rem;line-height:1.6}li{margin:.6rem 0}.meta{color:#666;font-size:.9em}.deleted{color:#999;text-decoration:line-through}img{max-width:100%}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function time(at: number): string {
  return new Date(at).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

/** The public side: hosted images, article pages, and a view of what each account shows. */
export function pagesRouter(world: World, settle: () => void): Router {
  const router = express.Router();

  router.get("/mmbiz/:file", (req, res) => {
    const image = world.images.get(req.params.file);
    if (image === undefined) return void res.status(404).type("text/plain").send("not found");
    res.type(image.contentType).send(image.data);
  });

  router.get("/s/:articleId", (req, res) => {
    settle();
    const idx = typeof req.query.idx === "string" ? Number(req.query.idx) : 1;
    for (const account of world.wechat.values()) {
      const published = findArticle(account, req.params.articleId);
      const article = published?.articles[idx - 1];
      if (published === undefined || article === undefined) continue;
      if (published.deleted[idx - 1] === true) {
        return void res
          .status(404)
          .type("html")
          .send(page("已删除", "<p>该内容已被发布者删除</p>"));
      }
      return void res.type("html").send(
        page(
          article.title,
          `<h1>${escapeHtml(article.title)}</h1>
<p class="meta">${escapeHtml(article.author)} · ${escapeHtml(account.seed.name)} · ${time(published.publishedAt)}</p>
<article>${article.content}</article>
${article.content_source_url === "" ? "" : `<p><a href="${escapeHtml(article.content_source_url)}">阅读原文</a></p>`}`,
        ),
      );
    }
    res.status(404).type("html").send(page("内容不存在", "<p>该内容不存在</p>"));
  });

  router.get("/", (_req, res) => {
    const wechat = [...world.wechat.values()]
      .map(
        (a) =>
          `<li><a href="/wechat/${encodeURIComponent(a.seed.appId)}">${escapeHtml(a.seed.name)}</a> <span class="meta">微信公众号 ${escapeHtml(a.seed.appId)}</span></li>`,
      )
      .join("\n");
    const weibo = [...world.weibo.values()]
      .map(
        (a) =>
          `<li><a href="/weibo/${encodeURIComponent(a.seed.uid)}">${escapeHtml(a.seed.name)}</a> <span class="meta">微博 ${escapeHtml(a.seed.uid)}</span></li>`,
      )
      .join("\n");
    res.type("html").send(
      page(
        "平台模拟器",
        `<h1>平台模拟器（微信公众号、微博）</h1>
<p class="meta">本地模拟的平台：这里显示的内容只存在于本机。</p>
<h2>微信公众号</h2><ul>${wechat || "<li>无</li>"}</ul>
<h2>微博</h2><ul>${weibo || "<li>无</li>"}</ul>`,
      ),
    );
  });

  router.get("/wechat/:appId", (req, res) => {
    settle();
    const account = world.wechat.get(req.params.appId);
    if (account === undefined)
      return void res.status(404).type("html").send(page("账号不存在", "<p>没有这个公众号</p>"));
    const items = account.articles
      .flatMap((p) => p.articles.map((a, i) => ({ p, a, i })))
      .sort((x, y) => y.p.publishedAt - x.p.publishedAt)
      .map(({ p, a, i }) => {
        const deleted = p.deleted[i] === true;
        const title = deleted
          ? `<span class="deleted">${escapeHtml(a.title)}</span>（已删除）`
          : `<a href="${escapeHtml(p.urls[i] ?? "")}">${escapeHtml(a.title)}</a>`;
        return `<li>${title}<br><span class="meta">${time(p.publishedAt)} · ${escapeHtml(a.digest)}</span></li>`;
      })
      .join("\n");
    const publishing = account.jobs.filter((j) => j.status === 1).length;
    res.type("html").send(
      page(
        account.seed.name,
        `<p><a href="/">全部账号</a></p><h1>${escapeHtml(account.seed.name)}</h1>
<p class="meta">微信公众号 · 已发表 ${account.articles.length} 次 · 发布中 ${publishing} 个 · 草稿 ${account.drafts.length} 篇</p>
<ul>${items || "<li>尚未发表文章</li>"}</ul>`,
      ),
    );
  });

  router.get("/weibo/:uid", (req, res) => {
    const account = world.weibo.get(req.params.uid);
    if (account === undefined)
      return void res.status(404).type("html").send(page("账号不存在", "<p>没有这个微博账号</p>"));
    const items = [...account.posts]
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((p) => {
        const text = p.deleted
          ? `<span class="deleted">${escapeHtml(p.text)}</span>（已删除）`
          : escapeHtml(p.text);
        const pic =
          p.pic === undefined || p.deleted ? "" : `<br><img src="${escapeHtml(p.pic)}" alt="配图">`;
        return `<li>${text}${pic}<br><span class="meta">${time(p.createdAt)} · ${escapeHtml(p.id)}</span></li>`;
      })
      .join("\n");
    res.type("html").send(
      page(
        account.seed.name,
        `<p><a href="/">全部账号</a></p><h1>${escapeHtml(account.seed.name)}</h1>
<p class="meta">微博 · ${account.posts.filter((p) => !p.deleted).length} 条</p>
<ul>${items || "<li>尚未发布微博</li>"}</ul>`,
      ),
    );
  });

  return router;
}
