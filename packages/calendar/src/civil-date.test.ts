import {
  endOfShanghaiDay,
  formatIsoDate,
  isWeekend,
  parseIsoDate,
  shanghaiDay,
} from "./civil-date";

const dayOf = (date: string): number => {
  const day = parseIsoDate(date);
  if (day === undefined) throw new Error(`not a date: ${date}`);
  return day;
};

describe("civil dates", () => {
  it("accept real dates only", () => {
    expect(parseIsoDate("2024-02-29")).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    for (const bad of [
      "2025-02-29",
      "2100-02-29",
      "2025-04-31",
      "2025-00-10",
      "2025-1-1",
      "0000-01-01",
    ]) {
      expect(parseIsoDate(bad)).toBeUndefined();
    }
  });

  it("round-trip through day numbers, including years before 100 and before 1970", () => {
    for (const date of ["0099-12-31", "1969-12-31", "1970-01-01", "2025-01-27", "9999-12-31"]) {
      expect(formatIsoDate(dayOf(date))).toBe(date);
    }
  });

  it("know Saturdays and Sundays, before and after 1970", () => {
    expect(["2025-01-24", "2025-01-25", "2025-01-26"].map((d) => isWeekend(dayOf(d)))).toEqual([
      false,
      true,
      true,
    ]);
    // 1969-12-27 was a Saturday, 1969-12-29 a Monday.
    expect(isWeekend(dayOf("1969-12-27"))).toBe(true);
    expect(isWeekend(dayOf("1969-12-29"))).toBe(false);
  });

  it("put an instant on its Shanghai day, and end that day at 23:59:59.999 +08:00", () => {
    expect(formatIsoDate(shanghaiDay(new Date("2025-01-26T15:59:59.999Z")))).toBe("2025-01-26");
    expect(formatIsoDate(shanghaiDay(new Date("2025-01-26T16:00:00.000Z")))).toBe("2025-01-27");
    expect(endOfShanghaiDay(dayOf("2025-01-27")).toISOString()).toBe("2025-01-27T15:59:59.999Z");
  });
});
