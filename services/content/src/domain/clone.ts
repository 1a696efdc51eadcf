/**
 * Deep copies of plain records. Not `structuredClone`: it builds its Dates in
 * the host realm, where `instanceof Date` fails for code in another realm (a vm
 * context, as test runners use), and the copy would stop being a Date to it.
 */
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === "[object Date]";
}

/** A copy without `undefined` values, which BSON would store as null and proto inputs must omit. */
export function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropUndefined) as T;
  if (value && typeof value === "object" && !isDate(value) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v);
    return out as T;
  }
  return value;
}

export function deepClone<T>(value: T): T {
  if (isDate(value)) return new Date(value.getTime()) as T;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (Array.isArray(value)) return value.map(deepClone) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepClone(v);
    return out as T;
  }
  return value;
}
