import { accountsFileSchema } from "./accounts";
import { accountView, quotaWarnings } from "./account-view";
import { accountPolicy } from "./outlets";
import type { Publisher } from "./publisher";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-12-05T10:00:00+08:00");
const file = accountsFileSchema.parse({
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
});
const account = file.wechat[0]!;

/** When the account's outlet first started, as `recordFirstStart` recorded it. */
const FIRST_START = new Date(NOW - 12 * DAY);

function outlet(lastPostDaysAgo: number | undefined, used = 0, firstStartedAt = FIRST_START) {
  const publisher: Publisher = {
    apply: () => Promise.resolve({}),
    remove: () => Promise.resolve(),
    verify: () => Promise.resolve("present"),
    quota: () => ({ "freepublish/submit": { used, limit: 100 } }),
    lastPost: () =>
      lastPostDaysAgo === undefined
        ? undefined
        : { at: new Date(NOW - lastPostDaysAgo * DAY), ref: "https://mp/s/1" },
    close: () => Promise.resolve(),
  };
  return {
    outletId: "wechat:gov",
    platform: "wechat" as const,
    account,
    policy: accountPolicy("wechat", account),
    publisher,
    firstStartedAt,
  };
}
const runtime = { holdings: () => [], ready: () => ({ ok: true, detail: "" }) } as never;

describe("an account as operators see it", () => {
  it.each([
    [3, "ok", "最近一次发布在 3 天前"],
    [
      10,
      "warning",
      "最近一次发布在 10 天前，连续 14 天未更新即判定为不合格，还剩 4 天（freshness.warning）",
    ],
    [
      14,
      "finding",
      "最近一次发布在 14 天前，已达 14 天未更新：考核将判定账号长期未更新，请尽快发布（freshness.finding）",
    ],
  ] as const)(
    "after %i days without a post is %s, in channel-kit's words",
    (days, level, message) => {
      const view = accountView(outlet(days), runtime, 80, NOW);
      expect(view).toMatchObject({
        daysSincePost: days,
        freshness: { level, code: `freshness.${level}`, message },
      });
      expect(view.lastPost?.ref).toBe("https://mp/s/1");
    },
  );

  it("counts an account that never posted from its outlet's first start", () => {
    // Started 12 days ago: a warning, as the reconciler says, not a finding at once.
    expect(accountView(outlet(undefined), runtime, 80, NOW)).toMatchObject({
      lastPost: null,
      daysSincePost: null,
      freshness: {
        level: "warning",
        message:
          "接入以来 12 天没有发布过内容，连续 14 天未更新即判定为不合格，还剩 2 天（freshness.warning）",
      },
    });
    expect(
      accountView(outlet(undefined, 0, new Date(NOW - DAY)), runtime, 80, NOW).freshness,
    ).toMatchObject({ level: "ok", message: "接入以来 1 天没有发布过内容" });
    expect(
      accountView(outlet(undefined), runtime, 80, FIRST_START.getTime() + 14 * DAY).freshness.level,
    ).toBe("finding");
  });

  it("counts from the last post once there is one, whenever the outlet started", () => {
    const view = accountView(outlet(2, 0, new Date(NOW - 400 * DAY)), runtime, 80, NOW);
    expect(view).toMatchObject({ daysSincePost: 2, freshness: { level: "ok" } });
  });

  it("flags a quota past the warning share, and warns of it once a day", () => {
    expect(accountView(outlet(1, 79), runtime, 80, NOW).quotas[0]?.warning).toBe(false);
    expect(accountView(outlet(1, 80), runtime, 80, NOW).quotas[0]?.warning).toBe(true);
    const [warning] = quotaWarnings(outlet(1, 95), 80, NOW);
    expect(warning?.key).toBe("wechat:gov/freepublish/submit/2026-12-05");
    expect(warning?.message).toContain("95/100");
  });

  it("announces the customs office's defaults: news, interpretations, notices and guides, public only", () => {
    expect(accountPolicy("wechat", account)).toMatchObject({
      name: "newmedia",
      outletId: "wechat:gov",
      kinds: [1, 3, 8, 7],
      audiences: [1],
      freshness: { warningDays: 10, findingDays: 14 },
    });
  });
});
