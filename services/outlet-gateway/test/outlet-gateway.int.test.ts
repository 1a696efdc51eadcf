import * as grpc from "@grpc/grpc-js";
import { itemState, takenDown } from "@herald/channel-kit/testing";
import {
  Action,
  Audience,
  type ChannelAnnouncement,
  ChannelInventoryClient,
  type ConnectResponse,
  type DeliveryReceipt,
  DeliveryOutcome,
  type Holding,
  type ItemState,
  ItemKind,
  OutletGatewayClient,
  ProtocolVersion,
  TakedownKind,
  Topics,
} from "@herald/contracts";
import type { HeraldProducer } from "@herald/runtime";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import type { OutletGatewayService } from "../src";
import { INVENTORY_TOKEN, admin, startTestGateway } from "../src/testing";
import { MemoryOutlet } from "./memory-outlet";

const ns = useTestNamespace("outlet-gateway");
const NEWS = 120;
const TWICE = 40;

let gateway: OutletGatewayService;
let producer: HeraldProducer;
let receipts: TopicCollector<DeliveryReceipt>;
let announcements: TopicCollector<ChannelAnnouncement>;
const outlets: MemoryOutlet[] = [];

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(3, "0")}`;

async function publish(states: ItemState[]): Promise<void> {
  await producer.send(
    Topics.items,
    states.map((s) => ({ key: s.id, value: s })),
  );
}

async function register(body: Record<string, unknown>) {
  const added = await admin<{ credential: string; name: string }>(
    gateway,
    "POST",
    "/admin/outlets",
    body,
  );
  expect(added.status).toBe(201);
  return added.body.credential;
}

function outlet(
  name: string,
  credential: string,
  extra: Partial<ConstructorParameters<typeof MemoryOutlet>[0]> = {},
) {
  const o = new MemoryOutlet({
    gateway: gateway.address,
    outlet: name,
    credential,
    policy: {},
    ...extra,
  }).start();
  outlets.push(o);
  return o;
}

function listHoldings(outletId: string, pageToken = "", pageSize = 50) {
  const client = new ChannelInventoryClient(gateway.address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${INVENTORY_TOKEN}`);
  return new Promise<{ holdings: Holding[]; nextPageToken: string; consumed: unknown[] }>(
    (resolve, reject) =>
      client.listHoldings({ outletId, pageSize, pageToken }, metadata, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
  ).finally(() => client.close());
}

beforeAll(async () => {
  const stack = testStack();
  producer = await testProducer(ns);
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  announcements = await new TopicCollector(ns, Topics.channels).start();
  ns.beforeCleanup(() => receipts.stop());
  ns.beforeCleanup(() => announcements.stop());
  gateway = await startTestGateway({
    brokers: stack.brokers,
    mongoUrl: stack.mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("gateway"),
    groupPrefix: ns.groupId("outlet-"),
  });
  ns.beforeCleanup(async () => {
    for (const o of outlets) await o.handle.close();
    await gateway.stop();
  });
  // Published before any outlet registers: the backfill.
  const states: ItemState[] = [];
  for (let n = 0; n < NEWS; n += 1) states.push(itemState(id("n", n), 1));
  for (let n = 0; n < TWICE; n += 1) states.push(itemState(id("n", n), 2));
  for (let n = 0; n < 40; n += 1) {
    states.push(itemState(id("c", n), 1, { kind: ItemKind.ITEM_KIND_NOTICE }));
  }
  for (let n = 0; n < 10; n += 1) {
    states.push(
      itemState(id("i", n), 1, {
        targeting: { channels: [], audience: Audience.AUDIENCE_INTERNAL },
      }),
    );
  }
  states.push(takenDown(id("n", NEWS - 1), 2, TakedownKind.TAKEDOWN_KIND_REMOVED));
  await publish(states);
}, 60_000);

