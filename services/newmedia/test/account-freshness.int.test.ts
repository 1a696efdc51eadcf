import { type Platforms, startPlatforms } from "@herald/platforms";
import { createLogger } from "@herald/runtime";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { type NewmediaService, startTestNewmedia, writeTestSecret } from "../src/testing";

// The channel counts an account that never posted from its outlet's first start,
// which it records once: a restart does not start the count again.
const ns = useTestNamespace("account-freshness");
const logger = createLogger({ service: "test", level: "silent" });
const DAY = 24 * 60 * 60 * 1000;
/** The service's clock: real time, moved on by hand between starts. */
let offset = 0;
const now = () => Date.now() + offset;
let platforms: Platforms;
let running: NewmediaService | undefined;

beforeAll(async () => {
  platforms = await startPlatforms({
    port: 0,
    wechat: [{ appId: "wxquiet", secret: "quiet-secret", name: "海关发布" }],
  });
  ns.beforeCleanup(async () => {
    await running?.stop();
    await platforms.close();
  });
});

async function start(): Promise<NewmediaService> {
  running = await startTestNewmedia({
    brokers: testStack().brokers,
    mongoUrl: testStack().mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("newmedia"),
    groupId: ns.groupId("newmedia"),
    logger,
    now,
    accounts: {
      portalBaseUrl: "http://127.0.0.1:4100",
      wechat: [
        {
          account: "quiet",
          displayName: "海关发布",
          appId: "wxquiet",
          secretFile: writeTestSecret("quiet-secret"),
          baseUrl: platforms.url,
        },
      ],
    },
  });
  // Stopped only once every account consumes: a stop while its groups still join
  // can leave kafkajs connections open behind it.
  const service = running;
  await waitFor(
    () => service.outlets.every((o) => o.runtime.ready().consuming.state === "normal"),
    { timeoutMs: 60_000 },
  );
  return service;
}

async function stop(): Promise<void> {
  await running?.stop();
  running = undefined;
}

describe("an account that never posted, across restarts", () => {
  it("is counted from its outlet's first start, in the reconciler's words", async () => {
    const first = await start();
    const [fresh] = await first.accounts();
    expect(fresh).toMatchObject({
      outletId: "wechat:quiet",
      lastPost: null,
      daysSincePost: null,
      freshness: { level: "ok", code: "freshness.ok", message: "接入以来 0 天没有发布过内容" },
    });
    await stop();

    // Eleven days later the service starts again: the count goes on from the first start.
    offset = 11 * DAY;
    const restarted = await start();
    const [later] = await restarted.accounts();
    expect(later).toMatchObject({
      daysSincePost: null,
      freshness: {
        level: "warning",
        code: "freshness.warning",
        message:
          "接入以来 11 天没有发布过内容，连续 14 天未更新即判定为不合格，还剩 3 天（freshness.warning）",
      },
    });
    await stop();
  }, 120_000);
});
