/**
 * Lag is not loss, on the real stack: items on herald.items.v1, and a channel's
 * ChannelInventory served by a real gRPC server of the test's own, which lists
 * chosen holdings and how far the channel had read the stream. An item absent
 * from a listing taken before the channel read its message is pending, with no
 * redelivery; one absent after the channel read past it is missing.
 */
import * as grpc from "@grpc/grpc-js";
import { itemState } from "@herald/channel-kit/testing";
import {
  type ChannelInventoryServer,
  ChannelInventoryService,
  type ConsumedOffset,
  type Holding,
  ItemStatus,
  Topics,
} from "@herald/contracts";
import { createLogger, createProducer, topicName } from "@herald/runtime";
import { testKafka, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import type { ReconcilerService } from "../src/service";
import { startTestReconciler } from "../src/testing";

const ns = useTestNamespace("reconciler-lag");
const logger = createLogger({ service: "reconciler-test", level: "silent" });

/** What the test's channel lists, changed by the test between audits. */
const listing: { holdings: Holding[]; consumed: ConsumedOffset[] } = { holdings: [], consumed: [] };

async function startInventory(): Promise<number> {
  const server = new grpc.Server();
  const impl: ChannelInventoryServer = {
    listHoldings: (_call, callback) =>
      callback(null, { holdings: listing.holdings, nextPageToken: "", consumed: listing.consumed }),
  };
  server.addService(ChannelInventoryService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  ns.beforeCleanup(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  return port;
}

describe("an audit against the channel's consumed offsets", () => {
  it("shows an item the channel has not read yet pending, and one it read past missing", async () => {
    // One partition, so the two items' messages are ordered and one offset lies between them.
    const admin = testKafka().admin();
    await admin.connect();
    ns.beforeCleanup(() => admin.disconnect());
    await admin.createTopics({
      topics: [
        {
          topic: topicName(Topics.items, ns.topicPrefix),
          numPartitions: 1,
          configEntries: [{ name: "cleanup.policy", value: "compact" }],
        },
      ],
    });
    const producer = createProducer(testKafka(), { logger, topicPrefix: ns.topicPrefix });
    await producer.connect();
    ns.beforeCleanup(() => producer.disconnect());
    const at = new Date(Date.now() - 60_000);
    const offsetOf = async (id: string) => {
      const [meta] = await producer.send(Topics.items, [
        { key: id, value: itemState(id, 1, { updatedAt: at }) },
      ]);
      return Number(meta!.baseOffset);
    };
    const kept = `kept-${ns.id}`;
    const lost = `lost-${ns.id}`;
    const lagging = `lagging-${ns.id}`;
    await offsetOf(kept);
    const lostAt = await offsetOf(lost);
    const laggingAt = await offsetOf(lagging);
    expect(laggingAt).toBeGreaterThan(lostAt);

    const port = await startInventory();
    const reconciler: ReconcilerService = await startTestReconciler({
      brokers: testStack().brokers,
      mongoUrl: testStack().mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName: ns.dbName("reconciler"),
      groupId: ns.groupId("reconciler"),
      inventoryToken: "test",
      logger,
      env: { RECONCILER_CHANNELS: `lagger=127.0.0.1:${port}` },
    });
    ns.beforeCleanup(() => reconciler.stop());
    await waitFor(() => reconciler.queries.itemStatus(lagging), {
      description: "the items read from the stream",
    });
    const held = itemState(kept, 1);
    listing.holdings = [
      {
        itemId: kept,
        version: 1,
        checksum: held.checksum,
        externalRef: "",
        status: ItemStatus.ITEM_STATUS_PUBLISHED,
        appliedAt: new Date(),
      },
    ];
    // The channel had read past `lost`, not yet `lagging`.
    listing.consumed = [{ partition: 0, offset: lostAt + 1 }];

    const report = await reconciler.actions.runAudit(["lagger"]);
    expect(report.runs[0]).toMatchObject({ channel: "lagger", holdings: 1 });
    const stateOf = (id: string) => reconciler.queries.itemStatus(id)?.channels[0]?.state;
    expect(stateOf(kept)).toBe("delivered");
    expect(stateOf(lost)).toBe("missing");
    expect(stateOf(lagging)).toBe("pending");
    const findings = reconciler.queries.findings();
    expect(findings.map((f) => f.itemId)).toEqual([lost]);
    expect(findings[0]?.repairAttempts).toBeGreaterThanOrEqual(1); // the lost one is redelivered

    // Once the channel has read past it, its absence is a loss too.
    listing.consumed = [{ partition: 0, offset: laggingAt + 1 }];
    await reconciler.actions.runAudit(["lagger"]);
    expect(stateOf(lagging)).toBe("missing");

    // A channel that cannot tell (no offsets) is judged on its holdings alone.
    listing.consumed = [];
    listing.holdings = [];
    await reconciler.actions.runAudit(["lagger"]);
    expect([stateOf(kept), stateOf(lost), stateOf(lagging)]).toEqual([
      "missing",
      "missing",
      "missing",
    ]);
  }, 120_000);
});
