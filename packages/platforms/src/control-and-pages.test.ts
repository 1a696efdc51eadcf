import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatforms, type Platforms, type StartPlatformsOptions } from "./index";

const APP = { appId: "wxview0000000001", secret: "view-secret", name: "海关<发布>" };
const WEIBO = {
  uid: "7000000042",
  accessToken: "2.00view",
  name: "海关发布微博",
  safeDomains: ["127.0.0.1"],
};
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 9)]);
type Json = Record<string, unknown>;

let at = Date.UTC(2026, 11, 5, 2, 0, 0);
const opened: Platforms[] = [];

async function start(options: StartPlatformsOptions = {}): Promise<Platforms> {
  const p = await startPlatforms({ now: () => at, wechat: [APP], weibo: [WEIBO], ...options });
  opened.push(p);
  return p;
}

/** Publishes one article through the API and lets its job finish. */
async function publish(p: Platforms, title: string): Promise<{ articleId: string; url: string }> {
  const tok = (await (
    await fetch(
      `${p.url}/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=${APP.secret}`,
    )
  ).json()) as Json;
  const token = String(tok.access_token);
  const form = new FormData();
  form.append("media", new Blob([jpeg]), "c.jpg");
  const material = (await (
    await fetch(`${p.url}/cgi-bin/material/add_material?type=thumb&access_token=${token}`, {
      method: "POST",
      body: form,
    })
  ).json()) as Json;
  const post = async (path: string, body: Json): Promise<Json> =>
    (await (
      await fetch(`${p.url}/cgi-bin/${path}?access_token=${token}`, {
        method: "POST",
        body: JSON.stringify(body),
      })
    ).json()) as Json;
  const draft = await post("draft/add", {
    articles: [{ title, content: "<p>正文</p>", thumb_media_id: material.media_id }],
  });
  const submit = await post("freepublish/submit", { media_id: draft.media_id });
  at += 2000;
  const job = await post("freepublish/get", { publish_id: submit.publish_id });
  const item = ((job.article_detail as Json).item as Json[])[0] as Json;
  return { articleId: String(job.article_id), url: String(item.article_url) };
}

beforeEach(() => {
  at = Date.UTC(2026, 11, 5, 2, 0, 0);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

describe("control API over HTTP", () => {
  it("requires the bearer token when one is set", async () => {
    const p = await start({ controlToken: "ctl-token" });
    expect((await fetch(`${p.url}/_control/accounts`)).status).toBe(401);
    const ok = await fetch(`${p.url}/_control/accounts`, {
      headers: { authorization: "Bearer ctl-token" },
    });
    expect(await ok.json()).toEqual({
      wechat: [{ appId: APP.appId, name: APP.name }],
      weibo: [{ uid: WEIBO.uid, name: WEIBO.name }],
    });
  });

  it("injects faults, sets the next publish outcome, lists articles, calls and quotas", async () => {
    const p = await start();
    const control = (method: string, path: string, body?: Json): Promise<Response> =>
      fetch(`${p.url}/_control${path}`, {
        method,
        headers: { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect(
      (
        await control("POST", "/faults", {
          platform: "wechat",
          account: APP.appId,
          api: "token",
          errcode: -1,
        })
      ).status,
    ).toBe(200);
    const busy = (await (
      await fetch(
        `${p.url}/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=${APP.secret}`,
      )
    ).json()) as Json;
    expect(busy.errcode).toBe(-1);
    const { articleId } = await publish(p, "第一篇");
    const view = (await (await control("GET", `/wechat/${APP.appId}`)).json()) as Json;
    expect(view.articles).toEqual([
      expect.objectContaining({ article_id: articleId, title: "第一篇", deleted: false }),
    ]);
    expect((view.quotas as Json)["draft/add"]).toEqual({ used: 1, limit: 1000 });
    const counts = (await (
      await control("GET", `/calls/wechat/${APP.appId}/counts`)
    ).json()) as Json;
    expect(counts.token).toEqual({ "2026-12-05": 2 });
    const calls = (await (
      await control("GET", `/calls?platform=wechat&api=token`)
    ).json()) as Json[];
    expect(calls.map((c) => c.errcode)).toEqual([-1, 0]);

    expect((await control("POST", `/wechat/${APP.appId}/next-publish`, { status: 7 })).status).toBe(
      400,
    );
    expect((await control("POST", `/wechat/nobody/next-publish`, { status: 4 })).status).toBe(400);
    expect(
      (await control("POST", `/wechat/${APP.appId}/quota/use-up`, { api: "draft/add" })).status,
    ).toBe(200);
    expect(
      (((await (await control("GET", `/wechat/${APP.appId}`)).json()) as Json).quotas as Json)[
        "draft/add"
      ],
    ).toEqual({ used: 1000, limit: 1000 });
    expect((await control("DELETE", "/faults")).status).toBe(200);
  });
});

describe("public view", () => {
  it("lists accounts and what each shows, in escaped Chinese HTML", async () => {
    const p = await start();
    const { url } = await publish(p, "关于<调整>进口申报的公告");
    await fetch(`${p.url}/2/statuses/share.json`, {
      method: "POST",
      body: new URLSearchParams({
        access_token: WEIBO.accessToken,
        status: "微博 <b>公告</b> http://127.0.0.1/x",
      }),
    });
    const home = await (await fetch(`${p.url}/`)).text();
    expect(home).toContain('<html lang="zh-CN">');
    expect(home).toContain("海关&lt;发布&gt;");
    const wechat = await (await fetch(`${p.url}/wechat/${APP.appId}`)).text();
    expect(wechat).toContain("关于&lt;调整&gt;进口申报的公告");
    expect(wechat).toContain(url);
    const weibo = await (await fetch(`${p.url}/weibo/${WEIBO.uid}`)).text();
    expect(weibo).toContain("微博 &lt;b&gt;公告&lt;/b&gt;");
    expect(home + wechat + weibo).not.toMatch(/(src|href)="https?:\/\/(?!127\.0\.0\.1)/);
  });
});

describe("state file", () => {
  it("keeps articles, posts and the call log across a restart of the emulator", async () => {
    const dir = mkdtempSync(join(tmpdir(), "platforms-state-"));
    try {
      const stateFile = join(dir, "state.json");
      const first = await start({ stateFile, port: 0 });
      const { articleId } = await publish(first, "重启前");
      await fetch(`${first.url}/2/statuses/share.json`, {
        method: "POST",
        body: new URLSearchParams({
          access_token: WEIBO.accessToken,
          status: "重启前 http://127.0.0.1/x",
        }),
      });
      await first.close();
      opened.splice(opened.indexOf(first), 1);
      const second = await start({ stateFile });
      expect(second.control.wechat(APP.appId).articles.map((a) => a.article_id)).toEqual([
        articleId,
      ]);
      expect(second.control.weibo(WEIBO.uid).posts.map((x) => x.text)).toEqual([
        "重启前 http://127.0.0.1/x",
      ]);
      expect(second.control.calls({ platform: "wechat", api: "freepublish/submit" })).toHaveLength(
        1,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
