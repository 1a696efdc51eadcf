import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { CommandError } from "../content/errors";
import { ensureLocalCredentials, readOperatorToken } from "../content/secrets";
import { contentSettings } from "../content/settings";
import { reconcilerTarget, unknownItemMessage } from "../reconciler/client";
import type { AccountList } from "../newmedia/client";
import type {
  AuditReportView,
  ChannelSummaryView,
  ItemStatusView,
  NotConsumingView,
  StatusSummary,
} from "../reconciler/views";
import { stackSettings } from "../stack/settings";
import type { Output } from "./output";
import { registerReconcilerCommands } from "./reconciler";

const TOKEN = "hrld_test-operator";

const summary: StatusSummary = {
  id: "news/1",
  version: 2,
  channels: { portal: { state: "delivered", version: 2 } },
};
const status: ItemStatusView = {
  itemId: "news/1",
  version: 2,
  title: "Open day",
  kind: "news",
  office: "office",
  status: "published",
  channels: [
    {
      channel: "portal",
      state: "delivered",
      expectedVersion: 2,
      heldVersion: 2,
      deliveryMs: 420,
    },
  ],
};
const report: AuditReportView = {
  runs: [{ channel: "portal", startedAt: "2026-05-04T09:30:00.000Z", durationMs: 12, holdings: 5 }],
  findings: [
    {
      itemId: "notice-9",
      channel: "portal",
      kind: "missing",
      reason: "not held 30 s after publication",
      firstSeenAt: "2026-05-04T09:29:00.000Z",
      expectedVersion: 1,
      repairAttempts: 1,
      repairable: true,
    },
  ],
};

const failing: NotConsumingView = {
  channel: "newmedia/wechat:gov",
  kind: "not_consuming",
  state: "failing",
  detail: "applies failing: database.unavailable: connection refused",
  code: "not_consuming.failing",
  message:
    "未正常消费（处理失败，已持续约 2 分钟）：applies failing: database.unavailable: connection refused；积压 3 条消息，20 秒无进展，待重试 1 条。[not_consuming.failing]",
  since: "2026-05-04T09:28:00.000Z",
};
/** What `GET /api/v1/channels` answers; a test may put a channel that is not consuming in it. */
let channels: ChannelSummaryView[] = [{ channel: "portal" }];

const accounts: AccountList = {
  accounts: [
    {
      outletId: "weibo:demo",
      platform: "weibo",
      account: "demo",
      displayName: "海关发布微博",
      ready: true,
      holdings: 1,
      lastPost: { at: "2026-05-04T09:00:00.000Z", ref: "http://127.0.0.1:4290/weibo/1/2" },
      daysSincePost: 0,
      freshness: { level: "ok", warningDays: 10, findingDays: 14, message: "" },
      quotas: [],
      openTasks: 1,
    },
  ],
};

/** A stand-in for the reconciler's (and the newmedia channel's) HTTP API: canned answers in its shapes, and what it was asked. */
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
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        send(401, {
          error: { code: "unauthenticated", message: "the bearer token is not recognised" },
        });
      } else if (req.url === "/api/v1/items/news%2F1/summary") send(200, summary);
      else if (req.url === "/api/v1/items/news%2F1/status") send(200, status);
      else if (req.method === "POST" && req.url === "/api/v1/audits") send(200, report);
      else if (req.url === "/api/v1/channels") send(200, channels);
      else if (req.url === "/newmedia/api/v1/accounts") send(200, accounts);
      else if (req.url?.startsWith("/api/v1/items/")) {
        send(404, { error: { code: "not_found", field: "id", message: `no item "x"` } });
      } else send(404, { error: { code: "not_found", message: `no API route ${req.url}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const saved = { ...process.env };
beforeEach(() => {
  requests = [];
  channels = [{ channel: "portal" }];
  process.env.HERALD_RECONCILER_URL = `${url}/`;
  process.env.HERALD_OPERATOR_TOKEN = TOKEN;
  process.env.HERALD_NEWMEDIA_URL = `${url}/newmedia`;
});
afterEach(() => {
  process.env = { ...saved };
});

/** Runs `herald <args>` through the real command definitions; returns what it printed. */
async function herald(...args: string[]): Promise<string> {
  let printed = "";
  const out: Output = {
    line: (text) => void (printed += `${text}\n`),
    json: (value) => void (printed += `${JSON.stringify(value, null, 2)}\n`),
  };
  const program = new Command().exitOverride();
  registerReconcilerCommands(program, out);
  await program.parseAsync(["node", "herald", ...args]);
  return printed;
}

describe("herald status", () => {
  it("--json prints exactly the reconciler's summary", async () => {
    const printed = await herald("status", "news/1", "--json");
    expect(JSON.parse(printed)).toEqual(summary);
    expect(requests).toEqual([
      {
        method: "GET",
        url: "/api/v1/items/news%2F1/summary",
        authorization: `Bearer ${TOKEN}`,
        body: "",
      },
    ]);
  });

  it("prints the table, with the delivery times from the full status, then the newmedia accounts", async () => {
    expect(await herald("status", "news/1")).toBe(
      [
        "news/1: version 2, published",
        "  Open day",
        "",
        "  channel  state      version  delivered in / finding",
        "  portal   delivered  v2       420 ms",
        "",
        "newmedia accounts (from the newmedia channel):",
        "  account     name          last post                     open tasks  freshness",
        "  weibo:demo  海关发布微博  2026-05-04T09:00:00Z (today)  1           ✓",
        "",
      ].join("\n"),
    );
    expect(requests.map((r) => r.url).sort()).toEqual([
      "/api/v1/channels",
      "/api/v1/items/news%2F1/status",
      "/api/v1/items/news%2F1/summary",
      "/newmedia/api/v1/accounts",
    ]);
    expect(requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it("lists the channels not consuming normally after the item's table", async () => {
    channels = [{ channel: "portal" }, { channel: "newmedia/wechat:gov", notConsuming: failing }];
    const printed = (await herald("status", "news/1")).split("\n");
    expect(printed.slice(5, 9)).toEqual([
      "",
      "channels not consuming normally (still serving; new versions may not arrive):",
      `✗ newmedia/wechat:gov: ${failing.message}`,
      "",
    ]);
  });

  it("says in one line that the newmedia accounts are not shown when the channel is not running", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env.HERALD_NEWMEDIA_URL = `http://127.0.0.1:${port}`;
    const printed = (await herald("status", "news/1")).split("\n");
    expect(printed.slice(-3)).toEqual([
      "",
      `newmedia accounts: not shown; the newmedia channel is not running at http://127.0.0.1:${port} (connection refused); start it with \`./herald up\``,
      "",
    ]);
  });

  it("names an unknown item, and fails", async () => {
    await expect(herald("status", "no-such-item")).rejects.toThrow(
      new CommandError(unknownItemMessage("no-such-item", url)),
    );
    expect(unknownItemMessage("no-such-item", url)).toBe(
      `no item "no-such-item" on the reconciler at ${url}: it was never published, or the reconciler has not read it yet (\`./herald item no-such-item\` asks the content service)`,
    );
  });

  it("reports a missing route as the reconciler's answer, not as an unknown item", async () => {
    process.env.HERALD_RECONCILER_URL = `${url}/older`;
    await expect(herald("status", "news/1")).rejects.toThrow(
      new CommandError(
        "the reconciler answered 404 not_found: no API route /older/api/v1/items/news%2F1/summary",
      ),
    );
  });

  it("says which token to check when the reconciler refuses it", async () => {
    process.env.HERALD_OPERATOR_TOKEN = "hrld_wrong";
    await expect(herald("status", "news/1", "--json")).rejects.toThrow(
      "the reconciler answered 401 unauthenticated: the bearer token is not recognised; check HERALD_OPERATOR_TOKEN, or the operatorToken that `herald up` wrote to .herald/secrets/tokens.json",
    );
  });

  it("tells the user to run herald up when the reconciler is not running", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env.HERALD_RECONCILER_URL = `http://127.0.0.1:${port}`;
    await expect(herald("status", "news/1")).rejects.toThrow(
      new CommandError(
        `the reconciler is not running at http://127.0.0.1:${port} (connection refused); start it with \`./herald up\``,
      ),
    );
  });
});

