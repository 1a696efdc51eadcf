import { type Connection, type Model, Schema } from "mongoose";

/**
 * An item the relay could not send for a reason of the item's own (too large for
 * the topic, refused by the broker as invalid), kept out of the relay's passes so
 * that every other item keeps flowing. One document per item, `_id` = the item id,
 * so every read and write of it is keyed.
 */
export interface SetAsideDoc {
  _id: string;
  /** The newest revision whose marker this replaced: the relay sends that revision's state or newer. */
  revision: number;
  /** The version the relay tried to send. */
  version: number;
  /** The broker's error, as a sentence for operators. */
  reason: string;
  /** When it was first set aside; kept over failed retries. */
  setAsideAt: Date;
  /** Sends tried so far. */
  attempts: number;
  /** When the relay tries it again on its own. */
  retryAt: Date;
}

/** The set-aside items, in their own small collection (`outbox_aside`). */
export class SetAsideStore {
  readonly docs: Model<SetAsideDoc>;

  constructor(connection: Connection) {
    this.docs = connection.model<SetAsideDoc>(
      "OutboxSetAside",
      new Schema<SetAsideDoc>(
        {
          _id: String,
          revision: Number,
          version: Number,
          reason: String,
          setAsideAt: Date,
          attempts: Number,
          retryAt: Date,
        },
        { versionKey: false, collection: "outbox_aside" },
      ),
    );
  }

  /** Every set-aside item: few, since each is a problem an operator hears of. */
  async all(): Promise<SetAsideDoc[]> {
    return this.docs.find().lean<SetAsideDoc[]>();
  }

  async find(itemId: string): Promise<SetAsideDoc | undefined> {
    return (await this.docs.findById(itemId).lean<SetAsideDoc>()) ?? undefined;
  }

  /** Records (or re-records after a failed retry) an item as set aside. */
  async put(doc: SetAsideDoc): Promise<void> {
    await this.docs.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  /** Makes a set-aside item due now; false when the item is not set aside. */
  async retryNow(itemId: string, now: Date): Promise<boolean> {
    const result = await this.docs.updateOne({ _id: itemId }, { $set: { retryAt: now } });
    return result.matchedCount > 0;
  }

  /** Forgets items the relay has sent since. */
  async clear(itemIds: readonly string[]): Promise<void> {
    if (itemIds.length > 0) await this.docs.deleteMany({ _id: { $in: itemIds } });
  }
}
