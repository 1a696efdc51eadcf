import { ChannelRegistry, channelKey } from "./channels";

describe("channel keys", () => {
  it("keys one of several outlets of a channel as channel/outlet", () => {
    expect(channelKey("newmedia", "wechat:gov")).toBe("newmedia/wechat:gov");
    expect(channelKey("portal", undefined)).toBe("portal");
    expect(channelKey("portal", "")).toBe("portal");
  });

  it("keys a gateway outlet by its channel alone, since the channel is named after it", () => {
    expect(channelKey("outlet-credit", "credit")).toBe("outlet-credit");
  });

  it("gives receipts of each outlet their own entry, which keeps the channel and outlet for requests", () => {
    const registry = new ChannelRegistry(
      [],
      new Map(),
      () => 0,
      () => undefined,
    );
    const wechat = registry.ensure("newmedia", "wechat:gov");
    const weibo = registry.ensure("newmedia", "weibo:gov");
    expect(wechat).toMatchObject({
      name: "newmedia/wechat:gov",
      channel: "newmedia",
      outletId: "wechat:gov",
    });
    expect(weibo?.name).toBe("newmedia/weibo:gov");
    expect(registry.ensure("newmedia", "wechat:gov")).toBe(wechat);
    expect(registry.names()).toEqual(["newmedia/wechat:gov", "newmedia/weibo:gov"]);
  });
});
