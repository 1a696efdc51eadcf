/**
 * Calendar dates as whole day numbers (days since 1970-01-01), so that stepping a
 * day is `+ 1` and no host time zone or DST rule can shift a date. Asia/Shanghai
 * has been UTC+8 without daylight saving since 1991, which is what makes a fixed
 * offset correct for every date this package is asked about.
 */

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Four-digit years only, so every day formats back to the same "YYYY-MM-DD". */
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

/** Day number of a "YYYY-MM-DD" string, or undefined unless it is a real date. */
export function parseIsoDate(value: string): number | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < MIN_YEAR) return undefined;
  const utc = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  utc.setUTCFullYear(year, month - 1, day);
  if (utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return undefined;
  return utc.getTime() / DAY_MS;
}

/** Whether `value` is a real date written "YYYY-MM-DD". */
export function isIsoDate(value: string): boolean {
  return parseIsoDate(value) !== undefined;
}

/** "YYYY-MM-DD" of a day number. */
export function formatIsoDate(day: number): string {
  const utc = new Date(day * DAY_MS);
  const year = String(utc.getUTCFullYear()).padStart(4, "0");
  const month = String(utc.getUTCMonth() + 1).padStart(2, "0");
  const date = String(utc.getUTCDate()).padStart(2, "0");
  return `${year}-${month}-${date}`;
}

/** The Gregorian year of a day number. */
export function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** Whether a day number falls in the years this package can name ("YYYY", 0001-9999). */
export function isInRange(day: number): boolean {
  const year = yearOf(day);
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

/** Saturday or Sunday. */
export function isWeekend(day: number): boolean {
  // 1970-01-01 was a Thursday (4); the double modulo keeps days before 1970 positive.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}

/** The day an instant falls on in Asia/Shanghai. */
export function shanghaiDay(instant: Date): number {
  return Math.floor((instant.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** The last millisecond of a day in Asia/Shanghai (23:59:59.999 +08:00). */
export function endOfShanghaiDay(day: number): Date {
  return new Date((day + 1) * DAY_MS - SHANGHAI_OFFSET_MS - 1);
}
