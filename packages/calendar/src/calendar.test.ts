import { createCalendar } from "./index";

const calendar = createCalendar();

/** An instant written in Shanghai time. */
const shanghai = (dateTime: string): Date => new Date(`${dateTime}+08:00`);
/** The deadline instant for a day: its last millisecond in Shanghai. */
const endOf = (date: string): Date => shanghai(`${date}T23:59:59.999`);
const dueDate = (from: Date | string, days: number): string =>
  calendar.day(calendar.addWorkingDays(from, days).dueAt).date;

describe("day", () => {
  it("marks the Spring Festival 2025 holiday and its make-up working days", () => {
    for (const date of ["2025-01-28", "2025-01-31", "2025-02-03", "2025-02-04"]) {
      expect(calendar.day(date)).toEqual({
        date,
        working: false,
        kind: "holiday",
        name: "春节",
        provisional: false,
      });
    }
    expect(calendar.day("2025-01-26")).toEqual({
      date: "2025-01-26",
      working: true,
      kind: "makeup-workday",
      name: "春节",
      provisional: false,
    });
    expect(calendar.day("2025-02-08")).toMatchObject({ working: true, kind: "makeup-workday" });
    expect(calendar.day("2025-01-27")).toEqual({
      date: "2025-01-27",
      working: true,
      kind: "workday",
      provisional: false,
    });
    expect(calendar.day("2025-01-25")).toMatchObject({ working: false, kind: "weekend" });
    expect(calendar.day("2025-02-09")).toMatchObject({ working: false, kind: "weekend" });
  });

  it("marks National Day 2025, which runs into the Mid-Autumn Festival", () => {
    const offDays = ["01", "02", "03", "04", "05", "06", "07", "08"].map((d) => `2025-10-${d}`);
    expect(offDays.map((date) => calendar.day(date).working)).toEqual(offDays.map(() => false));
    expect(calendar.day("2025-10-01").name).toBe("国庆节");
    expect(calendar.day("2025-10-06").name).toBe("中秋");
    expect(calendar.day("2025-09-28")).toMatchObject({ working: true, kind: "makeup-workday" });
    expect(calendar.day("2025-10-11")).toMatchObject({ working: true, kind: "makeup-workday" });
    expect(calendar.day("2025-10-09")).toMatchObject({ working: true, kind: "workday" });
  });

  it("reads a Date in Shanghai time, not UTC or the host's zone", () => {
    // 2025-01-26T17:00Z is 01:00 on Monday the 27th in Shanghai.
    expect(calendar.day(new Date("2025-01-26T17:00:00Z")).date).toBe("2025-01-27");
    expect(calendar.day(new Date("2025-01-26T15:59:59.999Z"))).toMatchObject({
      date: "2025-01-26",
      kind: "makeup-workday",
    });
    expect(calendar.day(new Date("2025-01-26T16:00:00Z")).date).toBe("2025-01-27");
  });
});

describe("addWorkingDays", () => {
  it("counts the make-up Sunday and skips the Spring Festival holiday", () => {
    const friday = shanghai("2025-01-24T10:00");
    // Sat 25 off, Sun 26 make-up (1), Mon 27 (2), 28 Jan - 4 Feb holiday, Wed 5 Feb (3).
    expect(dueDate(friday, 1)).toBe("2025-01-26");
    expect(dueDate(friday, 2)).toBe("2025-01-27");
    expect(calendar.addWorkingDays(friday, 3)).toEqual({
      dueAt: endOf("2025-02-05"),
      provisional: false,
    });
  });

  it("counts the make-up Saturday after the holiday", () => {
    // 5, 6, 7 Feb, Sat 8 Feb make-up (4), Sun 9 off, Mon 10 Feb (5).
    expect(dueDate("2025-01-27", 4)).toBe("2025-02-08");
    expect(dueDate("2025-01-27", 5)).toBe("2025-02-10");
  });

  it("jumps the National Day 2025 holiday", () => {
    expect(dueDate(shanghai("2025-09-30T18:00"), 1)).toBe("2025-10-09");
    // Fri 26 Sep: Sun 28 make-up (1), Mon 29 (2), Tue 30 (3), Thu 9 Oct (4).
    expect(dueDate("2025-09-26", 4)).toBe("2025-10-09");
  });

  it("never counts the start day, even when it is a working day", () => {
    expect(calendar.addWorkingDays(shanghai("2025-03-03T00:00"), 1).dueAt).toEqual(
      endOf("2025-03-04"),
    );
  });

  it("starts from the Shanghai date of the instant", () => {
    // Still Sunday the 26th in Shanghai: the next working day is Monday.
    expect(dueDate(new Date("2025-01-26T15:00:00Z"), 1)).toBe("2025-01-27");
    // Already Monday the 27th: the holiday follows.
    expect(dueDate(new Date("2025-01-26T17:00:00Z"), 1)).toBe("2025-02-05");
  });

  it("with 0 days is the end of the first working day on or after the start", () => {
    expect(dueDate(shanghai("2025-01-27T09:00"), 0)).toBe("2025-01-27");
    expect(dueDate("2025-01-28", 0)).toBe("2025-02-05");
  });

  it("is undone by workingDaysBetween", () => {
    const start = shanghai("2025-01-20T12:00");
    for (let days = 1; days <= 40; days++) {
      const { dueAt } = calendar.addWorkingDays(start, days);
      expect(calendar.workingDaysBetween(start, dueAt).days).toBe(days);
    }
  });
});

