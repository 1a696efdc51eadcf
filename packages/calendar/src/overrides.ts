import { readFile } from "node:fs/promises";
import { z } from "zod";
import { isIsoDate } from "./civil-date";

/** Corrections and additions for one year. Dates must lie in that year. */
export interface YearOverride {
  /** Days off, date → name, e.g. `{ "2027-01-01": "元旦" }`. */
  holidays?: Readonly<Record<string, string>> | undefined;
  /** Working days, date → name; on a Saturday or Sunday this is a make-up working day (调休上班). */
  workdays?: Readonly<Record<string, string>> | undefined;
  /** Dates that follow the plain weekend rule again, whatever the package data says about them. */
  ordinary?: readonly string[] | undefined;
  /**
   * The year's whole schedule is here (or in the package data), so its dates are
   * not provisional. Leave it out while only part of a year is known.
   */
  complete?: boolean | undefined;
}

/** What a calendar override file holds: `{ "years": { "2027": { ... } } }`. */
export interface CalendarOverrides {
  years: Readonly<Record<string, YearOverride>>;
}

/** Invalid overrides, with one line per problem naming its path and the rule it breaks. */
export class CalendarOverridesError extends Error {
  constructor(
    /** The file path, or `options.overrides` for a value passed in code. */
    readonly source: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `Invalid calendar overrides in ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      options,
    );
    this.name = "CalendarOverridesError";
  }
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

const notADate = (issue: { input: unknown }): string =>
  `${show(issue.input)} is not a date (YYYY-MM-DD)`;
const date = z.string({ error: notADate }).refine(isIsoDate, { error: notADate });

const name = z
  .string({ error: "must be a name (a string)" })
  .trim()
  .min(1, { error: "must be a non-empty name" });

const namedDays = z.record(date, name, { error: "must be an object of date → name" });

const YEAR_KEYS = ["holidays", "workdays", "ordinary", "complete"] as const;

const yearOverride = z.strictObject(
  {
    holidays: namedDays.optional(),
    workdays: namedDays.optional(),
    ordinary: z.array(date, { error: "must be a list of dates" }).optional(),
    complete: z.boolean({ error: "must be true or false" }).optional(),
  },
  { error: `must be an object with any of ${YEAR_KEYS.join(", ")}` },
);

const year = z.string().regex(/^\d{4}$/, {
  error: (issue) => `${show(issue.input)} is not a year (YYYY)`,
});

type Years = Record<string, z.output<typeof yearOverride>>;

/** Rules that need the year a date is filed under, or more than one list at once. */
function checkYears(years: Years, ctx: z.RefinementCtx): void {
  for (const [key, override] of Object.entries(years)) {
    const seen = new Map<string, string>();
    const lists = {
      holidays: Object.keys(override.holidays ?? {}),
      workdays: Object.keys(override.workdays ?? {}),
      ordinary: override.ordinary ?? [],
    };
    for (const [list, dates] of Object.entries(lists)) {
      for (const day of dates) {
        if (!day.startsWith(`${key}-`)) {
          const message = `${show(day)} is not in ${key}`;
          ctx.addIssue({ code: "custom", path: [key, list], message });
        }
        const earlier = seen.get(day);
        if (earlier !== undefined && earlier !== list) {
          const message = `${show(day)} is listed in both ${earlier} and ${list}`;
          ctx.addIssue({ code: "custom", path: [key], message });
        }
        seen.set(day, list);
      }
    }
  }
}

const overridesSchema = z.strictObject(
  {
    years: z
      .record(year, yearOverride, {
        error: (issue) =>
          issue.input === undefined ? "is required" : "must be an object keyed by year",
      })
      .superRefine(checkYears),
  },
  { error: 'must be an object like { "years": { "2027": { ... } } }' },
);

const where = (path: readonly string[]): string => path.join(".") || "(top level)";

function problemOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  switch (issue.code) {
    case "invalid_key":
      // The bad key is the last path segment; name it in the rule, as a value.
      return `${where(path.slice(0, -1))}: ${issue.issues[0]?.message ?? issue.message}`;
    case "unrecognized_keys": {
      // Only two objects are strict: the top level and a year.
      const allowed = path.length === 0 ? ["years"] : YEAR_KEYS;
      const keys = issue.keys.map(show).join(", ");
      const noun = issue.keys.length > 1 ? "keys" : "key";
      return `${where(path)}: unknown ${noun} ${keys} (expected ${allowed.join(", ")})`;
    }
    default:
      return `${where(path)}: ${issue.message}`;
  }
}

/**
 * Checks overrides that arrive as a value (from a file or from code) and returns
 * them with names trimmed. Every problem is collected before failing.
 *
 * @param source - where the value came from, for the error message
 * @throws CalendarOverridesError naming each path and the rule it breaks
 */
export function parseCalendarOverrides(value: unknown, source: string): CalendarOverrides {
  const result = overridesSchema.safeParse(value);
  if (result.success) return result.data;
  throw new CalendarOverridesError(source, result.error.issues.map(problemOf));
}

/** An error's message. Not `instanceof Error`: under jest, fs errors come from another realm. */
function reasonOf(error: unknown): string {
  const message: unknown =
    typeof error === "object" && error !== null && "message" in error ? error.message : undefined;
  return typeof message === "string" ? message : String(error);
}

/**
 * Reads a JSON override file: additions for a year whose schedule the package does
 * not have yet, or corrections to days it has wrong.
 *
 * @throws CalendarOverridesError when the file cannot be read, is not JSON, or breaks a rule
 */
export async function loadCalendarOverrides(path: string): Promise<CalendarOverrides> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const problem = `cannot read the file: ${reasonOf(error)}`;
    throw new CalendarOverridesError(path, [problem], { cause: error });
  }
  let json: unknown;
  try {
    // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    const problem = `not valid JSON: ${reasonOf(error)}`;
    throw new CalendarOverridesError(path, [problem], { cause: error });
  }
  return parseCalendarOverrides(json, path);
}
