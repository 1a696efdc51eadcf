import type { Connection } from "mongoose";

/** `account_starts`, `_id` = outlet id: when the account's outlet first started. */
interface AccountStartDocument {
  _id: string;
  startedAt: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * When the account's outlet first started, recorded at its first start and kept
 * ever after: an account that never posted is counted from then, across
 * restarts. The first start wins by an insert into the unique `_id`; a later
 * start's insert fails on the duplicate key and reads the first one back
 * (FerretDB has no compare-and-set, and an upsert would let two instances
 * starting at once both write).
 */
export async function recordFirstStart(
  db: Connection,
  outletId: string,
  now: number,
): Promise<Date> {
  const starts = db.collection<AccountStartDocument>("account_starts");
  try {
    await starts.insertOne({ _id: outletId, startedAt: new Date(now) });
  } catch (error) {
    if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
  }
  const recorded = await starts.findOne({ _id: outletId });
  if (!recorded) {
    throw new Error(
      `account_starts: the first start of ${outletId} was recorded but cannot be read back`,
    );
  }
  return recorded.startedAt;
}
