import { itemState } from "@herald/channel-kit/testing";
import { type Holding, Topics } from "@herald/contracts";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { testProducer } from "@herald/test-harness/topics";
import type { OutletGatewayService } from "../src";
import { admin, startTestGateway } from "../src/testing";
import { MemoryOutlet } from "./memory-outlet";

const ns = useTestNamespace("outlet-scale");
const gateways: OutletGatewayService[] = [];
const outlets: MemoryOutlet[] = [];
const ITEMS = 150;

beforeAll(async () => {
  const stack = testStack();
  for (let i = 0; i < 2; i += 1) {
    gateways.push(
      await startTestGateway({
        brokers: stack.brokers,
        mongoUrl: stack.mongoUrl,
        topicPrefix: ns.topicPrefix,
        dbName: ns.dbName("gateway"),
        groupPrefix: ns.groupId("outlet-"),
        env: { OUTLET_INSTANCE: `gateway-${i}` },
      }),
    );
  }
  ns.beforeCleanup(async () => {
    for (const o of outlets) await o.handle.close();
    for (const g of gateways) await g.stop();
  });
}, 60_000);

it("an outlet's instances on two gateways share its partitions, and together hold every item", async () => {
  const producer = await testProducer(ns);
  const [one, two] = gateways as [OutletGatewayService, OutletGatewayService];
  const added = await admin<{ credential: string }>(one, "POST", "/admin/outlets", {
    name: "wide",
  });
  // One outlet, two instances, one store (as two processes of one system share its database).
  const held = new Map<string, Holding>();
  const instance = (gateway: OutletGatewayService, id: string) => {
    const o = new MemoryOutlet({
      gateway: gateway.address,
      outlet: "wide",
      credential: added.body.credential,
      instanceId: id,
      policy: {},
      credit: 10,
      applyDelayMs: 10,
      held,
    }).start();
    outlets.push(o);
    return o;
  };
  const first = instance(one, "wide-1");
  const second = instance(two, "wide-2");
  await Promise.all([first.handle.connected(), second.handle.connected()]);
  await producer.send(
    Topics.items,
    Array.from({ length: ITEMS }, (_, n) => {
      const s = itemState(`w${String(n).padStart(3, "0")}`, 1);
      return { key: s.id, value: s };
    }),
  );
  await waitFor(() => held.size === ITEMS, { description: "every item held", timeoutMs: 60_000 });
  // Each gateway delivered from the partitions it owns.
  expect(first.applied.length).toBeGreaterThan(0);
  expect(second.applied.length).toBeGreaterThan(0);
  const served = (g: OutletGatewayService) => g.gateway.activity("wide").instances.length;
  expect([served(one), served(two)]).toEqual([1, 1]);
  const ids = [...first.applied, ...second.applied].map((a) => a.id);
  expect(new Set(ids).size).toBe(ITEMS);
});
