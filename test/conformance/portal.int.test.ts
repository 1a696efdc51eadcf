import { ItemStatus } from "@herald/contracts";
import { startTestPortal, TEST_INVENTORY_TOKEN } from "@herald/portal/testing";
import { connectMongo, createLogger } from "@herald/runtime";
import { testStack } from "@herald/test-harness";
import { describeChannelConformance } from "./channel-conformance";

const logger = createLogger({ service: "conformance", level: "silent" });

describeChannelConformance({
  channel: "portal",
  logger,
  async start(ns, content) {
    // The test's own connection to the portal's database, to read and lose holdings behind its back.
    const database = await connectMongo({
      url: testStack().mongoUrl,
      dbName: ns.dbName("portal"),
      logger,
    });
    const holdings = () =>
      database.db!.collection<{ _id: string; version: number; applies: number; appliedAt: Date }>(
        "holdings",
      );
    const portal = await startTestPortal({
      brokers: testStack().brokers,
      mongoUrl: testStack().mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName: ns.dbName("portal"),
      logger,
      content,
      env: { CHANNEL_GROUP: ns.groupId("portal") },
    });
    return {
      inventoryPort: portal.inventoryPort,
      inventoryToken: TEST_INVENTORY_TOKEN,
      // What a reader sees: the page answers 200 for a published item only.
      async shows(itemId) {
        const response = await fetch(`http://127.0.0.1:${portal.httpPort}/items/${itemId}`);
        await response.text();
        const held = portal.index.get(itemId);
        return response.status === 200 && held?.status === ItemStatus.ITEM_STATUS_PUBLISHED
          ? held.version
          : undefined;
      },
      async holding(itemId) {
        const doc = await holdings().findOne({ _id: itemId });
        return doc
          ? { version: doc.version, applies: doc.applies, appliedAt: doc.appliedAt }
          : undefined;
      },
      async loseHolding(itemId) {
        await holdings().deleteOne({ _id: itemId });
      },
      async stop() {
        await portal.stop();
        await database.close();
      },
    };
  },
});
