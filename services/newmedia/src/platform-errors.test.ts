import {
  classifyWechatError,
  classifyWeiboError,
  type PlatformErrorClass,
} from "./platform-errors";

describe("classifyWechatError", () => {
  it.each<[number, PlatformErrorClass]>([
    [-1, "busy"],
    [40001, "token"],
    [40014, "token"],
    [42001, "token"],
    [45009, "quota"],
    [45011, "rate_limited"],
    [48001, "permission"],
    [48004, "permission"],
    [40164, "permission"],
    [45002, "refused"],
    [45003, "refused"],
    [45004, "refused"],
    [45110, "refused"],
    [53503, "refused"],
    [53504, "refused"],
    [53505, "refused"],
    [87014, "refused"],
    [40082, "unknown"],
    [44002, "unknown"],
    [99999, "unknown"],
  ])("classes %i as %s, with its rule and a Chinese sentence", (code, cls) => {
    const info = classifyWechatError(code, "some errmsg");
    expect(info).toMatchObject({ platform: "wechat", code, class: cls, rule: `wechat.${code}` });
    expect(info.sentence).toMatch(/[\u4e00-\u9fff]/u);
  });

  it("says when the daily quota comes back", () => {
    expect(classifyWechatError(45009).sentence).toContain("明日零点恢复");
  });

  it("quotes the platform's message for an unknown code", () => {
    const info = classifyWechatError(44002, "empty post data");
    expect(info.sentence).toContain("44002");
    expect(info.sentence).toContain("empty post data");
    expect(classifyWechatError(44002).sentence).not.toContain("平台说明");
  });
});

describe("classifyWeiboError", () => {
  it.each<[number, PlatformErrorClass]>([
    [10001, "busy"],
    [10002, "busy"],
    [10009, "busy"],
    [10014, "permission"],
    [10017, "refused"],
    [10022, "rate_limited"],
    [10023, "rate_limited"],
    [10024, "rate_limited"],
    [20016, "rate_limited"],
    [20012, "refused"],
    [20017, "refused"],
    [20018, "refused"],
    [20019, "refused"],
    [20020, "refused"],
    [20021, "refused"],
    [20034, "refused"],
    [21314, "token"],
    [21315, "token"],
    [21316, "token"],
    [21317, "token"],
    [21319, "token"],
    [21327, "token"],
    [21332, "token"],
    [20101, "unknown"],
    [10008, "unknown"],
  ])("classes %i as %s, with its rule and a Chinese sentence", (code, cls) => {
    const info = classifyWeiboError(code, "some error");
    expect(info).toMatchObject({ platform: "weibo", code, class: cls, rule: `weibo.${code}` });
    expect(info.sentence).toMatch(/[\u4e00-\u9fff]/u);
  });

  it("quotes the platform's message for an unlisted content refusal", () => {
    expect(classifyWeiboError(20034, "user locked").sentence).toContain("user locked");
  });
});
