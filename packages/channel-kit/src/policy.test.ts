import { Audience, ItemKind, ItemStatus } from "@herald/contracts";
import { expectedPresence } from "./policy";

const news = {
  kind: ItemKind.ITEM_KIND_NEWS,
  status: ItemStatus.ITEM_STATUS_PUBLISHED,
  category: "海关动态",
};
const targeting = (...channels: string[]) => ({ channels, audience: Audience.AUDIENCE_PUBLIC });

describe("the policy of one outlet of a channel with several", () => {
  const wechat = { name: "newmedia", outletId: "wechat:gov" };

  it.each([["newmedia"], ["wechat"], ["wechat:gov"]])("takes an item that targets %s", (target) => {
    expect(expectedPresence(wechat, { ...news, targeting: targeting(target) })).toEqual({
      kind: "hold",
    });
  });

  it("declines an item that targets another platform or another account", () => {
    for (const target of ["weibo", "wechat:port", "portal"]) {
      expect(expectedPresence(wechat, { ...news, targeting: targeting(target) })).toMatchObject({
        kind: "decline",
        decline: { code: "targeting.channel" },
      });
    }
  });

  it("takes only the categories it lists, when it lists some", () => {
    const columns = { ...wechat, categories: ["海关动态", "通知公告"] };
    expect(expectedPresence(columns, news)).toEqual({ kind: "hold" });
    expect(expectedPresence(columns, { ...news, category: "人事信息" })).toMatchObject({
      kind: "decline",
      decline: { code: "category" },
    });
    expect(expectedPresence(wechat, { ...news, category: "人事信息" })).toEqual({ kind: "hold" });
  });
});

describe("a policy that starts from a publication date", () => {
  const from = new Date("2026-12-01T00:00:00+08:00");
  const account = { name: "newmedia", outletId: "weibo:gov", publishedFrom: from };
  const publishedAt = (at: string) => ({ ...news, dates: { publishedAt: new Date(at) } });

  it("declines an item published before the date, naming both dates", () => {
    const presence = expectedPresence(account, publishedAt("2016-03-01T09:30:00+08:00"));
    if (presence.kind !== "decline") throw new Error(`declined expected, got ${presence.kind}`);
    expect(presence.decline.code).toBe("published-before");
    expect(presence.decline.reason).toContain("2016-03-01T09:30:00+08:00");
    expect(presence.decline.reason).toContain("2026-12-01T00:00:00+08:00");
    expect(presence.decline.reason).toContain("weibo:gov");
    // One millisecond before is still before.
    expect(expectedPresence(account, publishedAt("2026-11-30T23:59:59.999+08:00"))).toMatchObject({
      kind: "decline",
      decline: { code: "published-before" },
    });
  });

  it("takes an item published on the date or after it", () => {
    expect(expectedPresence(account, publishedAt("2026-12-01T00:00:00+08:00"))).toEqual({
      kind: "hold",
    });
    expect(expectedPresence(account, publishedAt("2027-01-05T10:00:00+08:00"))).toEqual({
      kind: "hold",
    });
  });

  it("takes an item that states no published date", () => {
    expect(expectedPresence(account, news)).toEqual({ kind: "hold" });
    expect(expectedPresence(account, { ...news, dates: { publishedAt: undefined } })).toEqual({
      kind: "hold",
    });
  });

  it("declines an old takedown too, so an account that never held the item is not asked to remove it", () => {
    const retracted = {
      ...publishedAt("2016-03-01T09:30:00+08:00"),
      status: ItemStatus.ITEM_STATUS_RETRACTED,
    };
    expect(expectedPresence(account, retracted)).toMatchObject({ kind: "decline" });
    expect(expectedPresence({ name: "newmedia" }, retracted)).toEqual({
      kind: "remove",
      why: "retracted",
    });
  });

  it("sets no limit when absent", () => {
    expect(
      expectedPresence({ name: "newmedia" }, publishedAt("2016-03-01T09:30:00+08:00")),
    ).toEqual({ kind: "hold" });
  });
});
