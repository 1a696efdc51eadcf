/**
 * Personal data end to end: a penalty decision about a natural person, its
 * numbers written the ways an outside probe used (groups, full-width digits,
 * zero-width and no-break spaces, split across inline elements, an old 15-digit
 * ID), is published through the content API and delivered to the portal; none
 * of the numbers shows on its page, in its meta tags or in any feed.
 */
import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import { createLogger } from "@herald/runtime";
import { useTestNamespace } from "@herald/test-harness";
import {
  type ContentService,
  type PortalService,
  startHeraldServices,
} from "@herald/test-harness/services";
import { TopicCollector } from "@herald/test-harness/topics";

const ns = useTestNamespace("portal-personal-data");
const logger = createLogger({ service: "e2e", level: "silent" });
const ADMIN = "e2e-admin-token";
const CHANNEL = "e2e-portal-token";
const ID = "penalty-2016-pii-variants";
let content: ContentService;
let portal: PortalService;
let receipts: TopicCollector<DeliveryReceipt>;

beforeAll(async () => {
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  ({ content, portal } = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, portal: CHANNEL },
    portal: true,
  }));
});

/**
 * The digits a reader sees in a page: tags removed, character references
 * decoded, full-width forms folded, everything but digits dropped.
 */
function visibleDigits(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .normalize("NFKC")
    .replace(/[^0-9X]/g, "");
}

/** Everything inside the attributes of the page's <meta> elements, where descriptions go. */
function metaContent(html: string): string {
  return [...html.matchAll(/<meta\b[^>]*>/g)].map((m) => m[0]).join("\n");
}

describe("personal data on the portal", () => {
  it("shows a masked decision about a natural person with none of its numbers in the page, meta or feeds", async () => {
    const response = await fetch(`http://127.0.0.1:${content.httpPort}/api/publish`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({
        id: ID,
        kind: "administrative-penalty",
        title: "行政处罚决定书（皇关缉违字〔2016〕0199号）",
        summary: "当事人王某某（电话 １３９ ８７６５ ４３２１）携带物品未申报。",
        body: [
          "<p>当事人：王某某，公民身份号码<span>440304</span><b>19850312</b>7717，",
          "旧证号 440304\u200b850312\u200b771，联系电话139&nbsp;8765&nbsp;4321。</p>",
        ].join(""),
        category: "行政处罚",
        penalty: {
          decisionNumber: "皇关缉违字〔2016〕0199号",
          party: { name: "王某某", kind: "natural-person", identifier: "440304-19850312-7717" },
          legalBasis: "《中华人民共和国海关行政处罚实施条例》第十九条",
          decisionDate: "2016-07-15",
          violation: "当事人（联系电话139.8765.4321）未向海关申报。",
          penalty: "科处罚款人民币3,800元。",
        },
      }),
    });
    expect(response.status).toBe(201);
    await receipts.waitFor(
      (r) =>
        r.itemId === ID &&
        r.channel === "portal" &&
        r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
      `the portal's receipt for ${ID}`,
    );

    const base = `http://127.0.0.1:${portal.httpPort}`;
    const page = await (await fetch(`${base}/items/${ID}`)).text();
    expect(page).toContain("王某某");
    const pages: Array<[string, string]> = [
      ["page", page],
      ["meta", metaContent(page)],
      ["feed.xml", await (await fetch(`${base}/feed.xml`)).text()],
      ["feed.atom", await (await fetch(`${base}/feed.atom`)).text()],
      ["feed.json", await (await fetch(`${base}/feed.json`)).text()],
    ];
    for (const [name, text] of pages) {
      // Each page and feed carries the item, so the check below reads its text.
      expect({ name, carriesItem: text.includes("王某某") }).toEqual({ name, carriesItem: true });
      const digits = visibleDigits(text);
      // The birth dates and the middle of the mobile number are what masking removes.
      for (const raw of ["19850312", "850312", "8765"]) {
        expect({ name, found: digits.includes(raw) ? raw : "" }).toEqual({ name, found: "" });
      }
    }
    expect(metaContent(page)).not.toBe("");
    expect(page).toContain("<span>440304</span><b>********</b>7717");
    expect(page).toContain("440304-********-7717");
    expect(page).toContain("139\u00a0****\u00a04321");
  });
});
