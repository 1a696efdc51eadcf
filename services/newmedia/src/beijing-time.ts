/** Both platforms count days in Beijing time, and operators read times in it. */
const UTC8_OFFSET_MS = 8 * 3_600_000;

/** The day, in Beijing time, that `at` falls on: "2026-12-05". */
export function beijingDay(at: number): string {
  return new Date(at + UTC8_OFFSET_MS).toISOString().slice(0, 10);
}

/** "12-05 14:30" in Beijing time, for sentences operators read. */
export function beijingTime(at: number): string {
  return new Date(at + UTC8_OFFSET_MS).toISOString().slice(5, 16).replace("T", " ");
}
