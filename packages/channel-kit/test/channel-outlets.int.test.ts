import {
  type ChannelAnnouncement,
  DeliveryOutcome,
  type DeliveryReceipt,
  type ItemState,
  TakedownKind,
  Topics,
} from "@herald/contracts";
import { createLogger, loadConfig } from "@herald/runtime";
import { testStack, useTestNamespace } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import { type ChannelRuntime, type CurrentStateSource, channelEnv, startChannel } from "../src";
import {
  RecordingChannel,
  itemState,
  takenDown,
  testChannelEnv,
  writeInventoryTokenFile,
} from "../src/testing";

// One channel with two outlets in one process, as newmedia runs its accounts:
// each outlet applies every item for itself, and says so in its receipts.
const ns = useTestNamespace("channel-outlets");
const logger = createLogger({ service: "test", level: "silent" });
const CHANNEL = "multi-outlet";
const current = new Map<string, ItemState>();
const content: CurrentStateSource = {
  currentState: (itemId) => Promise.resolve(current.get(itemId)),
  close: () => undefined,
};
const alpha = new RecordingChannel({ name: CHANNEL, outletId: "alpha:one", keepsWithdrawn: false });
const beta = new RecordingChannel({ name: CHANNEL, outletId: "beta:two", keepsWithdrawn: false });
const runtimes: ChannelRuntime[] = [];
let receipts: TopicCollector<DeliveryReceipt>;
let announcements: TopicCollector<ChannelAnnouncement>;

async function publish(state: ItemState): Promise<void> {
  current.set(state.id, state);
  const producer = await testProducer(ns);
  await producer.send(Topics.items, [{ key: state.id, value: state }]);
}

function receiptOf(outletId: string, itemId: string, version: number): Promise<DeliveryReceipt> {
  return receipts.waitFor(
    (r) => r.outletId === outletId && r.itemId === itemId && r.version === version,
    `${outletId}'s receipt for ${itemId} v${version}`,
  );
}

async function redeliver(outletId: string, itemId: string, version: number): Promise<Date> {
  const requestedAt = new Date();
  const producer = await testProducer(ns);
  await producer.send(Topics.redeliver, [
    {
      key: `${CHANNEL}/${itemId}`,
      value: {
        channel: CHANNEL,
        outletId,
        itemId,
        version,
        reason: "test",
        requestedBy: "test",
        requestedAt,
      },
    },
  ]);
  return requestedAt;
}

beforeAll(async () => {
  const stack = testStack();
  for (const adapter of [alpha, beta]) {
    const config = loadConfig(channelEnv, {
      ...testChannelEnv({
        brokers: stack.brokers,
        mongoUrl: stack.mongoUrl,
        topicPrefix: ns.topicPrefix,
        dbName: ns.dbName(adapter.policy.outletId!.replace(":", "-")),
        inventoryTokensFile: writeInventoryTokenFile({}),
      }),
    });
    const runtime = await startChannel({ adapter, config, logger, content });
    runtimes.push(runtime);
    ns.beforeCleanup(() => runtime.stop());
  }
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  announcements = await new TopicCollector(ns, Topics.channels).start();
  ns.beforeCleanup(() => announcements.stop());
});

