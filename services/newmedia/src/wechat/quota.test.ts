import { QuotaCounter, quotaDay, quotaResetsAt } from "./quota";

describe("WeChat daily quotas", () => {
  it("count by the Beijing day, which starts at 16:00 UTC", () => {
    expect(quotaDay(Date.parse("2026-12-05T15:59:59Z"))).toBe("2026-12-05");
    expect(quotaDay(Date.parse("2026-12-05T16:00:00Z"))).toBe("2026-12-06");
    expect(quotaResetsAt(Date.parse("2026-12-05T10:00:00Z")).toISOString()).toBe(
      "2026-12-05T16:00:00.000Z",
    );
    expect(quotaResetsAt(Date.parse("2026-12-05T16:00:00Z")).toISOString()).toBe(
      "2026-12-06T16:00:00.000Z",
    );
  });

  it("stop at the limit, or when the platform says so, until the day changes", () => {
    let now = Date.parse("2026-12-05T10:00:00Z");
    const quota = new QuotaCounter({ "freepublish/delete": 2, "freepublish/get": 100 }, () => now);
    quota.count("freepublish/delete");
    expect(quota.exhausted("freepublish/delete")).toBe(false);
    quota.count("freepublish/delete");
    expect(quota.exhausted("freepublish/delete")).toBe(true);
    quota.exhaust("freepublish/get");
    expect(quota.report()).toEqual({
      "freepublish/delete": { used: 2, limit: 2 },
      "freepublish/get": { used: 100, limit: 100 },
    });
    // Unlimited APIs are counted but not reported as quotas.
    quota.count("media/uploadimg");
    expect(quota.calls()["media/uploadimg"]).toBe(1);
    expect(quota.report()["media/uploadimg"]).toBeUndefined();

    now = Date.parse("2026-12-05T16:00:01Z");
    expect(quota.exhausted("freepublish/delete")).toBe(false);
    expect(quota.report()["freepublish/get"]).toEqual({ used: 0, limit: 100 });
  });

  it("restore only the counts of the same day", () => {
    const now = Date.parse("2026-12-05T10:00:00Z");
    const quota = new QuotaCounter({ "draft/add": 1000 }, () => now);
    quota.restore({ day: "2026-12-04", used: { "draft/add": 7 } });
    expect(quota.report()["draft/add"]?.used).toBe(0);
    quota.restore({ day: "2026-12-05", used: { "draft/add": 7 } });
    quota.count("draft/add");
    expect(quota.report()["draft/add"]?.used).toBe(8);
  });
});
