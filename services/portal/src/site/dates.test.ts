import { yearOf } from "./dates";

describe("yearOf", () => {
  it("turns the year at midnight in Shanghai, not in UTC", () => {
    expect(yearOf(Date.UTC(2015, 11, 31, 15, 59))).toBe(2015);
    expect(yearOf(Date.UTC(2015, 11, 31, 16, 0))).toBe(2016);
  });

  it("follows the time zone's rules before 1992, when China had daylight saving", () => {
    expect(yearOf(Date.UTC(1989, 11, 31, 16, 0))).toBe(1990);
    expect(yearOf(Date.UTC(1989, 11, 31, 15, 59))).toBe(1989);
  });
});
