import type { ItemStatus } from "../model";
import { bearer, form, login, OPERATOR, type RunningApp, startApp } from "./test-support";

let app: RunningApp;

beforeEach(async () => {
  app = await startApp({ refreshSeconds: 20 });
});

afterEach(async () => {
  await app.close();
});

const page = async (path: string) => {
  const res = await app.request(path, { headers: bearer() });
  return { status: res.status, html: (await res.text()).replaceAll("&#x3D;", "="), res };
};

/** Posts a dashboard form as a signed-in browser would, with the page's CSRF token. */
const submit = async (path: string, fields: Record<string, string>) => {
  const { cookie, csrf } = await login(app);
  const body = form({ _csrf: csrf, ...fields });
  return app.request(path, { ...body, headers: { ...body.headers, cookie } });
};

const PROBLEM = "/problems/newmedia/kb-notice-2016-41";

describe("problem forms", () => {
  it.each([
    [
      "acknowledge",
      "acknowledged",
      { note: "正在联系微信平台" },
      "acknowledge",
      "正在联系微信平台",
    ],
    ["resolve", "resolved", { note: "已缩短正文后重新发布" }, "resolve", "已缩短正文后重新发布"],
    ["redeliver", "redelivered", { note: "" }, "forceRedelivery", undefined],
  ] as const)(
    "%s reaches the action as the signed-in operator and returns with ?done=%s",
    async (path, done, fields, action, note) => {
      const res = await submit(`${PROBLEM}/${path}`, {
        ...fields,
        back: "/problems?state=open,acknowledged&channel=newmedia",
      });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(
        `/problems?state=open%2Cacknowledged&channel=newmedia&done=${done}&problem=newmedia%2Fkb-notice-2016-41`,
      );
      expect(app.fake.calls).toEqual([
        { action, id: "newmedia/kb-notice-2016-41", by: OPERATOR.name, note },
      ]);
    },
  );

  it("resolve without a note → 400 naming note, and nothing is done", async () => {
    const res = await submit(`${PROBLEM}/resolve`, { note: "  " });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("<code>note</code>");
    expect(html).toContain("note is required");
    expect(app.fake.calls).toEqual([]);
  });

  it("an unknown field, an unknown problem and a forbidden action get their statuses", async () => {
    expect((await submit(`${PROBLEM}/acknowledge`, { by: "李华" })).status).toBe(400);
    expect((await submit("/problems/newmedia/nope/acknowledge", {})).status).toBe(404);
    await submit(`${PROBLEM}/resolve`, { note: "done" });
    const res = await submit(`${PROBLEM}/acknowledge`, {});
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("<code>state</code>");
  });

  it("never sends the operator off-site after acting", async () => {
    const res = await submit(`${PROBLEM}/acknowledge`, { back: "//evil.example/" });
    expect(res.headers.get("location")).toBe(
      "/?done=acknowledged&problem=newmedia%2Fkb-notice-2016-41",
    );
  });
});

describe("problems page", () => {
  it("lists open problems with finding, history and the three forms, and offers to refresh itself", async () => {
    const { html } = await page("/problems?done=acknowledged&problem=newmedia%2Fkb-notice-2016-41");
    // Reloading only when asked: a reload moves a screen reader back to the top (WCAG 2.2.1).
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain(
      '<a href="/problems?state=open%2Cacknowledged&amp;refresh=on">每 20 秒自动刷新本页</a>',
    );
    expect(html).toContain("已确认问题：newmedia/kb-notice-2016-41");
    expect(html).toContain("WeChat refused the article: content too long");
    expect(html).toContain("<code>45002</code>");
    expect(html).toContain("李华：确认——显示屏离线，已联系大厅");
    expect(html).toContain('action="/problems/newmedia/kb-notice-2016-41/acknowledge"');
    expect(html).toContain('action="/problems/newmedia/kb-notice-2016-41/resolve"');
    expect(html).toContain('action="/problems/newmedia/kb-notice-2016-41/redeliver"');
    // The acknowledged one cannot be acknowledged again.
    expect(html).not.toContain('action="/problems/noticeboard/penalty-2016-0186/acknowledge"');
    expect(html).toMatch(
      /<textarea id="resolve-0" name="note" maxlength="2000" rows="2" required>/,
    );
  });

  it("refreshes itself when asked, without the one-off notice, and offers to stop", async () => {
    const { html } = await page(
      "/problems?done=acknowledged&problem=newmedia%2Fkb-notice-2016-41&refresh=on",
    );
    expect(html).toContain(
      '<meta http-equiv="refresh" content="20; url=/problems?state=open%2Cacknowledged&amp;refresh=on">',
    );
    expect(html).toContain(
      '本页每 20 秒自动刷新。<a href="/problems?state=open%2Cacknowledged">停止自动刷新</a>',
    );
    const bad = await page("/problems?refresh=yes");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("<code>refresh</code>");
  });

  it("filters by state and names a bad one", async () => {
    const { html } = await page("/problems?state=resolved");
    expect(html).toContain("没有符合条件的问题");
    const bad = await page("/problems?state=closed");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("<code>state</code>");
  });
});

