import {
  endOfShanghaiDay,
  formatIsoDate,
  isInRange,
  isWeekend,
  parseIsoDate,
  shanghaiDay,
  yearOf,
} from "./civil-date";
import { type CalendarOverrides, parseCalendarOverrides } from "./overrides";
import { packageSchedule } from "./package-data";

/** Why a day is, or is not, a working day. */
export type DayKind = "workday" | "weekend" | "holiday" | "makeup-workday";

/** One day in Asia/Shanghai. */
export interface CalendarDay {
  /** "YYYY-MM-DD" in Asia/Shanghai. */
  date: string;
  working: boolean;
  /** A Saturday or Sunday that is worked to make up for a holiday is `makeup-workday` (调休上班). */
  kind: DayKind;
  /** The holiday (or, for a make-up day, the holiday it makes up for), e.g. "春节". */
  name?: string;
  /** The year has no published schedule here, so weekends were assumed off and weekdays worked. */
  provisional: boolean;
}

/** A deadline, and whether it rests on a year whose schedule is not published yet. */
export interface Deadline {
  dueAt: Date;
  provisional: boolean;
}

/** A count of working days, and whether it crosses a year whose schedule is not published yet. */
export interface WorkingDayCount {
  days: number;
  provisional: boolean;
}

/** A calendar day: a Date is read in Asia/Shanghai; a string is "YYYY-MM-DD". */
export type DayInput = Date | string;

export interface CalendarOptions {
  /** Additions and corrections; they win over the package data. */
  overrides?: CalendarOverrides | undefined;
}

/** Working days in Asia/Shanghai under China's statutory holiday schedule. */
export interface WorkingCalendar {
  /** What kind of day `date` is. */
  day(date: DayInput): CalendarDay;
  /**
   * End (23:59:59.999 +08:00) of the `days`-th working day after the day of `from`;
   * the start day itself never counts. With `days` = 0, the end of the first working
   * day on or after the start day.
   */
  addWorkingDays(from: DayInput, days: number): Deadline;
  /**
   * End of the day `days` calendar days after the day of `from`, moved to the next
   * working day when that day is off.
   */
  addCalendarDays(from: DayInput, days: number): Deadline;
  /** Exactly `hours` clock hours after `from`; days off do not matter, so never provisional. */
  addHours(from: Date, hours: number): Deadline;
  /**
   * Working days after the day of `from` up to and including the day of `to`;
   * negative when `to` is earlier, 0 on the same day. With `from` a deadline and `to`
   * the time something happened, it is how many working days late that was.
   */
  workingDaysBetween(from: DayInput, to: DayInput): WorkingDayCount;
  /** Years with a published schedule (package data and complete overrides), ascending. */
  coverage(): number[];
}

/** Longest span `addWorkingDays` and `addCalendarDays` accept, about 27 to 40 years. */
const MAX_DAYS = 10_000;

interface SpecialDay {
  working: boolean;
  name: string;
}

/** Realm-safe: a Date made in another vm context is still a Date. */
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === "[object Date]";
}

function toDay(value: unknown, argument: string): number {
  let day: number | undefined;
  if (isDate(value)) {
    if (Number.isNaN(value.getTime())) throw new RangeError(`${argument} is an invalid Date`);
    day = shanghaiDay(value);
    if (!isInRange(day)) {
      throw new RangeError(`${argument} must fall in the years 0001 to 9999 in Asia/Shanghai`);
    }
  } else if (typeof value === "string") {
    day = parseIsoDate(value);
  }
  if (day === undefined) {
    throw new RangeError(
      `${argument} must be a Date or a date "YYYY-MM-DD", got ${JSON.stringify(value)}`,
    );
  }
  return day;
}

function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 0 || days > MAX_DAYS) {
    throw new RangeError(`days must be a whole number from 0 to ${MAX_DAYS}, got ${days}`);
  }
}

/**
 * Builds a calendar from the `chinese-days` data and optional overrides. Overrides
 * are checked here too, so a plain object from anywhere gets the same errors as a file.
 *
 * @throws CalendarOverridesError when `options.overrides` breaks a rule
 */
