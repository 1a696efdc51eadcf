import { itemState } from "@herald/channel-kit/testing";
import { DeliveryOutcome, type DeliveryReceipt, type Holding, Topics } from "@herald/contracts";
import { topicName } from "@herald/runtime";
import { freePort, testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import type { OutletGatewayService } from "../src";
import { admin, startTestGateway } from "../src/testing";
import { MemoryOutlet } from "./memory-outlet";

const ns = useTestNamespace("outlet-resume");
const GROUP_PREFIX = ns.groupId("outlet-");
let grpcPort: number;
let gateway: OutletGatewayService | undefined;
let receipts: TopicCollector<DeliveryReceipt>;
const outlets: MemoryOutlet[] = [];

const start = async () => {
  const stack = testStack();
  gateway = await startTestGateway({
    brokers: stack.brokers,
    mongoUrl: stack.mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("gateway"),
    groupPrefix: GROUP_PREFIX,
    env: { OUTLET_GRPC_PORT: String(grpcPort) },
  });
  return gateway;
};

const settled = (outlet: string) =>
  waitFor(
    () =>
      gateway &&
      gateway.gateway.activity(outlet).pending === 0 &&
      gateway.gateway.activity(outlet).instances.length > 0,
    {
      description: `every item of ${outlet} settled`,
    },
  );

beforeAll(async () => {
  grpcPort = await freePort();
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  await start();
  ns.beforeCleanup(async () => {
    for (const o of outlets) await o.handle.close();
    await gateway?.stop();
  });
}, 60_000);

describe("outlet resume", () => {
  const held = new Map<string, Holding>();
  let credential: string;

  it("an outlet killed mid-stream and restarted loses nothing, and gets no item again whose result was recorded", async () => {
    const producer = await testProducer(ns);
    const added = await admin<{ credential: string }>(gateway!, "POST", "/admin/outlets", {
      name: "delta",
    });
    credential = added.body.credential;
    const first = new MemoryOutlet({
      gateway: gateway!.address,
      outlet: "delta",
      credential,
      policy: {},
      credit: 5,
      applyDelayMs: 20,
      held,
      instanceId: "delta-1",
    }).start();
    outlets.push(first);
    await first.handle.connected();
    await producer.send(
      Topics.items,
      Array.from({ length: 60 }, (_, n) => {
        const s = itemState(`d${String(n).padStart(3, "0")}`, 1);
        return { key: s.id, value: s };
      }),
    );
    await waitFor(() => first.applied.length >= 10, { description: "some applied" });
    // The outlet dies with deliveries in flight (its state, `held`, survives, as on disk).
    await first.handle.close();
    const delivered = () =>
      new Set(
        receipts
          .values()
          .filter(
            (r) =>
              r.outletId === "delta" && r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
          )
          .map((r) => r.itemId),
      );
    const before = delivered();
    const second = new MemoryOutlet({
      gateway: gateway!.address,
      outlet: "delta",
      credential,
      policy: {},
      credit: 20,
      held,
      instanceId: "delta-1",
    }).start();
    outlets.push(second);
    await waitFor(() => held.size === 60, { description: "delta holds all 60 after its restart" });
    await settled("delta");
    const again = second.applied.filter((a) => before.has(a.id) && a.version === 1);
    expect(again).toEqual([]);
  });

  it("a gateway that restarts and replays the topic sends only what has no result", async () => {
    const outlet = outlets.at(-1)!;
    const mark = outlet.applied.length;
    await gateway!.stop();
    gateway = undefined;
    // As if the gateway died before committing anything: the group starts from the beginning.
    const kafkaAdmin = testKafka().admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.resetOffsets({
      groupId: `${GROUP_PREFIX}delta`,
      topic: topicName(Topics.items, ns.topicPrefix),
      earliest: true,
    });
    await kafkaAdmin.disconnect();
    await start();
    await waitFor(() => outlet.handle.state === "connected", {
      description: "the outlet reconnects",
    });
    const producer = await testProducer(ns);
    await producer.send(Topics.items, [
      { key: "d001", value: itemState("d001", 2) },
      { key: "d900", value: itemState("d900", 1) },
    ]);
    await waitFor(() => held.get("d001")?.version === 2 && held.has("d900"), {
      description: "the changes after the restart",
    });
    await settled("delta");
    expect(
      outlet.applied
        .slice(mark)
        .map((a) => `${a.id}@${a.version}`)
        .sort(),
    ).toEqual(["d001@2", "d900@1"]);
  });
});
