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

function outlet(lastPostDaysAgo: number | undefined, used = 0) {
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
  };
}
const runtime = { holdings: () => [], ready: () => ({ ok: true, detail: "" }) } as never;

describe("an account as operators see it", () => {
  it.each([
    [3, "ok"],
    [10, "warning"],
    [14, "finding"],
  ] as const)("after %i days without a post is %s", (days, level) => {
    const view = accountView(outlet(days), runtime, 80, NOW);
    expect(view).toMatchObject({ daysSincePost: days, freshness: { level } });
    expect(view.lastPost?.ref).toBe("https://mp/s/1");
  });

  it("is a finding when it never posted", () => {
    expect(accountView(outlet(undefined), runtime, 80, NOW)).toMatchObject({
      lastPost: null,
      daysSincePost: null,
      freshness: { level: "finding", message: "还没有发布过内容" },
    });
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
