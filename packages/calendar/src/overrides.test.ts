import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CalendarOverridesError,
  createCalendar,
  loadCalendarOverrides,
  type CalendarOverrides,
} from "./index";

const endOf = (date: string): Date => new Date(`${date}T23:59:59.999+08:00`);

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof CalendarOverridesError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a CalendarOverridesError");
}

const problemsWith = (overrides: unknown): string[] =>
  problemsOf(() => createCalendar({ overrides: overrides as CalendarOverrides }));

const year2027: CalendarOverrides = {
  years: {
    "2027": {
      holidays: { "2027-01-01": "元旦", "2027-02-08": "春节", "2027-02-09": "春节" },
      workdays: { "2027-02-07": "春节调休" },
      complete: true,
    },
  },
};

describe("coverage and provisional dates", () => {
  const calendar = createCalendar();

  it("has published schedules for 2004 through 2026 from chinese-days 1.5.7", () => {
    const years = Array.from({ length: 2026 - 2004 + 1 }, (_, i) => 2004 + i);
    expect(calendar.coverage()).toEqual(years);
  });

  it("assumes weekends off and weekdays worked in a year beyond the data, and says so", () => {
    expect(calendar.day("2027-01-01")).toEqual({
      date: "2027-01-01",
      working: true,
      kind: "workday",
      provisional: true,
    });
    expect(calendar.day("2027-01-02")).toMatchObject({ kind: "weekend", provisional: true });
    expect(calendar.day("2003-10-01")).toMatchObject({ working: true, provisional: true });
  });

  it("flags a deadline or count that reaches into such a year", () => {
    // Wed 2026-12-30: Thu 31 (1), then 2027 by the weekend rule: Fri 1, Mon 4 Jan.
    expect(calendar.addWorkingDays("2026-12-30", 3)).toEqual({
      dueAt: endOf("2027-01-04"),
      provisional: true,
    });
    expect(calendar.addWorkingDays("2026-12-01", 3).provisional).toBe(false);
    expect(calendar.addCalendarDays("2026-12-30", 2).provisional).toBe(true);
    expect(calendar.workingDaysBetween("2027-01-04", "2026-12-30")).toEqual({
      days: -3,
      provisional: true,
    });
  });
});

describe("overrides", () => {
  it("add a year: its days apply, and a complete year is not provisional", () => {
    const calendar = createCalendar({ overrides: year2027 });
    expect(calendar.coverage().at(-1)).toBe(2027);
    expect(calendar.day("2027-01-01")).toEqual({
      date: "2027-01-01",
      working: false,
      kind: "holiday",
      name: "元旦",
      provisional: false,
    });
    expect(calendar.day("2027-02-07")).toMatchObject({
      working: true,
      kind: "makeup-workday",
      name: "春节调休",
      provisional: false,
    });
    expect(calendar.addWorkingDays("2026-12-30", 3)).toEqual({
      dueAt: endOf("2027-01-05"),
      provisional: false,
    });
    // Fri 5 Feb: Sun 7 make-up (1), 8-9 holiday, Wed 10 (2).
    expect(calendar.addWorkingDays("2027-02-05", 2).dueAt).toEqual(endOf("2027-02-10"));
  });

  it("add days to a year that stays provisional until it is marked complete", () => {
    const partial = createCalendar({
      overrides: { years: { "2027": { holidays: { "2027-01-01": "元旦" } } } },
    });
    expect(partial.day("2027-01-01")).toMatchObject({ kind: "holiday", provisional: true });
    expect(partial.coverage()).not.toContain(2027);
    expect(partial.addWorkingDays("2026-12-30", 3)).toEqual({
      dueAt: endOf("2027-01-05"),
      provisional: true,
    });
  });

  it("correct days in the package data, and win over it", () => {
    const calendar = createCalendar({
      overrides: {
        years: {
          2025: {
            holidays: { "2025-02-05": "春节（延长）" },
            workdays: { "2025-02-04": "春节调休" },
            ordinary: ["2025-02-08"],
          },
        },
      },
    });
    expect(calendar.day("2025-02-05")).toMatchObject({ working: false, name: "春节（延长）" });
    expect(calendar.day("2025-02-04")).toMatchObject({ working: true, kind: "workday" });
    expect(calendar.day("2025-02-08")).toEqual({
      date: "2025-02-08",
      working: false,
      kind: "weekend",
      provisional: false,
    });
    // Sun 26 Jan (1), Mon 27 (2), Tue 4 Feb now worked (3).
    expect(calendar.addWorkingDays("2025-01-24", 3).dueAt).toEqual(endOf("2025-02-04"));
    // Thu 6 (1), Fri 7 (2), Sat 8 no longer worked, Mon 10 (3).
    expect(calendar.addWorkingDays("2025-02-05", 3).dueAt).toEqual(endOf("2025-02-10"));
    // Another calendar keeps the package data.
    expect(createCalendar().day("2025-02-08").working).toBe(true);
  });

  it("trim names", () => {
    const calendar = createCalendar({
      overrides: { years: { "2027": { holidays: { "2027-01-01": " 元旦 " } } } },
    });
    expect(calendar.day("2027-01-01").name).toBe("元旦");
  });
});

