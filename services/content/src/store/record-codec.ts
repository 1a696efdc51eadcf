import { isDate } from "../domain/clone";
import type { ItemRecord } from "../domain/item";

const NULLABLE: ReadonlySet<string> = new Set(["draft", "reviewDueAt", "nextDueAt"]);

/** A stored record as the domain expects it: nulls of optional fields read back as absent. */
export function readRecord(value: ItemRecord): ItemRecord {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object" && !isDate(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === null && !NULLABLE.has(k)) continue;
        out[k] = strip(x);
      }
      return out;
    }
    return v;
  };
  return strip(value) as ItemRecord;
}

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number }).code === 11000;
}
