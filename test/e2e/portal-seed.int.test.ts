/**
 * The portal end to end: `herald seed` publishes the demo items through the
 * content service, the portal delivers each one, and a reader in a real browser
 * searches the work plan, opens it and follows the link to its interpretation.
 */
import { statSync } from "node:fs";
import { DeliveryOutcome, type DeliveryReceipt, type ItemState, Topics } from "@herald/contracts";
import { createLogger } from "@herald/runtime";
import {
  heraldAsync,
  artifactPath,
  launchBrowser,
  useTestNamespace,
  waitFor,
} from "@herald/test-harness";
import {
  type ContentService,
  type PortalService,
  startHeraldServices,
} from "@herald/test-harness/services";
import { TopicCollector } from "@herald/test-harness/topics";

const ns = useTestNamespace("portal-seed");
const logger = createLogger({ service: "e2e", level: "silent" });
const ADMIN = "e2e-admin-token";
const CHANNEL = "e2e-portal-token";
const POLICY = "customs-disclosure-2016";
const INTERPRETATION = "customs-disclosure-2016-interpretation";
const PENALTY = "penalty-2016-huanggang-0186";
let content: ContentService;
let portal: PortalService;
let items: TopicCollector<ItemState>;
let receipts: TopicCollector<DeliveryReceipt>;
let seeded: string[];

function cli(args: string[]) {
  return heraldAsync(args, {
    ...process.env,
    HERALD_CONTENT_URL: `http://127.0.0.1:${content.httpPort}`,
    HERALD_TOKEN: ADMIN,
  });
}

function portalReceipt(id: string, outcome: DeliveryOutcome) {
  return receipts.waitFor(
    (r) => r.itemId === id && r.channel === "portal" && r.outcome === outcome,
    `a ${DeliveryOutcome[outcome]} receipt from the portal for ${id}`,
  );
}

beforeAll(async () => {
  items = await new TopicCollector(ns, Topics.items).start();
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => items.stop());
  ns.beforeCleanup(() => receipts.stop());
  ({ content, portal } = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, portal: CHANNEL },
    portal: true,
  }));
  const seed = await cli(["seed", "--json"]);
  expect({ status: seed.status, stderr: seed.stderr }).toEqual({ status: 0, stderr: "" });
  seeded = (JSON.parse(seed.stdout) as { id: string }[]).map((entry) => entry.id);
});

describe("herald seed into the portal", () => {
  it("delivers every seeded item to the portal with the checksum of its ItemState", async () => {
    expect(seeded).toEqual(expect.arrayContaining([POLICY, INTERPRETATION, PENALTY]));
    for (const id of seeded) {
      const state = await items.waitFor((s) => s.id === id, `${id} on the item stream`);
      const receipt = await portalReceipt(id, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
      expect({ id, checksum: receipt.checksum, version: receipt.version }).toEqual({
        id,
        checksum: state.checksum,
        version: state.version,
      });
    }
  });

  it("lets a reader search the work plan in a browser, open it and follow the link to its interpretation", async () => {
    await portalReceipt(INTERPRETATION, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${portal.httpPort}/`);
      expect(await tab.getAttribute("html", "lang")).toBe("zh-CN");
      // A phrase copied from the work plan as published (traditional characters).
      await tab.getByLabel(/搜索/).first().fill("陽光執法");
      await tab.keyboard.press("Enter");
      await tab.waitForURL(/\/search\?q=/);
      const result = tab.locator(`a[href="/items/${POLICY}"]`).first();
      expect(await result.count()).toBe(1);
      expect(await tab.locator("mark").count()).toBeGreaterThan(0);
      await result.click();
      await tab.waitForURL(new RegExp(`/items/${POLICY}$`));
      expect(await tab.locator("h1").innerText()).toContain("2016年海關政務公開工作要點");
      await tab.locator(`a[href="/items/${INTERPRETATION}"]`).first().click();
      await tab.waitForURL(new RegExp(`/items/${INTERPRETATION}$`));
      expect(await tab.locator("h1").innerText()).toContain("解读");
      const screenshot = artifactPath("portal-interpretation.png");
      await tab.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });

  it("answers 410 Gone for a seeded item once it is removed", async () => {
    const response = await fetch(
      `http://127.0.0.1:${content.httpPort}/api/items/${PENALTY}/takedown`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: JSON.stringify({ mode: "removed", reason: "处罚决定已撤销" }),
      },
    );
    expect(response.status).toBe(200);
    await portalReceipt(PENALTY, DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
    const gone = await waitFor(
      async () => {
        const page = await fetch(`http://127.0.0.1:${portal.httpPort}/items/${PENALTY}`);
        await page.text();
        return page.status === 410 ? page.status : undefined;
      },
      { description: "the removed penalty to answer 410" },
    );
    expect(gone).toBe(410);
  });
});
