import { itemState, takenDown } from "@herald/channel-kit/testing";
import {
  Action,
  type Delivery,
  type DeliveryReceipt,
  DeliveryOutcome,
  TakedownKind,
} from "@herald/contracts";
import { ContractError, Dispatcher, type SessionPort } from "./dispatch";
import type { RecordedResult } from "./results";

class FakeSession implements SessionPort {
  readonly deliveries: Delivery[] = [];
  constructor(
    readonly id: string,
    readonly instanceId: string,
    public limit: number,
  ) {}
  credit(): number {
    return this.limit;
  }
  deliver(delivery: Delivery): void {
    this.deliveries.push(delivery);
  }
}

function setup(options: { backfillOpen?: boolean } = {}) {
  let now = 1_000_000;
  const recorded = new Map<string, RecordedResult>();
  const receipts: DeliveryReceipt[] = [];
  const settled: number[] = [];
  const dispatcher = new Dispatcher({
    outlet: "unit",
    policy: { name: "outlet-unit" },
    results: {
      get: (id) => recorded.get(id),
      holds: (id) => recorded.get(id)?.outcome === "delivered",
      record: (r) => {
        recorded.set(r.itemId, r);
        return Promise.resolve();
      },
    },
    ackDeadlineMs: 1000,
    maxExtensionMs: 10_000,
    retry: { initialMs: 100, maxMs: 1000 },
    receipt: (r) => {
      receipts.push(r);
      return Promise.resolve();
    },
    settle: (offsets) => settled.push(...offsets.map((o) => o.offset)),
    now: () => now,
    random: () => 1,
  });
  if (options.backfillOpen ?? true) dispatcher.releaseBackfill();
  let offset = 0;
  const offer = (...args: Parameters<typeof itemState>) =>
    dispatcher.offer({ partition: 0, offset: offset++ }, itemState(...args), false);
  const delivered = (session: FakeSession, delivery: Delivery) =>
    dispatcher.result(session.id, {
      deliveryId: delivery.deliveryId,
      outcome: {
        $case: "delivered",
        value: { externalRef: "x", checksum: delivery.state!.checksum },
      },
    });
  return {
    dispatcher,
    recorded,
    receipts,
    settled,
    offer,
    delivered,
    advance: (ms: number) => (now += ms),
    offerState: (state: ReturnType<typeof itemState>) =>
      dispatcher.offer({ partition: 0, offset: offset++ }, state, false),
  };
}

