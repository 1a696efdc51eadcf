import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { ensureLocalCredentials, readOperatorToken } from "../content/secrets";
import { contentSettings } from "../content/settings";
import { type AccountList, type TaskView, newmediaTarget } from "../newmedia/client";
import { stackSettings } from "../stack/settings";
import { registerNewmediaCommands } from "./newmedia";
import type { Output } from "./output";

const TOKEN = "hrld_test-operator";

const accounts: AccountList = {
  accounts: [
    {
      outletId: "wechat:demo",
      platform: "wechat",
      account: "demo",
      displayName: "海关发布",
      ready: true,
      holdings: 2,
      lastPost: null,
      daysSincePost: null,
      freshness: { level: "finding", warningDays: 10, findingDays: 14, message: "从未发布" },
      quotas: [{ api: "freepublish/submit", used: 96, limit: 100, warning: true }],
      openTasks: 0,
    },
  ],
};

const open: TaskView = {
  id: "t1",
  outletId: "weibo:demo",
  itemId: "news-1",
  postId: "p1",
  postUrl: "http://127.0.0.1:4290/weibo/7000000001/p1",
  action: "delete_post",
  reason: "请在微博上手动删除这条微博",
  openedAt: "2026-12-05T09:00:00.000Z",
};

interface Request {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}
let server: Server;
let url: string;
let requests: Request[];

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => resolve(body));
  });
}

/** A stand-in for the channel's operators' API: canned answers in its shapes, and what it was asked. */
beforeAll(async () => {
  server = createServer((req, res) => {
    void read(req).then((body) => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        body,
      });
      const send = (code: number, value: unknown) =>
        res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(value));
      const done = (JSON.parse(body || "{}") as { itemId?: string }).itemId;
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        send(401, { error: { code: "unauthenticated", message: "unknown token" } });
      } else if (req.url === "/api/v1/accounts") send(200, accounts);
      else if (req.url === "/api/v1/tasks?state=open") send(200, { tasks: [open] });
      else if (req.url === "/api/v1/tasks?state=all") send(200, { tasks: [] });
      else if (req.method === "POST" && req.url === "/api/v1/tasks/done") {
        if (done === "news-1") {
          send(200, { task: { ...open, doneAt: "2026-12-05T10:00:00.000Z", doneBy: "operator" } });
        } else if (done === "visible") {
          send(409, { error: { code: "task.post_still_visible", message: "微博仍可见" } });
        } else send(404, { error: { code: "task.not_found", message: "no such task" } });
      } else send(404, { error: { code: "not_found", message: `no route ${req.url}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const saved = { ...process.env };
beforeEach(() => {
  requests = [];
  process.env.HERALD_NEWMEDIA_URL = `${url}/`;
  process.env.HERALD_OPERATOR_TOKEN = TOKEN;
});
afterEach(() => {
  process.env = { ...saved };
});

async function herald(...args: string[]): Promise<string> {
  let printed = "";
  const out: Output = {
    line: (text) => void (printed += `${text}\n`),
    json: (value) => void (printed += `${JSON.stringify(value, null, 2)}\n`),
  };
  const program = new Command().exitOverride();
  registerNewmediaCommands(program, out);
  await program.parseAsync(["node", "herald", ...args]);
  return printed;
}

describe("herald newmedia", () => {
  it("accounts lists each account with its flagged quota and its freshness", async () => {
    const printed = await herald("newmedia", "accounts");
    expect(printed).toContain(
      "  wechat:demo  海关发布  yes    2         never      0      ! freepublish/submit 96/100  ✗ 从未发布",
    );
    expect(JSON.parse(await herald("newmedia", "accounts", "--json"))).toEqual(accounts);
    expect(requests[0]).toEqual({
      method: "GET",
      url: "/api/v1/accounts",
      authorization: `Bearer ${TOKEN}`,
      body: "",
    });
  });

  it("tasks lists the open ones, --all every one", async () => {
    expect(await herald("newmedia", "tasks")).toContain(`    ${open.postUrl}\n`);
    expect(await herald("newmedia", "tasks", "--all")).toBe("no operator tasks yet\n");
    expect(requests.map((r) => r.url)).toEqual([
      "/api/v1/tasks?state=open",
      "/api/v1/tasks?state=all",
    ]);
  });

  it("done marks a task done, and names the task or the visible post when refused", async () => {
    expect(await herald("newmedia", "done", "weibo:demo", "news-1")).toContain("任务已完成");
    expect(requests[0]).toMatchObject({
      method: "POST",
      url: "/api/v1/tasks/done",
      body: JSON.stringify({ outletId: "weibo:demo", itemId: "news-1" }),
    });
    await expect(herald("newmedia", "done", "weibo:demo", "other")).rejects.toThrow(
      "没有这项待办任务：weibo:demo 上的条目 other 没有未完成的人工任务 (task.not_found). No open task for item other on weibo:demo; `./herald newmedia tasks` lists the open ones",
    );
    await expect(herald("newmedia", "done", "weibo:demo", "visible")).rejects.toThrow(
      /^该微博仍然公开可见：请先在微博上手动删除这条微博，再标记完成 \(task\.post_still_visible\)\. The post of visible is still visible on weibo:demo: delete it on Weibo first/,
    );
  });

  it("done refuses an outlet id that names no account, before any request", async () => {
    await expect(herald("newmedia", "done", "Weibo-demo", "news-1")).rejects.toThrow(
      'outletId: "Weibo-demo" breaks the rule newmedia-outlet-id (^(wechat|weibo):[a-z0-9][a-z0-9-]{0,39}$): wechat:<account> or weibo:<account>, as `./herald newmedia accounts` lists them',
    );
    expect(requests).toEqual([]);
  });

  it("says which token to check when the channel refuses it", async () => {
    process.env.HERALD_OPERATOR_TOKEN = "hrld_wrong";
    await expect(herald("newmedia", "accounts")).rejects.toThrow(
      "the newmedia channel answered 401 unauthenticated: unknown token; check HERALD_OPERATOR_TOKEN, or the operatorToken that `herald up` wrote to .herald/secrets/tokens.json",
    );
  });
});

describe("where the newmedia commands go", () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "herald-newmedia-target-"));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("default to herald up's address and the local operator token, the reconciler's", async () => {
    const settings = contentSettings(stackSettings({ HERALD_HOME: home }), {});
    await ensureLocalCredentials(settings);
    const operatorToken = readOperatorToken(settings.secrets.tokensFile);
    expect(newmediaTarget({ HERALD_HOME: home })).toEqual({
      url: "http://127.0.0.1:4200",
      token: operatorToken,
    });
    expect(newmediaTarget({ HERALD_HOME: home, HERALD_NEWMEDIA_PORT: "14200" })).toEqual({
      url: "http://127.0.0.1:14200",
      token: operatorToken,
    });
    expect(
      newmediaTarget({
        HERALD_HOME: home,
        HERALD_NEWMEDIA_URL: "https://nm.example/",
        HERALD_OPERATOR_TOKEN: " t ",
      }),
    ).toEqual({ url: "https://nm.example", token: "t" });
  });

  it("say to run herald up when there are no local credentials", () => {
    expect(() => newmediaTarget({ HERALD_HOME: home })).toThrow(
      `no local credentials: ${join(home, "secrets", "tokens.json")} does not exist; run \`./herald up\` first (or set HERALD_OPERATOR_TOKEN)`,
    );
  });
});