describe("override errors", () => {
  it("name the path and the rule", () => {
    expect(problemsWith({ years: { "2027": { holidays: { "2027-13-01": "元旦" } } } })).toEqual([
      'years.2027.holidays: "2027-13-01" is not a date (YYYY-MM-DD)',
    ]);
  });

  it("are all reported at once", () => {
    const problems = problemsWith({
      years: {
        "27": {},
        "2027": {
          holidays: { "2027-02-30": "春节", "2027-01-01": "" },
          workdays: { "2027-02-07": 1 },
          ordinary: ["2027-2-8"],
          complete: "yes",
          workday: {},
        },
      },
    });
    expect(problems).toEqual([
      'years: "27" is not a year (YYYY)',
      'years.2027.holidays: "2027-02-30" is not a date (YYYY-MM-DD)',
      "years.2027.holidays.2027-01-01: must be a non-empty name",
      "years.2027.workdays.2027-02-07: must be a name (a string)",
      'years.2027.ordinary.0: "2027-2-8" is not a date (YYYY-MM-DD)',
      "years.2027.complete: must be true or false",
      'years.2027: unknown key "workday" (expected holidays, workdays, ordinary, complete)',
    ]);
  });

  it("reject a date filed under another year, or listed twice", () => {
    const problems = problemsWith({
      years: {
        "2027": {
          holidays: { "2026-12-31": "元旦", "2027-01-01": "元旦" },
          ordinary: ["2027-01-01"],
        },
      },
    });
    expect(problems).toEqual([
      'years.2027.holidays: "2026-12-31" is not in 2027',
      'years.2027: "2027-01-01" is listed in both holidays and ordinary',
    ]);
  });

  it("reject a value that is not an override object", () => {
    expect(problemsWith(2027)).toEqual([
      '(top level): must be an object like { "years": { "2027": { ... } } }',
    ]);
    expect(problemsWith({})).toEqual(["years: is required"]);
    expect(problemsWith({ years: {}, year: {} })).toEqual([
      '(top level): unknown key "year" (expected years)',
    ]);
  });

  it("say where the overrides came from", () => {
    expect(() => createCalendar({ overrides: {} as CalendarOverrides })).toThrow(
      "Invalid calendar overrides in options.overrides:\n  - years: is required",
    );
  });
});

describe("loadCalendarOverrides", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "herald-calendar-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text, "utf8");
    return path;
  }

  it("reads a JSON file, byte-order mark or not, into overrides a calendar takes", async () => {
    const path = await file("holidays.json", `\uFEFF${JSON.stringify(year2027, null, 2)}`);
    const overrides = await loadCalendarOverrides(path);
    expect(overrides).toEqual(year2027);
    expect(createCalendar({ overrides }).day("2027-02-09").kind).toBe("holiday");
  });

  it("names the file in every error", async () => {
    const bad = await file("bad.json", '{ "years": { "2027": { "complete": 1 } } }');
    await expect(loadCalendarOverrides(bad)).rejects.toThrow(
      `Invalid calendar overrides in ${bad}:\n  - years.2027.complete: must be true or false`,
    );
    const broken = await file("broken.json", '{ "years": ');
    await expect(loadCalendarOverrides(broken)).rejects.toThrow(
      new RegExp(`^Invalid calendar overrides in .*broken\\.json:\\n  - not valid JSON: `),
    );
    const missing = join(dir, "missing.json");
    await expect(loadCalendarOverrides(missing)).rejects.toMatchObject({
      name: "CalendarOverridesError",
      source: missing,
      problems: [expect.stringMatching(/^cannot read the file: ENOENT/)],
    });
  });
});