describe("matrix page", () => {
  it("shows badges, delivery times and finding reasons, and refreshes itself when asked", async () => {
    const { html } = await page("/matrix");
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain('<a href="/matrix?refresh=on">每 20 秒自动刷新本页</a>');
    const refreshing = await page("/matrix?state=missing&refresh=on");
    expect(refreshing.html).toContain(
      '<meta http-equiv="refresh" content="20; url=/matrix?state=missing&amp;refresh=on">',
    );
    expect(refreshing.html).toContain('<a href="/matrix?state=missing">停止自动刷新</a>');
    expect(html).toContain(
      '<span class="badge state-delivered">已送达</span> <span class="version">v2</span><br><span class="delivery">1.2 s</span>',
    );
    expect(html).toContain('<span class="delivery late">3 min（超期）</span>');
    expect(html).toContain('title="投递失败：WeChat refused the article: content too long"');
  });

  it("takes an empty filter form as no filter and names a bad value", async () => {
    expect((await page("/matrix?state=&channel=&search=")).status).toBe(200);
    const bad = await page("/matrix?state=lost");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("state must be one of delivered");
    expect((await page("/matrix?pageSize=0")).html).toContain("<code>pageSize</code>");
  });

  it("escapes an item title containing a script", async () => {
    const evil: ItemStatus = {
      ...app.fake.data.items[0]!,
      itemId: 'evil"><img src=x>',
      title: '<script>alert("x")</script>',
    };
    app.fake.data.items.push(evil);
    const matrix = await app.request("/matrix", { headers: bearer() });
    const html = await matrix.text();
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain('href="/items/evil%22%3E%3Cimg%20src%3Dx%3E"');
    const item = await app.request(`/items/${encodeURIComponent(evil.itemId)}`, {
      headers: bearer(),
    });
    expect(item.status).toBe(200);
    const itemHtml = await item.text();
    expect(itemHtml).not.toMatch(/<script|<img/);
    expect(itemHtml).toContain("<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>");
  });
});

describe("item page", () => {
  it("shows every channel and the timeline oldest first, without refreshing", async () => {
    const { status, html } = await page("/items/kb-notice-2016-41");
    expect(status).toBe(200);
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain(
      '<a href="https://www.example.gov.cn/items/kb-notice-2016-41" rel="noopener noreferrer">',
    );
    const order = ["published v2", "DELIVERED v2 at", "opened: failed"].map((t) => html.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // 10:00 in Beijing is 02:00 UTC.
    expect(html).toContain('<time datetime="2016-08-16T02:00:00.000Z">2016-08-16 10:00:00</time>');
  });

  it("404 for an unknown item", async () => {
    expect((await page("/items/nope")).status).toBe(404);
  });
});

describe("audit", () => {
  it("offers a form with the channels, and runs the audit on POST", async () => {
    const { html } = await page("/audit");
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain(
      '<input type="checkbox" id="audit-channel-2" name="channels" value="noticeboard">',
    );
    const res = await submit("/audit", { channels: "portal" });
    expect(res.status).toBe(200);
    const report = await res.text();
    expect(report).toContain("核查结果");
    expect(report).toContain("UNAVAILABLE: connection refused");
    // A channel up for traffic but not consuming is a finding of its own, with its detail.
    expect(report).toContain("未正常消费的渠道（1）");
    expect(report).toContain("no progress for 120 s with 4 messages behind");
    expect(report).toContain("<code>not_consuming.stalled</code>");
    expect(app.fake.calls).toEqual([{ action: "runAudit", channels: ["portal"] }]);
  });

  it("audits every channel when none is ticked", async () => {
    expect((await submit("/audit", {})).status).toBe(200);
    expect(app.fake.calls).toEqual([{ action: "runAudit", channels: undefined }]);
  });
});

describe("overview", () => {
  it("shows a channel that does not consume normally with its detail", async () => {
    const { html } = await page("/");
    expect(html).toContain("未正常消费（停滞）");
    expect(html).toContain("no progress for 120 s with 4 messages behind");
  });

  it("warns while the reconciler is still catching up", async () => {
    app.fake.readyState = { ok: false, detail: "herald.receipts.v1 at 40%" };
    const { html } = await page("/?refresh=on");
    expect(html).toContain("herald.receipts.v1 at 40%");
    expect(html).toContain('<meta http-equiv="refresh" content="20; url=/?refresh=on">');
  });

  it("labels an unreachable outlet and a retired one on their channel lines", async () => {
    const [first, second] = app.fake.data.channels;
    app.fake.data.channels.splice(
      0,
      2,
      {
        ...first!,
        outletId: "registry",
        unreachable: {
          since: new Date("2026-11-02T01:00:00Z"),
          error: "UNAVAILABLE: outlet unreachable",
        },
      },
      { ...second!, retiredAt: new Date("2026-11-02T02:00:00Z") },
    );
    const { html } = await page("/");
    expect(html).toMatch(
      /<span class="badge state-late" title="[^"]*UNAVAILABLE: outlet unreachable">不可达<\/span>/,
    );
    expect(html).toMatch(/<span class="badge state-declined" title="撤销于 [^"]+">已撤销<\/span>/);
    expect(html.match(/不可达/g)).toHaveLength(1);
  });

  it("shows how many items a channel had not read from the stream at its last audit", async () => {
    const [first] = app.fake.data.channels;
    app.fake.data.channels.splice(0, 1, {
      ...first!,
      lastAudit: { ...first!.lastAudit!, lag: 7 },
    });
    const { html } = await page("/");
    expect(html).toContain("未读 7 条");
    expect(html.match(/未读 \d+ 条/g)).toHaveLength(1);
  });

  it("answers an unknown page with 404", async () => {
    expect((await page("/nope")).status).toBe(404);
  });
});
