import { isSafeHost, linksToSafeDomain, weiboLength } from "./text";

describe("weiboLength", () => {
  it("counts a Chinese character as one and a Latin-1 character as half, rounding up", () => {
    expect(weiboLength("海关")).toBe(2);
    expect(weiboLength("ab")).toBe(1);
    expect(weiboLength("abc")).toBe(2);
    expect(weiboLength("海关a")).toBe(3);
    expect(weiboLength("é")).toBe(1);
  });

  it("weighs every link as its short form, whatever its length", () => {
    expect(weiboLength("http://127.0.0.1/a")).toBe(10);
    expect(weiboLength(`https://localhost/${"x".repeat(300)}`)).toBe(10);
    expect(weiboLength("公告 http://127.0.0.1:4100/items/1 详情")).toBe(2 + 0.5 + 10 + 0.5 + 2); // two spaces make one
  });

  it("ends a link at a space or a Chinese character", () => {
    expect(weiboLength("见http://127.0.0.1/a公告")).toBe(1 + 10 + 2);
  });
});

describe("safe domains", () => {
  it("accepts the domain and its subdomains only", () => {
    expect(isSafeHost("customs.gov.cn", ["customs.gov.cn"])).toBe(true);
    expect(isSafeHost("www.customs.gov.cn", ["customs.gov.cn"])).toBe(true);
    expect(isSafeHost("evilcustoms.gov.cn", ["customs.gov.cn"])).toBe(false);
  });

  it("needs at least one link into a safe domain", () => {
    expect(linksToSafeDomain("公告 http://127.0.0.1:4100/items/1", ["127.0.0.1"])).toBe(true);
    expect(linksToSafeDomain("公告 https://example.com/x", ["127.0.0.1"])).toBe(false);
    expect(linksToSafeDomain("公告，无链接", ["127.0.0.1"])).toBe(false);
  });
});
