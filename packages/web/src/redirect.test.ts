import { safeRedirect } from "./redirect";

describe("safeRedirect", () => {
  it.each([
    ["/", "/"],
    ["/items/doc-1", "/items/doc-1"],
    ["/search?q=%E6%B5%B7%E5%85%B3&page=2", "/search?q=%E6%B5%B7%E5%85%B3&page=2"],
    ["/search?q=a+b", "/search?q=a+b"],
    ["/catalogue/%E6%94%BF%E5%8A%A1", "/catalogue/%E6%94%BF%E5%8A%A1"],
    ["/catalogue/政务公开", "/catalogue/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80"],
    ["/a/./b/../c", "/a/c"],
    ["/a/..", "/"],
    ["/..", "/"],
    ["/items/doc#top", "/items/doc"],
    ["/files/100%25", "/files/100%25"],
    ["/items/a%2Fb", "/items/a%2Fb"],
  ])("keeps the same-origin path %j as %j", (target, expected) => {
    expect(safeRedirect(target, "/fallback")).toBe(expected);
  });

  it.each([
    // Dot segments that resolve to two leading slashes: another host.
    ["/a/../..//evil.example"],
    ["/./\\evil"],
    ["/.//evil.example"],
    ["/a/..//evil.example/x"],
    // Backslashes, which browsers read as slashes.
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["/\\/evil.example"],
    // Encoded slashes and backslashes, once and twice.
    ["%2F%2Fevil.example"],
    ["/%2F%2Fevil.example"],
    ["/%2Fevil.example"],
    ["/%5Cevil.example"],
    ["/%5C%5Cevil.example"],
    ["/%252F%252Fevil.example"],
    ["/%2e%2e/%2F/evil.example"],
    // Schemes and absolute URLs.
    ["javascript:alert(1)"],
    ["JavaScript:alert(1)"],
    ["https://evil.example/"],
    ["http:evil.example"],
    ["data:text/html,<script>alert(1)</script>"],
    // Protocol-relative.
    ["//evil.example"],
    ["///evil.example"],
    // Tabs, newlines and other controls or spaces inside, raw or encoded.
    ["/\t/evil.example"],
    ["/\n/evil.example"],
    ["/%09/evil.example"],
    ["/%0d%0aSet-Cookie:x=1"],
    ["/ok?x=%0d%0aSet-Cookie:x=1"],
    [" /items/doc"],
    ["/items/doc\u0000"],
    ["/\u2028/evil.example"],
    ["/\u202e/evil.example"],
    // Not a rooted path, malformed encoding, too long, not a string.
    ["evil.example"],
    ["items/doc"],
    [""],
    ["/%zz"],
    ["/%E0%A4%A"],
    ["/ok?x=%zz"],
    [`/${"a".repeat(2001)}`],
  ])("refuses %j", (target) => {
    expect(safeRedirect(target, "/fallback")).toBe("/fallback");
  });

  it("refuses what is not a string", () => {
    expect(safeRedirect(undefined, "/")).toBe("/");
    expect(safeRedirect(["/a"], "/")).toBe("/");
    expect(safeRedirect(42, "/")).toBe("/");
  });

  it("never returns a path another host could be read from", () => {
    // Every result is the fallback or starts with exactly one slash and has no backslash.
    const samples = [
      "/a/b/../../..//x",
      "/%2e%2e%2f%2e%2e%2f/x",
      "/.%2F.%2F/x",
      "/%5c/x",
      "/a/%2e%2e/%2e%2e//x",
    ];
    for (const target of samples) {
      const result = safeRedirect(target, "/");
      expect(result).toMatch(/^\/(?!\/)/);
      expect(result).not.toContain("\\");
      expect(new URL(result, "https://portal.example").origin).toBe("https://portal.example");
    }
  });
});
