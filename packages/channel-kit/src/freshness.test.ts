import { judgeFreshness } from "./freshness";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-12-05T10:00:00+08:00");
const rule = { warningDays: 10, findingDays: 14 };
/** Posted `days` days (and `extraMs`) before NOW. */
const postedAgo = (days: number, extraMs = 0) => ({
  lastPostAt: NOW - days * DAY - extraMs,
  since: NOW - 100 * DAY,
});

describe("one freshness rule for every screen", () => {
  it("is ok after a recent post, and says when it was", () => {
    expect(judgeFreshness(rule, postedAgo(3), NOW)).toEqual({
      level: "ok",
      code: "freshness.ok",
      days: 3,
      posted: true,
      warningDays: 10,
      findingDays: 14,
      message: "最近一次发布在 3 天前",
    });
    expect(judgeFreshness(rule, postedAgo(0, 60_000), NOW).message).toBe("今天有发布");
  });

  it("warns with the days left, and names the rule", () => {
    const judged = judgeFreshness(rule, postedAgo(11), NOW);
    expect(judged).toMatchObject({ level: "warning", code: "freshness.warning", days: 11 });
    expect(judged.message).toBe(
      "最近一次发布在 11 天前，连续 14 天未更新即判定为不合格，还剩 3 天（freshness.warning）",
    );
  });

  it("is a finding from the finding days, and names the rule", () => {
    const judged = judgeFreshness(rule, postedAgo(20), NOW);
    expect(judged).toMatchObject({ level: "finding", code: "freshness.finding", days: 20 });
    expect(judged.message).toBe(
      "最近一次发布在 20 天前，已达 14 天未更新：考核将判定账号长期未更新，请尽快发布（freshness.finding）",
    );
  });

  it.each([
    [9, 23 * 60 * 60 * 1000, 9, "ok"],
    [10, 0, 10, "warning"],
    [13, 23 * 60 * 60 * 1000, 13, "warning"],
    [14, 0, 14, "finding"],
  ] as const)(
    "counts whole days down: %i days and %i ms without a post is %i days, %s",
    (days, extraMs, counted, level) => {
      expect(judgeFreshness(rule, postedAgo(days, extraMs), NOW)).toMatchObject({
        days: counted,
        level,
      });
    },
  );

  it("just before the warning day is still ok, and just before the finding day still a warning", () => {
    expect(judgeFreshness(rule, { lastPostAt: NOW - 10 * DAY + 1, since: 0 }, NOW).level).toBe(
      "ok",
    );
    expect(judgeFreshness(rule, { lastPostAt: NOW - 14 * DAY + 1, since: 0 }, NOW).level).toBe(
      "warning",
    );
  });

  it("counts an account that never posted from when it came into service", () => {
    const fresh = judgeFreshness(rule, { since: NOW - 2 * DAY }, NOW);
    expect(fresh).toMatchObject({ level: "ok", days: 2, posted: false });
    expect(fresh.message).toBe("接入以来 2 天没有发布过内容");

    const warned = judgeFreshness(rule, { since: NOW - 10 * DAY }, NOW);
    expect(warned).toMatchObject({ level: "warning", days: 10, posted: false });
    expect(warned.message).toBe(
      "接入以来 10 天没有发布过内容，连续 14 天未更新即判定为不合格，还剩 4 天（freshness.warning）",
    );

    expect(judgeFreshness(rule, { since: NOW - 14 * DAY }, NOW)).toMatchObject({
      level: "finding",
      days: 14,
      posted: false,
    });
  });

  it("judges at the time it is given, not the machine's", () => {
    const input = { lastPostAt: NOW - DAY, since: NOW - DAY };
    expect(judgeFreshness(rule, input, NOW).level).toBe("ok");
    expect(judgeFreshness(rule, input, NOW + 9 * DAY).level).toBe("warning");
    expect(judgeFreshness(rule, input, NOW + 13 * DAY).level).toBe("finding");
  });

  it("counts a post stamped after now (a clock behind another) as today", () => {
    expect(judgeFreshness(rule, { lastPostAt: NOW + DAY, since: 0 }, NOW)).toMatchObject({
      days: 0,
      level: "ok",
    });
  });

  it("refuses a rule or a time it cannot count with, naming the field", () => {
    expect(() => judgeFreshness({ warningDays: -1, findingDays: 14 }, postedAgo(1), NOW)).toThrow(
      "freshness.warningDays must be a whole number of days, 0 or more; got -1",
    );
    expect(() => judgeFreshness({ warningDays: 10, findingDays: 1.5 }, postedAgo(1), NOW)).toThrow(
      "freshness.findingDays must be a whole number of days",
    );
    expect(() => judgeFreshness(rule, { since: Number.NaN }, NOW)).toThrow(
      "freshness since must be a time",
    );
    expect(() => judgeFreshness(rule, postedAgo(1), Number.NaN)).toThrow(
      "freshness now must be a time",
    );
  });
});
