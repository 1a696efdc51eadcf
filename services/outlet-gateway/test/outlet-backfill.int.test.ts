import { itemState } from "@herald/channel-kit/testing";
import { type ItemState, ItemKind, Topics } from "@herald/contracts";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { testProducer } from "@herald/test-harness/topics";
import type { OutletGatewayService } from "../src";
import { admin, startTestGateway } from "../src/testing";
import { MemoryOutlet } from "./memory-outlet";

const ns = useTestNamespace("outlet-backfill");
const ITEMS = 1000;
const UPDATED = 200;
let gateway: OutletGatewayService;
let outlet: MemoryOutlet | undefined;

beforeAll(async () => {
  const stack = testStack();
  gateway = await startTestGateway({
    brokers: stack.brokers,
    mongoUrl: stack.mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("gateway"),
    groupPrefix: ns.groupId("outlet-"),
  });
  ns.beforeCleanup(async () => {
    await outlet?.handle.close();
    await gateway.stop();
  });
}, 60_000);

it("an outlet registered after 1,000 items receives exactly what its policy covers, newest versions only, then live", async () => {
  const producer = await testProducer(ns);
  const states: ItemState[] = [];
  const kindOf = (n: number) => (n % 2 === 0 ? ItemKind.ITEM_KIND_NEWS : ItemKind.ITEM_KIND_NOTICE);
  const idOf = (n: number) => `b${String(n).padStart(4, "0")}`;
  for (let n = 0; n < ITEMS; n += 1) states.push(itemState(idOf(n), 1, { kind: kindOf(n) }));
  for (let n = 0; n < UPDATED; n += 1) states.push(itemState(idOf(n), 2, { kind: kindOf(n) }));
  for (let i = 0; i < states.length; i += 200) {
    await producer.send(
      Topics.items,
      states.slice(i, i + 200).map((s) => ({ key: s.id, value: s })),
    );
  }
  const added = await admin<{ credential: string }>(gateway, "POST", "/admin/outlets", {
    name: "news-only",
    kinds: ["news"],
  });
  const started = Date.now();
  outlet = new MemoryOutlet({
    gateway: gateway.address,
    outlet: "news-only",
    credential: added.body.credential,
    policy: { kinds: [ItemKind.ITEM_KIND_NEWS] },
    credit: 100,
  }).start();
  await waitFor(() => outlet!.held.size === ITEMS / 2, {
    description: "the backfill",
    timeoutMs: 60_000,
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `outlet backfill: ${ITEMS / 2} of ${ITEMS + UPDATED} messages in ${seconds.toFixed(2)} s (${Math.round(ITEMS / 2 / seconds)} deliveries/s, credit 100)\n`,
  );
  const o = outlet;
  for (let n = 0; n < ITEMS; n += 2) expect(o.held.get(idOf(n))?.version).toBe(n < UPDATED ? 2 : 1);
  expect(o.applied).toHaveLength(ITEMS / 2);
  expect(o.maxInFlight).toBeLessThanOrEqual(100);

  await producer.send(Topics.items, [{ key: "live", value: itemState("live", 1) }]);
  await waitFor(() => o.held.has("live"), { description: "a live item after the backfill" });
  expect(o.applied.at(-1)).toMatchObject({ id: "live", backfill: false });

  // Live throughput once the group is joined: 500 items published at once.
  const burst = Array.from({ length: 500 }, (_, n) => itemState(`live-${n}`, 1));
  const burstStart = Date.now();
  await producer.send(
    Topics.items,
    burst.map((s) => ({ key: s.id, value: s })),
  );
  await waitFor(() => burst.every((s) => o.held.has(s.id)), { description: "the live burst" });
  const burstSeconds = (Date.now() - burstStart) / 1000;
  process.stdout.write(
    `outlet live burst: 500 items in ${burstSeconds.toFixed(2)} s (${Math.round(500 / burstSeconds)} deliveries/s, credit 100)\n`,
  );
  expect(o.maxInFlight).toBeLessThanOrEqual(100);

  // Publish to apply at 50 items/s for 5 s, one send per item as an editor's publish would be.
  const sentAt = new Map<string, number>();
  for (let n = 0; n < 250; n += 1) {
    const state = itemState(`paced-${n}`, 1);
    const due = burstStart + burstSeconds * 1000 + n * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    sentAt.set(state.id, Date.now());
    await producer.send(Topics.items, [{ key: state.id, value: state }]);
  }
  await waitFor(() => [...sentAt.keys()].every((id) => o.appliedAt.has(id)), {
    description: "the paced items",
  });
  const latencies = [...sentAt].map(([id, at]) => o.appliedAt.get(id)! - at).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  process.stdout.write(
    `outlet publish to apply at 50 items/s: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${latencies.at(-1)} ms\n`,
  );
  expect(latencies[0]).toBeGreaterThanOrEqual(0);
});
