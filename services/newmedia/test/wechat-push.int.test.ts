import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContentClient } from "@herald/channel-kit";
import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import { type Platforms, startPlatforms } from "@herald/platforms";
import { createLogger, tokenFileOf, writeTokenFile } from "@herald/runtime";
import { testStack, useTestNamespace } from "@herald/test-harness";
import { type HeraldServices, startHeraldServices } from "@herald/test-harness/services";
import { TopicCollector } from "@herald/test-harness/topics";
import { operatorHandler } from "../src/operator-http";
import { startTestNewmedia, writeTestSecret } from "../src/testing";

// WeChat's PUBLISHJOBFINISH push, signed with the account's server token, ends the
// wait for a publish job: no freepublish/get is spent. A push that is not signed
// with the token is refused.
const ns = useTestNamespace("wechat-push");
const logger = createLogger({ service: "test", level: "silent" });
const EVENT_TOKEN = "push-token-0123456789";
let platforms: Platforms;
let services: HeraldServices;
let server: Server;
let base: string;
let receipts: TopicCollector<DeliveryReceipt>;

beforeAll(async () => {
  // The channel's HTTP port first: the emulator is told where to push.
  const operators = join(mkdtempSync(join(tmpdir(), "newmedia-operators-")), "tokens.json");
  writeTokenFile(operators, tokenFileOf({ op: { token: "op-token", roles: ["operator"] } }));
  const late: { handler?: ReturnType<typeof operatorHandler> } = {};
  server = createServer((req, res) => {
    if (late.handler) late.handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  ns.beforeCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  platforms = await startPlatforms({
    port: 0,
    publishJobMs: 300,
    wechat: [
      {
        appId: "wxpush",
        secret: "push-secret",
        name: "海关发布",
        eventUrl: `${base}/wechat/events/push`,
        eventToken: EVENT_TOKEN,
      },
    ],
  });
  ns.beforeCleanup(() => platforms.close());
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  services = await startHeraldServices(ns, { logger });
  const service = await startTestNewmedia({
    brokers: testStack().brokers,
    mongoUrl: testStack().mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("newmedia"),
    groupId: ns.groupId("newmedia"),
    logger,
    content: createContentClient({
      address: `127.0.0.1:${services.content.grpcPort}`,
      token: services.tokens.channel,
    }),
    // A first poll a minute after the submit: only the push can end the wait in time.
    env: { NEWMEDIA_WECHAT_POLL_MS: "60000" },
    accounts: {
      portalBaseUrl: "http://127.0.0.1:4100",
      wechat: [
        {
          account: "push",
          displayName: "海关发布",
          appId: "wxpush",
          secretFile: writeTestSecret("push-secret"),
          eventTokenFile: writeTestSecret(EVENT_TOKEN),
          baseUrl: platforms.url,
        },
      ],
    },
  });
  ns.beforeCleanup(() => service.stop());
  late.handler = operatorHandler({ service, tokensFile: operators, logger });
});

describe("WeChat's publish-finished push", () => {
  it("ends the wait for the publish job with no freepublish/get", async () => {
    const response = await fetch(`${services.contentUrl}/api/publish`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${services.tokens.admin}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        id: "push-1",
        kind: "news",
        title: "海关总署发布数据",
        summary: "数据发布。",
        body: "<p>数据发布。</p>",
        category: "海关动态",
        issuingOffice: "海关总署办公厅",
      }),
    });
    expect(response.status).toBe(201);
    const delivered = await receipts.waitFor(
      (r) =>
        r.outletId === "wechat:push" &&
        r.itemId === "push-1" &&
        r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
      "the WeChat receipt, well before the first poll",
      15_000,
    );
    const article = platforms.control.wechat("wxpush").articles[0];
    expect(delivered.externalRef).toBe(article?.url);
    expect(platforms.control.calls({ platform: "wechat", api: "freepublish/get" })).toEqual([]);
  });

  it("refuses a push without the account's signature, and answers the server check", async () => {
    const forged = await fetch(
      `${base}/wechat/events/push?signature=${"0".repeat(40)}&timestamp=1&nonce=2`,
      { method: "POST", body: "<xml></xml>" },
    );
    expect(forged.status).toBe(403);
    const unknown = await fetch(`${base}/wechat/events/nobody`, { method: "POST", body: "" });
    expect(unknown.status).toBe(404);
    // When an operator saves the server URL, the platform checks it with a signed echostr.
    const [timestamp, nonce] = ["1765000000", "77"];
    const signature = createHash("sha1")
      .update([EVENT_TOKEN, timestamp, nonce].sort().join(""))
      .digest("hex");
    const check = await fetch(
      `${base}/wechat/events/push?${new URLSearchParams({ signature, timestamp, nonce, echostr: "hello-42" }).toString()}`,
    );
    expect(check.status).toBe(200);
    expect(await check.text()).toBe("hello-42");
  });
});
