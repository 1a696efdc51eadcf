import { TEST_INVENTORY_TOKEN, startTestNewmedia, writeTestSecret } from "@herald/newmedia/testing";
import { type Platforms, startPlatforms } from "@herald/platforms";
import { connectMongo, createLogger } from "@herald/runtime";
import { testStack } from "@herald/test-harness";
import { describeChannelConformance } from "./channel-conformance";

// Each account is an outlet of the channel and passes the suite on its own. The
// Weibo account here may use the commercial delete: without it a takedown waits
// on an operator's task, which test/e2e/newmedia.int.test.ts covers.
const logger = createLogger({ service: "conformance", level: "silent" });
const PORTAL = "http://127.0.0.1:4100";

for (const platform of ["wechat", "weibo"] as const) {
  const outletId = `${platform}:conf`;
  let platforms: Platforms;
  describeChannelConformance({
    channel: "newmedia",
    outletId,
    deadLetterChannel: `newmedia-${platform}-conf`,
    logger,
    async start(ns, content) {
      platforms = await startPlatforms({
        port: 0,
        publishJobMs: 50,
        wechat: [{ appId: "wxconf", secret: "conf-secret", name: "海关发布" }],
        weibo: [
          {
            uid: "7100",
            accessToken: "conf-token",
            name: "海关发布微博",
            safeDomains: ["127.0.0.1"],
            commercial: true,
          },
        ],
      });
      const account = { account: "conf", displayName: "一致性" };
      const accounts = {
        portalBaseUrl: PORTAL,
        wechat:
          platform === "wechat"
            ? [
                {
                  ...account,
                  appId: "wxconf",
                  secretFile: writeTestSecret("conf-secret"),
                  baseUrl: platforms.url,
                },
              ]
            : [],
        weibo:
          platform === "weibo"
            ? [
                {
                  ...account,
                  uid: "7100",
                  accessTokenFile: writeTestSecret("conf-token"),
                  baseUrl: platforms.url,
                  safeDomains: ["127.0.0.1"],
                  commercialDelete: true,
                },
              ]
            : [],
      };
      const dbName = ns.dbName("newmedia");
      const service = await startTestNewmedia({
        brokers: testStack().brokers,
        mongoUrl: testStack().mongoUrl,
        topicPrefix: ns.topicPrefix,
        dbName,
        groupId: ns.groupId("newmedia"),
        logger,
        accounts,
        content,
      });
      const outlet = service.outlets[0]!;
      const database = await connectMongo({
        url: testStack().mongoUrl,
        dbName: `${dbName}_${platform}_conf`,
        logger,
      });
      const holdings = () =>
        database.db!.collection<{
          _id: string;
          version: number;
          applies: number;
          appliedAt: Date;
          externalRef: string;
        }>("holdings");
      return {
        inventoryPort: outlet.runtime.inventoryPort,
        inventoryToken: TEST_INVENTORY_TOKEN,
        inventoryOutletId: outletId,
        // What the public sees on the platform: the holding's version while its post is up.
        async shows(itemId) {
          const held = await holdings().findOne({ _id: itemId });
          if (!held?.externalRef) return undefined;
          const visible =
            platform === "wechat"
              ? platforms.control
                  .wechat("wxconf")
                  .articles.some((a) => a.url === held.externalRef && !a.deleted)
              : platforms.control
                  .weibo("7100")
                  .posts.some((p) => held.externalRef.endsWith(p.id) && !p.deleted);
          return visible ? held.version : undefined;
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
          await service.stop();
          await database.close();
          await platforms.close();
        },
      };
    },
  });
}
