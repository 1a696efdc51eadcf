import { freshnessOf, newestPost } from "./freshness";

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse("2026-12-01T02:00:00Z");
const policy = {
  name: "newmedia",
  outletId: "wechat:gov",
  freshness: { warningDays: 10, findingDays: 14 },
};

describe("account freshness", () => {
  it("is nothing for a channel without the rule", () => {
    expect(freshnessOf({ name: "portal" }, undefined, T0, T0 + 30 * DAY)).toBeUndefined();
  });

  it.each([
    [0, "ok"],
    [9, "ok"],
    [10, "warning"],
    [13, "warning"],
    [14, "finding"],
    [40, "finding"],
  ] as const)("after %i days without a post is %s", (days, level) => {
    const f = freshnessOf(
      policy,
      { at: T0, ref: "https://mp/s/1" },
      T0 - DAY,
      T0 + days * DAY + 1000,
    );
    expect(f).toMatchObject({ days, level, lastPostRef: "https://mp/s/1" });
    expect(f?.lastPostAt?.getTime()).toBe(T0);
  });

  it("counts from when the account joined when it never posted, and says so", () => {
    const f = freshnessOf(policy, undefined, T0, T0 + 11 * DAY);
    expect(f).toMatchObject({ days: 11, level: "warning" });
    expect(f?.message).toBe(
      "接入以来 11 天没有发布过内容，连续 14 天未更新即判定为不合格，还剩 3 天（freshness.warning）",
    );
  });

  it("takes the newest applied holding as the last post", () => {
    expect(
      newestPost([
        { appliedAt: new Date(T0), externalRef: "a" },
        { appliedAt: new Date(T0 + DAY), externalRef: "b" },
        { appliedAt: undefined, externalRef: "c" },
      ]),
    ).toEqual({ at: T0 + DAY, ref: "b" });
    expect(newestPost([])).toBeUndefined();
  });
});
