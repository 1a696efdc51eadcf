/**
 * The Python example outlet, examples/outlets/credit-registry, started by its own
 * `run` script against a real outlet gateway: proof that the contract in proto/
 * stands alone (grpcio and code generated from the .proto files, nothing of
 * Herald's TypeScript). The first run installs its pinned Python environment
 * under .herald/tools (tens of seconds), which beforeAll reports apart.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  ChannelInventoryClient,
  DeliveryOutcome,
  type DeliveryReceipt,
  type Holding,
  type ListHoldingsResponse,
  Topics,
} from "@herald/contracts";
import type { OutletGatewayService } from "@herald/outlet-gateway";
import { INVENTORY_TOKEN, admin, startTestGateway } from "@herald/outlet-gateway/testing";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { type HeraldServices, startHeraldServices } from "@herald/test-harness/services";
import { TopicCollector } from "@herald/test-harness/topics";
import { type ExampleOutlet, runExampleToEnd, startExampleOutlet } from "./example-outlet";

const ns = useTestNamespace("credit-registry");
const ITEMS = resolve(__dirname, "../../examples/items");
const LICENCE = "licence-2016-bonded-warehouse-0032";
const PENALTY = "penalty-2016-huanggang-0186";
const NEWS = "news-credit-registry-declines";

interface Decision {
  item_id: string;
  kind: string;
  version: number;
  checksum: string;
  decision_number: string;
  party_name: string;
  decision_date: string;
  applies: number;
}

let services: HeraldServices;
let gateway: OutletGatewayService;
let receipts: TopicCollector<DeliveryReceipt>;
let registry: ExampleOutlet;
let credential: string;
const workDir = mkdtempSync(join(tmpdir(), "herald-credit-registry-"));

async function publish(body: unknown): Promise<{ id: string; version: number }> {
  const response = await fetch(`${services.contentUrl}/api/publish`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${services.tokens.admin}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`publish: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; version: number };
}

const exampleItem = (file: string): unknown =>
  JSON.parse(readFileSync(join(ITEMS, file), "utf8")) as unknown;

async function decisions(): Promise<Decision[]> {
  const response = await fetch(`${registry.listing}/api/decisions`);
  return ((await response.json()) as { decisions: Decision[] }).decisions;
}

async function listHoldings(): Promise<Holding[]> {
  const client = new ChannelInventoryClient(gateway.address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${INVENTORY_TOKEN}`);
  const all: Holding[] = [];
  let pageToken = "";
  try {
    do {
      const page = await new Promise<ListHoldingsResponse>((done, fail) =>
        client.listHoldings(
          { outletId: "credit-registry", pageSize: 1, pageToken },
          metadata,
          (e, r) => (e ? fail(e) : done(r)),
        ),
      );
      all.push(...page.holdings);
      pageToken = page.nextPageToken;
    } while (pageToken);
  } finally {
    client.close();
  }
  return all;
}

const receipt = (itemId: string, outcome: DeliveryOutcome) =>
  receipts.waitFor(
    (r) => r.itemId === itemId && r.outletId === "credit-registry" && r.outcome === outcome,
    `a ${DeliveryOutcome[outcome]} receipt from credit-registry for ${itemId}`,
    60_000,
  );

function startRegistry(): Promise<ExampleOutlet> {
  return startExampleOutlet("credit-registry", {
    HERALD_GATEWAY: gateway.address,
    HERALD_OUTLET_TOKEN: credential,
    CREDIT_REGISTRY_DB: join(workDir, "registry.sqlite3"),
    CREDIT_REGISTRY_LISTEN: "127.0.0.1:0",
    CREDIT_REGISTRY_GEN: join(workDir, "gen"),
    HERALD_RECONNECT_INITIAL_MS: "100",
    HERALD_RECONNECT_MAX_MS: "1000",
  });
}

beforeAll(async () => {
  // The pinned venv and the generated code first, timed apart from the test.
  const install = runExampleToEnd("credit-registry", ["--install-only"], {
    CREDIT_REGISTRY_GEN: join(workDir, "gen"),
  });
  if (install.output.includes("first run only")) {
    process.stderr.write(
      `credit-registry: first run installed its Python environment and generated code in ${(install.ms / 1000).toFixed(1)} s\n`,
    );
  }
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
  // Registered for news too, so that the registry's own rule declines it.
  const added = await admin<{ credential: string }>(gateway, "POST", "/admin/outlets", {
    name: "credit-registry",
    kinds: ["administrative-licence", "administrative-penalty", "news"],
  });
  expect(added.status).toBe(201);
  credential = added.body.credential;
  registry = await startRegistry();
  ns.beforeCleanup(() => registry.stop());
}, 10 * 60_000);

describe("credit-registry (Python, grpcio) behind the outlet gateway", () => {
  const published = { licence: 0, penalty: 0 };

  it("holds exactly the licence and the penalty, and declines the news item by its own rule", async () => {
    published.licence = (await publish(exampleItem("administrative-licence.json"))).version;
    published.penalty = (await publish(exampleItem("administrative-penalty.json"))).version;
    await publish({
      id: NEWS,
      kind: "news",
      title: "海关新闻",
      summary: "一条新闻。",
      body: "<p>一条新闻。</p>",
      category: "工作动态",
      issuingOffice: "海关总署办公厅",
    });
    const licence = await receipt(LICENCE, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    const penalty = await receipt(PENALTY, DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    const news = await receipt(NEWS, DeliveryOutcome.DELIVERY_OUTCOME_DECLINED);
    expect(news.error).toMatchObject({ code: "registry.kind-not-kept" });
    expect(news.error?.message).toMatch(/ITEM_KIND_NEWS/);
    expect(licence).toMatchObject({
      channel: "outlet-credit-registry",
      version: published.licence,
      externalRef: `credit-registry:decision/${LICENCE}`,
    });
    expect(penalty.version).toBe(published.penalty);

    const held = await decisions();
    expect(held.map((d) => d.item_id).sort()).toEqual([LICENCE, PENALTY]);
    const byId = new Map(held.map((d) => [d.item_id, d]));
    expect(byId.get(LICENCE)).toMatchObject({
      kind: "licence",
      checksum: licence.checksum,
      decision_number: "深关保字〔2016〕32号",
      party_name: "深圳前海某供应链管理有限公司",
      decision_date: "2016-06-20",
      applies: 1,
    });
    expect(byId.get(PENALTY)).toMatchObject({
      kind: "penalty",
      checksum: penalty.checksum,
      decision_number: "皇关缉违字〔2016〕0186号",
      decision_date: "2016-07-15",
      applies: 1,
    });
    // The content service masked the party's ID number before it left Herald.
    expect(JSON.stringify(byId.get(PENALTY))).not.toContain("440304198503127717");

    const page = await (await fetch(`${registry.listing}/`)).text();
    expect(page).toContain("<h1>双公示信用信息</h1>");
    expect(page).toContain("行政许可");
    expect(page).toContain("皇关缉违字〔2016〕0186号");
    expect(page).not.toContain("海关新闻");
  });

  it("lists what it holds through the gateway's ListHoldings, page by page from its SQLite", async () => {
    const holdings = await listHoldings();
    const held = await decisions();
    expect(holdings.map((h) => h.itemId)).toEqual([LICENCE, PENALTY]);
    for (const h of holdings) {
      const decision = held.find((d) => d.item_id === h.itemId)!;
      expect(h).toMatchObject({ version: decision.version, checksum: decision.checksum });
      expect(h.appliedAt).toBeInstanceOf(Date);
    }
  });

  it("resumes after a restart without applying anything again", async () => {
    await registry.stop();
    expect(await registry.exited()).toBe(0);
    registry = await startRegistry();
    await waitFor(async () => (await listHoldings()).length === 2, {
      description: "the restarted registry answering the audit",
    }).catch((error: Error) => {
      throw new Error(`${error.message}\nits output:\n${registry.output().slice(-3000)}`);
    });
    expect((await decisions()).map((d) => d.applies)).toEqual([1, 1]);
  });

  it("removes a decision taken down in Herald, and its inventory no longer lists it", async () => {
    const response = await fetch(`${services.contentUrl}/api/items/${LICENCE}/takedown`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${services.tokens.admin}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ mode: "removed", reason: "许可决定已撤销" }),
    });
    expect(response.status).toBe(200);
    const removed = await receipt(LICENCE, DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
    expect(removed.version).toBe(published.licence + 1);
    expect((await decisions()).map((d) => d.item_id)).toEqual([PENALTY]);
    expect((await listHoldings()).map((h) => h.itemId)).toEqual([PENALTY]);
  });

  it("lists a decision's values as text, never as markup", async () => {
    await publish({
      ...(exampleItem("administrative-penalty.json") as Record<string, unknown>),
      id: "penalty-markup-in-title",
      title: "行政处罚决定书<script>alert(1)</script>",
    });
    await receipt("penalty-markup-in-title", DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    const page = await (await fetch(`${registry.listing}/`)).text();
    expect(page).toContain("行政处罚决定书&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>");
  });

  it("stops for good, saying why, when the gateway refuses its credential", async () => {
    const refused = await startExampleOutlet("credit-registry", {
      HERALD_GATEWAY: gateway.address,
      HERALD_OUTLET_TOKEN: `${credential}-wrong`,
      CREDIT_REGISTRY_DB: join(workDir, "refused.sqlite3"),
      CREDIT_REGISTRY_LISTEN: "127.0.0.1:0",
      CREDIT_REGISTRY_GEN: join(workDir, "gen"),
    });
    ns.beforeCleanup(() => refused.stop());
    expect(await refused.exited()).toBe(1);
    expect(refused.output()).toMatch(/refused by the gateway: UNAUTHENTICATED/);
  });
});