describe("addCalendarDays", () => {
  it("counts natural days and ends on the last millisecond of that day", () => {
    expect(calendar.addCalendarDays(shanghai("2025-03-03T08:00"), 10)).toEqual({
      dueAt: endOf("2025-03-13"),
      provisional: false,
    });
  });

  it("moves a deadline that falls on a day off to the next working day", () => {
    expect(calendar.addCalendarDays("2025-09-26", 5).dueAt).toEqual(endOf("2025-10-09"));
    expect(calendar.addCalendarDays("2025-03-03", 5).dueAt).toEqual(endOf("2025-03-10"));
  });

  it("keeps a deadline that falls on a make-up working day", () => {
    expect(calendar.addCalendarDays("2025-02-01", 7).dueAt).toEqual(endOf("2025-02-08"));
  });
});

describe("addHours", () => {
  it("adds exact clock hours, holidays or not", () => {
    const from = shanghai("2025-01-27T20:30");
    expect(calendar.addHours(from, 24)).toEqual({
      dueAt: shanghai("2025-01-28T20:30"),
      provisional: false,
    });
    expect(calendar.addHours(from, 1.5).dueAt).toEqual(shanghai("2025-01-27T22:00"));
    expect(calendar.addHours(from, 0).dueAt).toEqual(from);
  });

  it("is never provisional, even in a year without a schedule", () => {
    expect(calendar.addHours(shanghai("2099-06-01T00:00"), 48).provisional).toBe(false);
  });
});

describe("workingDaysBetween", () => {
  it("counts working days after the first date up to and including the second", () => {
    expect(calendar.workingDaysBetween("2025-01-24", "2025-02-05")).toEqual({
      days: 3,
      provisional: false,
    });
    expect(calendar.workingDaysBetween("2025-01-27", "2025-02-04").days).toBe(0);
  });

  it("says how many working days late a filing was", () => {
    const due = endOf("2025-02-05");
    expect(calendar.workingDaysBetween(due, shanghai("2025-02-05T23:00")).days).toBe(0);
    expect(calendar.workingDaysBetween(due, shanghai("2025-02-06T00:00")).days).toBe(1);
    expect(calendar.workingDaysBetween(due, shanghai("2025-02-10T09:00")).days).toBe(4);
  });

  it("is negative when the second date is earlier, and 0 on the same day", () => {
    expect(calendar.workingDaysBetween("2025-02-05", "2025-01-24").days).toBe(-3);
    const morning = shanghai("2025-03-03T08:00");
    expect(calendar.workingDaysBetween(morning, shanghai("2025-03-03T20:00")).days).toBe(0);
    // Backwards across a holiday with no working day in it: 0, not -0.
    expect(calendar.workingDaysBetween("2025-02-04", "2025-01-27").days).toBe(0);
  });
});

describe("argument checks", () => {
  it("rejects invalid dates, naming the argument", () => {
    expect(() => calendar.day("2025-02-29")).toThrow(
      new RangeError('date must be a Date or a date "YYYY-MM-DD", got "2025-02-29"'),
    );
    expect(() => calendar.day("2025-1-5")).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(new Date("soon"), 1)).toThrow(
      new RangeError("from is an invalid Date"),
    );
    expect(() => calendar.workingDaysBetween("2025-01-01", "tomorrow")).toThrow(/^to must be/);
    expect(() => calendar.day(new Date(Date.UTC(10_000, 0, 1)))).toThrow(/years 0001 to 9999/);
  });

  it("rejects day counts that are not whole numbers from 0 to 10000", () => {
    for (const days of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 10_001]) {
      expect(() => calendar.addWorkingDays("2025-01-02", days)).toThrow(
        `days must be a whole number from 0 to 10000, got ${days}`,
      );
      expect(() => calendar.addCalendarDays("2025-01-02", days)).toThrow(RangeError);
    }
  });

  it("rejects hours that are negative or not finite", () => {
    const from = shanghai("2025-01-02T09:00");
    for (const hours of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => calendar.addHours(from, hours)).toThrow(/^hours must be a finite number/);
    }
    expect(() => calendar.addHours(new Date(Number.NaN), 1)).toThrow(
      new RangeError("from must be a valid Date"),
    );
  });
});
