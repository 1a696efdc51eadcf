/**
 * The channel conformance suite against an outlet outside Herald: the
 * port-notices example, built on @herald/outlet-sdk, connected to a real outlet
 * gateway. Its receipts say `outlet-port-notices`, and its inventory is the
 * gateway's ListHoldings for `outlet_id` "port-notices", which the gateway
 * answers by asking the outlet itself over its stream.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PortNotices, startPortNotices } from "@herald/example-port-notices";
import { INVENTORY_TOKEN, admin, startTestGateway } from "@herald/outlet-gateway/testing";
import { ItemStatus } from "@herald/contracts";
import { createLogger } from "@herald/runtime";
import { testStack } from "@herald/test-harness";
import { describeChannelConformance } from "./channel-conformance";

const logger = createLogger({ service: "conformance", level: "silent" });

describeChannelConformance({
  channel: "outlet-port-notices",
  logger,
  // The outlet keeps notices and policy documents; a notice needs no more fields than news.
  itemKind: "notice",
  notApplicable: {
    // The gateway reads herald.items.v1 for its outlets and skips an undecodable
    // message with a warning: it has no dead-letter topic of its own, and an
    // outlet never sees the message. The case still checks that the next item
    // arrives (ADR 007).
    deadLetter: "the outlet gateway skips undecodable messages; it keeps no dead-letter topic",
  },
  async start(ns, _content, access) {
    const stack = testStack();
    // The gateway reads an item's current state to carry out a redelivery request.
    const contentToken = join(mkdtempSync(join(tmpdir(), "herald-conformance-")), "content-token");
    writeFileSync(contentToken, access.token, { mode: 0o600 });
    const gateway = await startTestGateway({
      brokers: stack.brokers,
      mongoUrl: stack.mongoUrl,
      topicPrefix: ns.topicPrefix,
      dbName: ns.dbName("gateway"),
      groupPrefix: ns.groupId("outlet-"),
      env: { OUTLET_CONTENT_GRPC: access.grpcAddress, OUTLET_CONTENT_TOKEN_FILE: contentToken },
    });
    let notices: PortNotices | undefined;
    try {
      const added = await admin<{ credential: string }>(gateway, "POST", "/admin/outlets", {
        name: "port-notices",
        kinds: ["notice", "policy-document"],
      });
      if (added.status !== 201) throw new Error(`registering port-notices: ${added.status}`);
      notices = await startPortNotices({
        gateway: gateway.address,
        credential: added.body.credential,
        file: join(mkdtempSync(join(tmpdir(), "herald-port-notices-")), "notices.json"),
        listen: { host: "127.0.0.1", port: 0 },
        reconnect: { initialMs: 100, maxMs: 500 },
      });
      await notices.outlet.connected();
    } catch (error) {
      await notices?.close();
      await gateway.stop();
      throw error;
    }
    const outlet = notices;
    return {
      inventoryPort: gateway.grpcPort,
      inventoryToken: INVENTORY_TOKEN,
      inventoryOutletId: "port-notices",
      // What a trader sees: the listing's notices, published ones only.
      async shows(itemId) {
        const response = await fetch(`http://127.0.0.1:${outlet.listingPort}/api/notices`);
        const { notices: shown } = (await response.json()) as {
          notices: Array<{ itemId: string; version: number; status: ItemStatus }>;
        };
        const notice = shown.find((n) => n.itemId === itemId);
        return notice && notice.status === ItemStatus.ITEM_STATUS_PUBLISHED
          ? notice.version
          : undefined;
      },
      holding(itemId) {
        const notice = outlet.store.get(itemId);
        return Promise.resolve(
          notice
            ? {
                version: notice.version,
                applies: notice.applies,
                appliedAt: new Date(notice.appliedAt),
              }
            : undefined,
        );
      },
      async loseHolding(itemId) {
        await outlet.store.delete(itemId);
      },
      async stop() {
        await outlet.close();
        await gateway.stop();
      },
    };
  },
});