describe("a channel with several outlets", () => {
  it("announces each outlet with its id, so each is audited on its own", async () => {
    for (const outletId of ["alpha:one", "beta:two"]) {
      const announced = await announcements.waitFor(
        (a) => a.outletId === outletId,
        `the announcement of ${outletId}`,
      );
      expect(announced).toMatchObject({ name: CHANNEL, outletId });
      expect(announced.inventoryAddress).toMatch(/:\d+$/);
    }
  });

  it("applies every item once per outlet, with receipts that name the outlet", async () => {
    await publish(itemState("both", 1));
    const [a, b] = await Promise.all([
      receiptOf("alpha:one", "both", 1),
      receiptOf("beta:two", "both", 1),
    ]);
    for (const receipt of [a, b]) {
      expect(receipt).toMatchObject({
        channel: CHANNEL,
        outcome: DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
      });
    }
    expect(alpha.applies("both")).toEqual([1]);
    expect(beta.applies("both")).toEqual([1]);
  });

  it("declines for one outlet what targets only the other's platform", async () => {
    await publish(itemState("beta-only", 1, { targeting: { channels: ["beta"] } }));
    const [a, b] = await Promise.all([
      receiptOf("alpha:one", "beta-only", 1),
      receiptOf("beta:two", "beta-only", 1),
    ]);
    expect(a.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_DECLINED);
    expect(a.error?.code).toBe("declined.targeting.channel");
    expect(b.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED);
    expect(alpha.applies("beta-only")).toEqual([]);
  });

  it("carries out a redelivery on the outlet it names only", async () => {
    const before = {
      alpha: runtimes[0]!.metrics.get("reconfirmed"),
      beta: runtimes[1]!.metrics.get("reconfirmed"),
    };
    const at = await redeliver("beta:two", "both", 1);
    await receipts.waitFor(
      (r) => r.outletId === "beta:two" && r.itemId === "both" && r.at! >= at,
      "beta's receipt answering the redelivery",
    );
    expect(runtimes[1]!.metrics.get("reconfirmed")).toBe(before.beta + 1);
    expect(runtimes[0]!.metrics.get("reconfirmed")).toBe(before.alpha);
  });

  it("leaves a removal that waits on an operator pending, with no retry, until a redelivery after the task", async () => {
    alpha.removedByHand.add("by-hand");
    await publish(itemState("by-hand", 1));
    await Promise.all([receiptOf("alpha:one", "by-hand", 1), receiptOf("beta:two", "by-hand", 1)]);
    await publish(takenDown("by-hand", 2, TakedownKind.TAKEDOWN_KIND_REMOVED));
    const [a, b] = await Promise.all([
      receiptOf("alpha:one", "by-hand", 2),
      receiptOf("beta:two", "by-hand", 2),
    ]);
    expect(b.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
    expect(a.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_FAILED);
    expect(a.error).toMatchObject({ code: "operator_task.delete_by_hand", retryable: true });
    expect(runtimes[0]!.metrics.get("awaiting_operator")).toBe(1);

    // No deferred retry: it would have been queued before the receipt was sent.
    expect(runtimes[0]!.metricsText()).toMatch(/herald_channel_retries_pending\{[^}]*\} 0\n/);
    // An item published after it is applied while the task is open: the task blocks nothing.
    await publish(itemState("after", 1));
    await receiptOf("alpha:one", "after", 1);
    expect(alpha.calls.filter((c) => c.op === "remove" && c.id === "by-hand")).toHaveLength(1);

    alpha.removedByHand.delete("by-hand");
    const at = await redeliver("alpha:one", "by-hand", 2);
    const done = await receipts.waitFor(
      (r) => r.outletId === "alpha:one" && r.itemId === "by-hand" && r.at! >= at,
      "alpha's receipt once the task is done",
    );
    expect(done.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_REMOVED);
    expect(alpha.shown.has("by-hand")).toBe(false);
  });

  it("retries an item the platform asks to wait for once the wait is over, with no retry in place", async () => {
    alpha.waitOnce.set("window", 1500);
    await publish(itemState("window", 1));
    const waiting = await receiptOf("alpha:one", "window", 1);
    expect(waiting.outcome).toBe(DeliveryOutcome.DELIVERY_OUTCOME_FAILED);
    expect(waiting.error).toMatchObject({ code: "recorder.window_full", retryable: true });
    expect(alpha.applies("window")).toEqual([1]);
    const delivered = await receipts.waitFor(
      (r) =>
        r.outletId === "alpha:one" &&
        r.itemId === "window" &&
        r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
      "alpha's receipt once the window opened",
    );
    expect(delivered.at!.getTime() - waiting.at!.getTime()).toBeGreaterThanOrEqual(1400);
    expect(alpha.applies("window")).toEqual([1, 1]);
  });
});
