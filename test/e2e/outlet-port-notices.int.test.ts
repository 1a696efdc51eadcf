/**
 * The TypeScript example outlet, examples/outlets/port-notices (on
 * @herald/outlet-sdk), started by its own `run` script against a real outlet
 * gateway. The conformance suite runs the same outlet in process
 * (test/conformance/outlet.int.test.ts); this checks the script and the listing.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import type { OutletGatewayService } from "@herald/outlet-gateway";
import { admin, startTestGateway } from "@herald/outlet-gateway/testing";
import { testStack, useTestNamespace } from "@herald/test-harness";
import { type HeraldServices, startHeraldServices } from "@herald/test-harness/services";
import { TopicCollector } from "@herald/test-harness/topics";
import { type ExampleOutlet, startExampleOutlet } from "./example-outlet";

const ns = useTestNamespace("port-notices");

let services: HeraldServices;
let gateway: OutletGatewayService;
let receipts: TopicCollector<DeliveryReceipt>;
let notices: ExampleOutlet;

async function publish(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${services.contentUrl}/api/publish`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${services.tokens.admin}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      summary: "摘要。",
      body: "<p>正文。</p>",
      category: "通知公告",
      issuingOffice: "深圳海关",
      ...body,
    }),
  });
  if (response.status !== 201)
    throw new Error(`publish: ${response.status} ${await response.text()}`);
}

const receipt = (itemId: string, outcome: DeliveryOutcome) =>
  receipts.waitFor(
    (r) => r.itemId === itemId && r.outletId === "port-notices" && r.outcome === outcome,
    `a ${DeliveryOutcome[outcome]} receipt from port-notices for ${itemId}`,
    60_000,
  );

beforeAll(async () => {
  const stack = testStack();
  services = await startHeraldServices(ns);
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  gateway = await startTestGateway({
    brokers: stack.brokers,
    mongoUrl: stack.mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("gateway"),
    groupPrefix: ns.groupId("outlet-"),
  });
  ns.beforeCleanup(() => gateway.stop());
  const added = await admin<{ credential: string }>(gateway, "POST", "/admin/outlets", {
    name: "port-notices",
    kinds: ["notice", "policy-document", "news"],
  });
  expect(added.status).toBe(201);
  notices = await startExampleOutlet("port-notices", {
    HERALD_GATEWAY: gateway.address,
    HERALD_OUTLET_TOKEN: added.body.credential,
    PORT_NOTICES_FILE: join(mkdtempSync(join(tmpdir(), "herald-port-notices-")), "notices.json"),
    PORT_NOTICES_LISTEN: "127.0.0.1:0",
  });
  ns.beforeCleanup(() => notices.stop());
}, 120_000);

it("port-notices, run by its script, lists a notice for traders and declines news", async () => {
  await publish({
    id: "pn-notice",
    kind: "notice",
    title: "关于<调整>查验时间的公告",
    dates: { effectiveAt: "2016-10-08" },
  });
  await publish({ id: "pn-news", kind: "news", title: "海关新闻" });
  await receipt("pn-notice", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
  const declined = await receipt("pn-news", DeliveryOutcome.DELIVERY_OUTCOME_DECLINED);
  expect(declined.error?.code).toBe("port-notices.kind-not-kept");
  const { notices: held } = (await (await fetch(`${notices.listing}/api/notices`)).json()) as {
    notices: Array<{ itemId: string; title: string; effectiveAt: string }>;
  };
  expect(held.map((n) => n.itemId)).toEqual(["pn-notice"]);
  // Midnight in Asia/Shanghai, shown as the date the office gave.
  expect(held[0]?.effectiveAt).toBe("2016-10-08");
  const page = await (await fetch(`${notices.listing}/`)).text();
  expect(page).toContain("<h1>口岸通关公告</h1>");
  // The title is text on the page, never markup.
  expect(page).toContain("关于&lt;调整&gt;查验时间的公告");
  expect(page).not.toContain("海关新闻");
});