export function createCalendar(options: CalendarOptions = {}): WorkingCalendar {
  const data = packageSchedule();
  const special = new Map<number, SpecialDay>();
  for (const [day, name] of data.holidays) special.set(day, { working: false, name });
  for (const [day, name] of data.workdays) special.set(day, { working: true, name });
  const published = new Set(data.years);

  if (options.overrides !== undefined) {
    const overrides = parseCalendarOverrides(options.overrides, "options.overrides");
    for (const [year, override] of Object.entries(overrides.years)) {
      const at = (date: string): number => toDay(date, `overrides.years.${year}`);
      for (const date of override.ordinary ?? []) special.delete(at(date));
      for (const [date, name] of Object.entries(override.holidays ?? {})) {
        special.set(at(date), { working: false, name });
      }
      for (const [date, name] of Object.entries(override.workdays ?? {})) {
        special.set(at(date), { working: true, name });
      }
      if (override.complete === true) published.add(Number(year));
    }
  }

  const isWorking = (day: number): boolean => special.get(day)?.working ?? !isWeekend(day);

  /** Whether any year from `first` to `last` (day numbers, either order) lacks a schedule. */
  const isProvisional = (first: number, last: number): boolean => {
    const [from, to] =
      first <= last ? [yearOf(first), yearOf(last)] : [yearOf(last), yearOf(first)];
    for (let year = from; year <= to; year++) if (!published.has(year)) return true;
    return false;
  };

  const nextWorkingDay = (day: number): number => {
    let next = day;
    while (!isWorking(next)) next++;
    return next;
  };

  const deadline = (start: number, due: number): Deadline => ({
    dueAt: endOfShanghaiDay(due),
    provisional: isProvisional(start, due),
  });

  return {
    day(input) {
      const day = toDay(input, "date");
      const entry = special.get(day);
      const weekend = isWeekend(day);
      const date = formatIsoDate(day);
      const provisional = !published.has(yearOf(day));
      if (entry === undefined) {
        const kind = weekend ? "weekend" : "workday";
        return { date, working: !weekend, kind, provisional };
      }
      const { working, name } = entry;
      // A worked weekday from an override is an ordinary workday that carries a name.
      const kind = !working ? "holiday" : weekend ? "makeup-workday" : "workday";
      return { date, working, kind, name, provisional };
    },

    addWorkingDays(from, days) {
      const start = toDay(from, "from");
      checkDays(days);
      let due = start;
      for (let counted = 0; counted < days;) {
        due++;
        if (isWorking(due)) counted++;
      }
      return deadline(start, days === 0 ? nextWorkingDay(start) : due);
    },

    addCalendarDays(from, days) {
      const start = toDay(from, "from");
      checkDays(days);
      return deadline(start, nextWorkingDay(start + days));
    },

    addHours(from, hours) {
      if (!isDate(from) || Number.isNaN(from.getTime())) {
        throw new RangeError("from must be a valid Date");
      }
      if (!Number.isFinite(hours) || hours < 0) {
        throw new RangeError(`hours must be a finite number of 0 or more, got ${hours}`);
      }
      const dueAt = new Date(from.getTime() + hours * 3_600_000);
      if (Number.isNaN(dueAt.getTime())) throw new RangeError(`hours is too large: ${hours}`);
      return { dueAt, provisional: false };
    },

    workingDaysBetween(from, to) {
      const [start, end] = [toDay(from, "from"), toDay(to, "to")];
      const [low, high, sign] = start <= end ? [start, end, 1] : [end, start, -1];
      let days = 0;
      for (let day = low + 1; day <= high; day++) if (isWorking(day)) days++;
      // `sign * 0` would be -0, which prints and compares oddly in callers' assertions.
      return { days: days === 0 ? 0 : sign * days, provisional: isProvisional(start, end) };
    },

    coverage() {
      return [...published].sort((a, b) => a - b);
    },
  };
}