describe("outlet gateway", () => {
  let alpha: MemoryOutlet;
  let beta: MemoryOutlet;

  it("refuses a wrong credential and an unknown name alike", async () => {
    const credential = await register({ name: "alpha", kinds: ["news"] });
    const wrong = outlet("alpha", `${credential}x`);
    const unknown = outlet("nobody", credential);
    const errors = await Promise.all(
      [wrong, unknown].map((o) =>
        o.handle.connected().then(
          () => "connected",
          (e: Error) => e.message,
        ),
      ),
    );
    expect(errors[0]).toMatch(
      /refused: UNAUTHENTICATED: the outlet name or its credential is not valid/,
    );
    expect(errors[1]).toBe(errors[0]!.replace("alpha", "nobody"));
    expect(wrong.applied).toHaveLength(0);
    (globalThis as { alphaCredential?: string }).alphaCredential = credential;
  });

  it("backfills what the policy covers, newest versions only, then live, with at most the credit in flight", async () => {
    const credential = (globalThis as { alphaCredential?: string }).alphaCredential!;
    alpha = outlet("alpha", credential, { credit: 100, applyDelayMs: 5 });
    const welcome = await alpha.handle.connected();
    expect(welcome.backfilling).toBe(true);
    expect(welcome.policy?.kinds).toEqual([ItemKind.ITEM_KIND_NEWS]);
    // n119 was taken down before the outlet ever held it: nothing to send.
    await waitFor(() => alpha.held.size === NEWS - 1, { description: "alpha holds its backfill" });
    for (let n = 0; n < NEWS - 1; n += 1) {
      expect(alpha.held.get(id("n", n))?.version).toBe(n < TWICE ? 2 : 1);
    }
    expect(alpha.applied.every((a) => a.id.startsWith("n"))).toBe(true);
    expect(alpha.applied.filter((a) => a.id < id("n", TWICE) && a.version === 1)).toEqual([]);
    expect(alpha.applied.every((a) => a.backfill)).toBe(true);
    expect(alpha.removed).toEqual([]);
    expect(alpha.maxInFlight).toBeGreaterThan(1);
    expect(alpha.maxInFlight).toBeLessThanOrEqual(100);

    await publish([itemState("n500", 1), itemState(id("n", 1), 3)]);
    await waitFor(() => alpha.held.get("n500") && alpha.held.get(id("n", 1))?.version === 3, {
      description: "live changes reach alpha",
    });
    expect(alpha.applied.find((a) => a.id === "n500")?.backfill).toBe(false);
  });

  it("sends a takedown of a held item as a removal, and every result as a receipt", async () => {
    await publish([takenDown(id("n", 5), 3, TakedownKind.TAKEDOWN_KIND_REMOVED)]);
    await waitFor(() => !alpha.held.has(id("n", 5)), { description: "n005 removed from alpha" });
    expect(alpha.removed).toEqual([id("n", 5)]);
    const removed = await receipts.waitFor(
      (r) => r.itemId === id("n", 5) && r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_REMOVED,
      "removal receipt",
    );
    expect(removed).toMatchObject({ channel: "outlet-alpha", outletId: "alpha", version: 3 });
    const delivered = await receipts.waitFor(
      (r) => r.itemId === "n500" && r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
      "delivery receipt",
    );
    expect(delivered).toMatchObject({
      channel: "outlet-alpha",
      outletId: "alpha",
      checksum: "sha256:n500:1",
      externalRef: "mem:n500",
    });
    await waitFor(
      () =>
        receipts
          .values()
          .filter(
            (r) =>
              r.outletId === "alpha" && r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
          ).length >= NEWS,
      { description: "a receipt for every delivery" },
    );
    const announced = await announcements.waitFor((a) => a.name === "outlet-alpha", "announcement");
    expect(announced).toMatchObject({
      outletId: "alpha",
      inventoryAddress: gateway.address,
      kinds: [ItemKind.ITEM_KIND_NEWS],
    });
  });

  it("keeps outlets apart, and credit 1 means one delivery in flight", async () => {
    const credential = await register({ name: "beta", kinds: ["notice"] });
    beta = outlet("beta", credential, { credit: 1, applyDelayMs: 5 });
    await waitFor(() => beta.held.size === 40, { description: "beta holds the notices" });
    expect(beta.maxInFlight).toBe(1);
    expect([...beta.held.keys()].every((k) => k.startsWith("c"))).toBe(true);
    expect(alpha.applied.some((a) => a.id.startsWith("c"))).toBe(false);
    expect(
      receipts
        .values()
        .filter((r) => r.outletId === "beta")
        .every((r) => r.itemId.startsWith("c")),
    ).toBe(true);
  });

  it("serves ListHoldings by asking the connected outlet, and reports it unreachable when it is not", async () => {
    const listed: Holding[] = [];
    let token = "";
    do {
      const page = await listHoldings("alpha", token);
      listed.push(...page.holdings);
      token = page.nextPageToken;
    } while (token);
    expect(listed.map((h) => h.itemId)).toEqual([...alpha.held.keys()].sort());
    // Behind the gateway's back: the listing is the outlet's word, not the gateway's records.
    alpha.held.delete(id("n", 7));
    const first = await listHoldings("alpha", "", 10);
    expect(first.holdings.map((h) => h.itemId)).not.toContain(id("n", 7));
    await beta.handle.close();
    await expect(listHoldings("beta")).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: expect.stringMatching(/outlet unreachable/),
    });
  });

  it("sends a delivery again after its deadline, and a revoke cuts the stream", async () => {
    const credential = await register({ name: "gamma", kinds: ["notice"] });
    const client = new OutletGatewayClient(gateway.address, grpc.credentials.createInsecure());
    const stream = client.connect();
    const received: ConnectResponse[] = [];
    let ended: grpc.ServiceError | undefined;
    stream.on("data", (r: ConnectResponse) => received.push(r));
    stream.on("error", (e: grpc.ServiceError) => (ended = e));
    stream.write({
      body: {
        $case: "hello",
        value: {
          outlet: "gamma",
          credential,
          instanceId: "raw-1",
          protocolVersion: ProtocolVersion.PROTOCOL_VERSION_1,
          initialCredit: 1,
          userAgent: "test",
        },
      },
    });
    // The protocol's heartbeats: a silent outlet is cut after three intervals.
    const beat = setInterval(
      () => stream.write({ body: { $case: "heartbeat", value: { sentAt: new Date() } } }),
      200,
    );
    const deliveries = () =>
      received.flatMap((r) => (r.body?.$case === "delivery" ? [r.body.value] : []));
    const first = await waitFor(() => deliveries()[0], { description: "gamma's first delivery" });
    expect(first.attempt).toBe(1);
    expect(first.action).toBe(Action.ACTION_APPLY);
    // No result: after the 2 s deadline and a backoff the same item comes again.
    // No result: after the 2 s deadline and a backoff the same item comes again, while
    // the freed credit carries the next item meanwhile.
    const again = await waitFor(
      () => deliveries().find((d) => d.state?.id === first.state?.id && d.attempt === 2),
      { description: "redelivery of the unanswered item", timeoutMs: 10_000 },
    );
    expect(again.redeliveryReason).toBe("deadline");
    expect(again.deliveryId).not.toBe(first.deliveryId);
    const heartbeats = () => received.filter((r) => r.body?.$case === "heartbeat").length;
    await waitFor(() => heartbeats() > 0, { description: "gateway heartbeat" });

    const revoked = await admin(gateway, "POST", "/admin/outlets/gamma/revoke");
    expect(revoked.status).toBe(200);
    const error = await waitFor(() => ended, { description: "stream cut" });
    expect(error.code).toBe(grpc.status.PERMISSION_DENIED);
    clearInterval(beat);
    client.close();
    const again2 = outlet("gamma", credential);
    await expect(again2.handle.connected()).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it("validates registrations, naming the field and the rule", async () => {
    const bad = await admin<{ error: { message: string } }>(gateway, "POST", "/admin/outlets", {
      name: "Bad_Name",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^name: .* must match/);
    const kinds = await admin<{ error: { message: string } }>(gateway, "POST", "/admin/outlets", {
      name: "delta",
      kinds: ["gossip"],
    });
    expect(kinds.status).toBe(400);
    expect(kinds.body.error.message).toMatch(/kinds\.0: expected one of news/);
    const dup = await admin(gateway, "POST", "/admin/outlets", { name: "alpha" });
    expect(dup.status).toBe(409);
    const listed = await admin<{ outlets: { name: string; revokedAt: string | null }[] }>(
      gateway,
      "GET",
      "/admin/outlets",
    );
    expect(listed.body.outlets.map((o) => o.name)).toEqual(["alpha", "beta", "gamma"]);
    expect(JSON.stringify(listed.body)).not.toMatch(/credential|sha256/i);
  });
});
