import { malformedUrl } from "./url";

describe("malformedUrl", () => {
  it.each(["/", "/items/a%20b", "/search?q=%E6%B5%B7&page=2", "/a?b", "/catalogue/政务"])(
    "accepts %j",
    (url) => {
      expect(malformedUrl(url)).toBeUndefined();
    },
  );

  it.each([
    ["/items/%zz", "path"],
    ["/items/%", "path"],
    ["/items/%E0%A4%A", "path"],
    ["/items/%FF", "path"],
    ["/search?q=%zz", "query"],
    ["/search?q=%E6%B5", "query"],
  ])("refuses %j, naming the %s and the rule", (url, field) => {
    const problem = malformedUrl(url);
    expect(problem).toMatchObject({ field, rule: "url.percent-encoding" });
    expect(problem?.message).toMatch(new RegExp(`^${field}: .*url\\.percent-encoding`));
  });
});
