/** The time zone every date on the website is shown in, whatever the host's. */
export const SITE_TIME_ZONE = "Asia/Shanghai";

const parts = new Intl.DateTimeFormat("en-CA", {
  timeZone: SITE_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function pieces(ms: number): Record<"year" | "month" | "day" | "hour" | "minute", string> {
  const out = { year: "0000", month: "00", day: "00", hour: "00", minute: "00" };
  for (const part of parts.formatToParts(ms)) {
    if (part.type in out) out[part.type as keyof typeof out] = part.value;
  }
  return out;
}

/** `YYYY-MM-DD` in Asia/Shanghai. */
export function formatDate(ms: number): string {
  const p = pieces(ms);
  return `${p.year}-${p.month}-${p.day}`;
}

/** `YYYY-MM-DD HH:mm` in Asia/Shanghai (the form the PubDate meta tag takes). */
export function formatDateTime(ms: number): string {
  const p = pieces(ms);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** `YYYY年M月D日` in Asia/Shanghai, as Chinese documents write dates. */
export function formatChineseDate(ms: number): string {
  const p = pieces(ms);
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日`;
}

// China has kept UTC+8 without daylight saving since 1992: from then on the year
// is plain arithmetic, which matters when a restart indexes 100,000 items.
const FIXED_OFFSET_FROM = Date.UTC(1992, 0, 1);
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar year in Asia/Shanghai. */
export function yearOf(ms: number): number {
  if (ms >= FIXED_OFFSET_FROM) return new Date(ms + SHANGHAI_OFFSET_MS).getUTCFullYear();
  return Number(pieces(ms).year);
}
