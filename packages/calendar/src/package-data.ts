import data from "chinese-days/dist/chinese-days.json";
import { z } from "zod";
import { parseIsoDate, yearOf } from "./civil-date";

/**
 * The State Council schedules as published by `chinese-days`, read from its JSON
 * file (documented for non-JS users) rather than through its functions, for two
 * reasons: the functions cannot say which years they know, which is what tells a
 * settled deadline from a provisional one; and they read dates in the host's time
 * zone (1.5.7 on a host in America/Los_Angeles puts 2025-02-08 on 02-07).
 */
export interface PackageSchedule {
  /** Years the package has a published schedule for, ascending. */
  readonly years: readonly number[];
  /** Day number → Chinese name of the holiday, for every day off in a holiday period. */
  readonly holidays: ReadonlyMap<number, string>;
  /** Day number → Chinese name of the holiday it makes up for (调休上班). */
  readonly workdays: ReadonlyMap<number, string>;
}

const shape = z.object({
  holidays: z.record(z.string(), z.string()),
  workdays: z.record(z.string(), z.string()),
});

// Values read "English name,中文名,n", e.g. "Spring Festival,春节,4".
const ENTRY = /^[^,]*,([^,]+),\d+$/;

function readDays(kind: string, entries: Record<string, string>): Map<number, string> {
  const days = new Map<number, string>();
  for (const [date, value] of Object.entries(entries)) {
    const day = parseIsoDate(date);
    const name = ENTRY.exec(value)?.[1];
    // A new chinese-days release that changes the format must fail loudly, not
    // quietly turn holidays into working days.
    if (day === undefined || name === undefined) {
      const entry = `${kind}[${JSON.stringify(date)}] = ${JSON.stringify(value)}`;
      throw new Error(`chinese-days data has an unexpected entry ${entry}`);
    }
    days.set(day, name);
  }
  return days;
}

let cached: PackageSchedule | undefined;

/** The package data, read and checked once. */
export function packageSchedule(): PackageSchedule {
  if (cached) return cached;
  const parsed = shape.safeParse(data);
  if (!parsed.success) {
    throw new Error(`chinese-days data is not in the expected shape: ${parsed.error.message}`);
  }
  const holidays = readDays("holidays", parsed.data.holidays);
  const workdays = readDays("workdays", parsed.data.workdays);
  const years = new Set([...holidays.keys(), ...workdays.keys()].map(yearOf));
  cached = { years: [...years].sort((a, b) => a - b), holidays, workdays };
  return cached;
}
