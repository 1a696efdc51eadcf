import { isDate } from "../domain/clone";
import type { ItemRecord } from "../domain/item";

/** BSON has no `undefined`: drop it instead of storing null, so optional fields stay absent. */
export function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropUndefined) as T;
  if (value && typeof value === "object" && !isDate(value) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v);
    return out as T;
  }
  return value;
}

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
