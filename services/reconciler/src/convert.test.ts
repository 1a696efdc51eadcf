import { toChannelSummary } from "./convert";
import { freshnessOf } from "./freshness";
import { DELIVERY_STATES, type ChannelSummary, type DeliveryState } from "./model";

const DAY = 24 * 3600_000;
const now = Date.parse("2026-12-01T04:00:00Z");
const states = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<
  DeliveryState,
  number
>;

const portal: ChannelSummary = {
  channel: "portal",
  announced: true,
  joinedAt: new Date(now - 40 * DAY),
  states,
  openProblems: 0,
  deadlineDeliveries: 0,
  onTime: 0,
};

const account: ChannelSummary = {
  ...portal,
  channel: "newmedia/wechat:gov",
  freshness: freshnessOf(
    { name: "newmedia", freshness: { warningDays: 10, findingDays: 14 } },
    { at: now - 11 * DAY, ref: "https://mp.weixin.qq.com/s/a" },
    now - 40 * DAY,
    now,
  )!,
};

describe("the gRPC channel summary", () => {
  it("carries an account's freshness as the API shows it", () => {
    expect(toChannelSummary(account).freshness).toEqual({
      level: "warning",
      code: "freshness.warning",
      days: 11,
      lastPostAt: new Date(now - 11 * DAY),
      message: account.freshness!.message,
    });
  });

  it("carries nothing for a channel without a freshness rule or a consuming finding", () => {
    const summary = toChannelSummary(portal);
    expect(summary.freshness).toBeUndefined();
    expect(summary.notConsuming).toBeUndefined();
  });
});