describe("Dispatcher", () => {
  it("never has more in flight than the credit, and sends more as results come", async () => {
    const t = setup();
    const s = new FakeSession("s1", "i1", 2);
    t.dispatcher.attach(s);
    for (let n = 0; n < 5; n += 1) t.offer(`a${n}`, 1);
    expect(s.deliveries).toHaveLength(2);
    await t.delivered(s, s.deliveries[0]!);
    expect(s.deliveries).toHaveLength(3);
    s.limit = 0;
    await t.delivered(s, s.deliveries[1]!);
    expect(s.deliveries).toHaveLength(3);
  });

  it("replaces a pending version with a newer one and holds a newer one back while the older is in flight", async () => {
    const t = setup();
    const s = new FakeSession("s1", "i1", 1);
    t.dispatcher.attach(s);
    t.offer("a", 1);
    t.offer("b", 1);
    t.offer("b", 2); // b v1 not yet sent: replaced
    t.offer("a", 2); // a v1 in flight: v2 waits
    expect(s.deliveries.map((d) => `${d.state!.id}@${d.state!.version}`)).toEqual(["a@1"]);
    await t.delivered(s, s.deliveries[0]!);
    await t.delivered(s, s.deliveries[1]!);
    await t.delivered(s, s.deliveries[2]!);
    expect(s.deliveries.map((d) => `${d.state!.id}@${d.state!.version}`)).toEqual([
      "a@1",
      "b@2",
      "a@2",
    ]);
    expect([...t.settled].sort()).toEqual([0, 1, 2, 3]);
  });

  it("holds the backfill until it is released, so only the newest version goes out", () => {
    const t = setup({ backfillOpen: false });
    const s = new FakeSession("s1", "i1", 10);
    t.dispatcher.attach(s);
    t.dispatcher.offer({ partition: 0, offset: 0 }, itemState("a", 1), true);
    t.dispatcher.offer({ partition: 0, offset: 1 }, itemState("a", 2), true);
    expect(s.deliveries).toHaveLength(0);
    t.dispatcher.releaseBackfill();
    expect(s.deliveries.map((d) => [d.state!.version, d.backfill])).toEqual([[2, true]]);
  });

  it("sends a delivery again after its deadline, with backoff, and takes a late result", async () => {
    const t = setup();
    const s = new FakeSession("s1", "i1", 1);
    t.dispatcher.attach(s);
    t.offer("a", 1);
    const first = s.deliveries[0]!;
    t.advance(1001);
    t.dispatcher.tick();
    t.advance(199);
    t.dispatcher.tick();
    expect(s.deliveries).toHaveLength(1); // backing off: 200 ms before attempt 2 with this random
    t.advance(1);
    t.dispatcher.tick();
    expect(s.deliveries[1]).toMatchObject({ attempt: 2, redeliveryReason: "deadline" });
    await t.delivered(s, s.deliveries[1]!);
    expect(t.recorded.get("a")?.version).toBe(1);
    // The first attempt's late answer changes nothing now.
    await t.delivered(s, first);
    expect(t.receipts).toHaveLength(1);
  });

  it("extends a deadline on request, up to the cap", () => {
    const t = setup();
    const s = new FakeSession("s1", "i1", 1);
    t.dispatcher.attach(s);
    t.offer("a", 1);
    t.dispatcher.extend("s1", [s.deliveries[0]!.deliveryId], 5000);
    t.advance(4000);
    t.dispatcher.tick();
    expect(s.deliveries).toHaveLength(1);
    t.advance(1500);
    t.dispatcher.tick();
    t.advance(1000);
    t.dispatcher.tick();
    expect(s.deliveries).toHaveLength(2);
  });

  it("refuses a result for a delivery it never sent", async () => {
    const t = setup();
    t.dispatcher.attach(new FakeSession("s1", "i1", 1));
    await expect(
      t.dispatcher.result("s1", {
        deliveryId: "nope",
        outcome: { $case: "delivered", value: { externalRef: "", checksum: "" } },
      }),
    ).rejects.toThrow(ContractError);
  });

  it("keeps an item on one instance, and gives an ended stream's deliveries to the others", () => {
    const t = setup();
    const a = new FakeSession("s1", "i1", 100);
    const b = new FakeSession("s2", "i2", 100);
    t.dispatcher.attach(a);
    t.dispatcher.attach(b);
    for (let n = 0; n < 40; n += 1) t.offer(`x${n}`, 1);
    const onA = a.deliveries.map((d) => d.state!.id);
    const onB = b.deliveries.map((d) => d.state!.id);
    expect(onA.length).toBeGreaterThan(0);
    expect(onB.length).toBeGreaterThan(0);
    expect(onA.filter((id) => onB.includes(id))).toEqual([]);
    t.dispatcher.detach("s1");
    const resent = b.deliveries.slice(onB.length);
    expect(resent.map((d) => d.state!.id).sort()).toEqual([...onA].sort());
    expect(resent.every((d) => d.redeliveryReason === "reconnect")).toBe(true);
  });

  it("removes a taken-down item only from an outlet that holds it", async () => {
    const t = setup();
    const s = new FakeSession("s1", "i1", 10);
    t.dispatcher.attach(s);
    t.offerState(takenDown("never-held", 2, TakedownKind.TAKEDOWN_KIND_REMOVED));
    expect(s.deliveries).toHaveLength(0);
    t.offer("held", 1);
    await t.delivered(s, s.deliveries[0]!);
    t.offerState(takenDown("held", 2, TakedownKind.TAKEDOWN_KIND_REMOVED));
    expect(s.deliveries[1]).toMatchObject({ action: Action.ACTION_REMOVE });
    await t.delivered(s, s.deliveries[1]!);
    expect(t.receipts.at(-1)).toMatchObject({
      outcome: DeliveryOutcome.DELIVERY_OUTCOME_REMOVED,
      channel: "outlet-unit",
      outletId: "unit",
    });
    expect(t.recorded.get("held")?.outcome).toBe("removed");
  });

  it("does not send again what already has a result at that version", () => {
    const t = setup();
    t.recorded.set("a", {
      itemId: "a",
      version: 3,
      outcome: "delivered",
      checksum: "c",
      externalRef: "",
      at: new Date(),
    });
    const s = new FakeSession("s1", "i1", 10);
    t.dispatcher.attach(s);
    t.offer("a", 3);
    t.offer("a", 2);
    expect(s.deliveries).toHaveLength(0);
    expect(t.settled).toEqual([0, 1]);
    t.offer("a", 4);
    expect(s.deliveries).toHaveLength(1);
  });

  it("sends an item again on a redelivery request although its result is recorded, within credit and one in flight per item", async () => {
    const t = setup();
    const s = new FakeSession("s1", "i1", 1);
    t.dispatcher.attach(s);
    t.offer("a", 2);
    await t.delivered(s, s.deliveries[0]!);
    expect(t.recorded.get("a")?.version).toBe(2);
    const settledBefore = [...t.settled];

    // The outlet lost it: the request sends v2 again, with the audit's reason.
    expect(t.dispatcher.redeliver(itemState("a", 2), "audit: missing")).toBe(true);
    expect(s.deliveries).toHaveLength(2);
    expect(s.deliveries[1]).toMatchObject({
      action: Action.ACTION_APPLY,
      redeliveryReason: "audit: missing",
    });
    // While it is in flight, another request (or the credit) sends nothing more.
    expect(t.dispatcher.redeliver(itemState("a", 2), "audit: missing")).toBe(false);
    t.dispatcher.redeliver(itemState("b", 1), "audit: missing");
    expect(s.deliveries).toHaveLength(2);
    await t.delivered(s, s.deliveries[1]!);
    expect(t.receipts.filter((r) => r.itemId === "a")).toHaveLength(2);
    // Its result settles no offset: nothing on the topic was waiting for it.
    expect(t.settled).toEqual(settledBefore);
    expect(s.deliveries.map((d) => d.state?.id)).toEqual(["a", "a", "b"]);
  });
});
