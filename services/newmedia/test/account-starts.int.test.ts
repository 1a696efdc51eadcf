import type { ChannelRuntime } from "@herald/channel-kit";
import { testStack, useTestNamespace } from "@herald/test-harness";
import mongoose, { type Connection } from "mongoose";
import { accountsFileSchema } from "../src/accounts";
import { recordFirstStart } from "../src/account-starts";
import { accountView } from "../src/account-view";
import { accountPolicy } from "../src/outlets";
import type { Publisher } from "../src/publisher";

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse("2026-12-01T09:00:00+08:00");

const ns = useTestNamespace("account-starts");
/** Each connection stands for one start of the service. */
const connections: Connection[] = [];
const connect = async (): Promise<Connection> => {
  const connection = mongoose.createConnection(testStack().mongoUrl, {
    dbName: ns.dbName("newmedia"),
  });
  connections.push(connection);
  return connection.asPromise();
};
ns.beforeCleanup(async () => {
  await Promise.all(connections.map((c) => c.close()));
});

const account = accountsFileSchema.parse({
  portalBaseUrl: "https://www.example.gov.cn",
  wechat: [
    {
      account: "gov",
      displayName: "海关发布",
      appId: "wx1",
      secretFile: "/s",
      baseUrl: "https://api.weixin.qq.com",
    },
  ],
}).wechat[0]!;

/** A pipeline that has never posted. */
const silent: Publisher = {
  apply: () => Promise.resolve({}),
  remove: () => Promise.resolve(),
  verify: () => Promise.resolve("absent"),
  quota: () => ({}),
  lastPost: () => undefined,
  close: () => Promise.resolve(),
};
/** The runtime as the view reads it: nothing held, ready. */
const runtime: Pick<ChannelRuntime, "holdings" | "ready"> = {
  holdings: () => [],
  ready: () => ({
    ok: true,
    detail: "",
    consuming: { state: "normal", detail: "", lag: 0, idleSeconds: 0, retriesPending: 0 },
  }),
};

describe("an account's first start, recorded once", () => {
  it("keeps the first start across restarts, and a never-posted account counts from it", async () => {
    const first = await connect();
    expect(await recordFirstStart(first, "wechat:gov", T0)).toEqual(new Date(T0));

    // Restarted five days later, in a new process: the first start stays.
    const restarted = await connect();
    const startedAt = await recordFirstStart(restarted, "wechat:gov", T0 + 5 * DAY);
    expect(startedAt).toEqual(new Date(T0));
    // Another account's first start is its own.
    expect(await recordFirstStart(restarted, "weibo:gov", T0 + 5 * DAY)).toEqual(
      new Date(T0 + 5 * DAY),
    );

    const view = (now: number) =>
      accountView(
        {
          outletId: "wechat:gov",
          platform: "wechat",
          account,
          policy: accountPolicy("wechat", account),
          publisher: silent,
          firstStartedAt: startedAt,
        },
        runtime,
        80,
        now,
      ).freshness;
    expect(view(T0 + 5 * DAY)).toMatchObject({
      level: "ok",
      message: "接入以来 5 天没有发布过内容",
    });
    expect(view(T0 + 10 * DAY)).toMatchObject({ level: "warning", code: "freshness.warning" });
    expect(view(T0 + 14 * DAY)).toMatchObject({ level: "finding", code: "freshness.finding" });
  });

  it("agrees on one first start when two instances start at once", async () => {
    const [a, b] = [await connect(), await connect()];
    const starts = await Promise.all([
      recordFirstStart(a, "wechat:twin", T0),
      recordFirstStart(b, "wechat:twin", T0 + 1_000),
    ]);
    expect(starts[0]).toEqual(starts[1]);
    expect([T0, T0 + 1_000]).toContain(starts[0].getTime());
  });
});