describe("herald reconcile", () => {
  it("asks for an audit of every channel and prints the report", async () => {
    const printed = await herald("reconcile");
    expect(printed).toBe(
      [
        "audited 1 channel:",
        "  portal  5 holdings read in 12 ms",
        "",
        "1 finding:",
        "  channel  item      kind     first seen            repairs  reason",
        "  portal   notice-9  missing  2026-05-04T09:29:00Z  1        not held 30 s after publication",
        "",
      ].join("\n"),
    );
    expect(requests).toEqual([
      { method: "POST", url: "/api/v1/audits", authorization: `Bearer ${TOKEN}`, body: "{}" },
    ]);
  });

  it("lists the channels not consuming normally before the findings", async () => {
    report.notConsuming = [failing];
    try {
      const printed = (await herald("reconcile")).split("\n");
      expect(printed.slice(2, 6)).toEqual([
        "",
        "channels not consuming normally (still serving; new versions may not arrive):",
        `✗ newmedia/wechat:gov: ${failing.message}`,
        "",
      ]);
    } finally {
      delete report.notConsuming;
    }
  });

  it("--json prints the report as the reconciler returns it", async () => {
    expect(JSON.parse(await herald("reconcile", "--json"))).toEqual(report);
  });
});

describe("where the reconciler commands go", () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "herald-reconciler-target-"));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("default to herald up's address and the local operator token", async () => {
    const settings = contentSettings(stackSettings({ HERALD_HOME: home }), {});
    await ensureLocalCredentials(settings);
    const operatorToken = readOperatorToken(settings.secrets.tokensFile);
    expect(reconcilerTarget({ HERALD_HOME: home })).toEqual({
      url: "http://127.0.0.1:4500",
      token: operatorToken,
    });
    expect(reconcilerTarget({ HERALD_HOME: home, HERALD_RECONCILER_PORT: "14500" })).toEqual({
      url: "http://127.0.0.1:14500",
      token: operatorToken,
    });
    expect(
      reconcilerTarget({ HERALD_HOME: home, HERALD_RECONCILER_URL: "https://rec.example/" }),
    ).toEqual({ url: "https://rec.example", token: operatorToken });
  });

  it("need no tokens file when HERALD_RECONCILER_URL and HERALD_OPERATOR_TOKEN are set", () => {
    const environment = {
      HERALD_HOME: home,
      HERALD_RECONCILER_URL: "https://rec.example",
      HERALD_OPERATOR_TOKEN: " t ",
    };
    expect(reconcilerTarget(environment)).toEqual({ url: "https://rec.example", token: "t" });
    expect(() => reconcilerTarget({ HERALD_HOME: home })).toThrow(
      `no local credentials: ${join(home, "secrets", "tokens.json")} does not exist; run \`./herald up\` first (or set HERALD_OPERATOR_TOKEN)`,
    );
  });
});
