/** China Standard Time has no daylight saving: local midnight is always 16:00 UTC. */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** The Asia/Shanghai calendar day of an instant, as `YYYY-MM-DD`; daily quotas reset when it changes. */
export function shanghaiDay(at: number): string {
  return new Date(at + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of the next Asia/Shanghai midnight after `at`. */
export function nextShanghaiMidnight(at: number): number {
  return (Math.floor((at + SHANGHAI_OFFSET_MS) / DAY_MS) + 1) * DAY_MS - SHANGHAI_OFFSET_MS;
}
