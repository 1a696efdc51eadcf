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
