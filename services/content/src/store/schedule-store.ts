import { randomUUID } from "node:crypto";
import { type Connection, type Model, Schema } from "mongoose";
import { isDuplicateKey } from "./record-codec";

/**
 * The scheduler's due index: one small document per revision that has a due
 * time (a scheduled publication or an expiry), in the collection `schedule`,
 * and a copy of all of them in memory, so that the scheduler's pass reads no
 * collection at all.
 *
 * FerretDB on SQLite pushes down only `_id` equality: a range on a due time
 * scans, wherever it is stored. So the collection is read whole: at start, and
 * again when the change mark (one document, read by `_id` every
 * `CONTENT_SCHEDULER_RELOAD_MS`) says that an entry was added since. It holds
 * only pending due times, whereas the items collection holds every item ever
 * published; and it is read again only after something was scheduled.
 *
 * Entries are insert-and-delete only, like revisions: an entry is written
 * before the revision it belongs to (as the outbox marker is) and removed only
 * once the item has moved past that revision (see the scheduler).
 */
export interface DueEntry {
  /** `<due time ISO>#<item id>#<revision>`: one per revision, so writers never overwrite each other. */
  _id: string;
  itemId: string;
  /** The revision whose record is due at `dueAt`. */
  revision: number;
  dueAt: Date;
  /** When it was written: an entry whose revision never appears belongs to a write that died. */
  at: Date;
}

/** What a record must say for the index: its id, revision and next due time. */
export interface DueSource {
  id: string;
  revision: number;
  nextDueAt: Date | null;
}

/** Marks that heads written before the index existed have been indexed (once per database). */
const BACKFILLED = "~backfilled";
/** Changes (a new token) after every entry added, so that other instances know to read the index again. */
const CHANGED = "~changed";
/** Entry ids begin with a date; these marks with `~`. */
const isMark = (id: string) => id.startsWith("~");

export function dueEntryId(itemId: string, revision: number, dueAt: Date): string {
  return `${dueAt.toISOString()}#${itemId}#${revision}`;
}

type Change = { add: DueEntry } | { remove: string };

export class ScheduleStore {
  readonly entries: Model<DueEntry>;
  private byId = new Map<string, DueEntry>();
  private byItem = new Map<string, Set<string>>();
  /** Local changes made while a reload reads the collection, replayed on what it read. */
  private journal: Change[] | undefined;
  /** The change mark's token as of the last load. */
  private loadedMark: string | undefined;
  /** The load under way: loads share one journal, so they never overlap. */
  private loading: Promise<void> | undefined;

  constructor(connection: Connection) {
    this.entries = connection.model<DueEntry>(
      "DueEntry",
      new Schema<DueEntry>(
        { _id: String, itemId: String, revision: Number, dueAt: Date, at: Date },
        { versionKey: false, strict: true, collection: "schedule" },
      ),
    );
  }

  /** How many entries the index holds. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Reads the whole collection into memory. The first load in a database also
   * indexes what was scheduled before the index existed: `scheduled()` may scan,
   * since it runs once per database. A load asked for while one is under way
   * waits for it; what that one missed changed the mark, for the next refresh.
   */
  load(scheduled?: () => Promise<DueSource[]>): Promise<void> {
    this.loading ??= this.read(scheduled).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(scheduled?: () => Promise<DueSource[]>): Promise<void> {
    if (scheduled && !(await this.entries.collection.findOne({ _id: BACKFILLED } as never))) {
      for (const source of await scheduled()) await this.insert(source);
      await this.markChanged();
      await this.entries.collection
        .insertOne({ _id: BACKFILLED, at: new Date() } as never)
        .catch((error: unknown) => {
          if (!isDuplicateKey(error)) throw error;
        });
    }
    this.journal = [];
    try {
      // The mark first: an entry added after this read changes it after its insert.
      const mark = await this.readMark();
      const docs = await this.entries.find().lean<DueEntry[]>();
      const fresh = new Map<string, DueEntry>();
      for (const doc of docs) if (!isMark(doc._id)) fresh.set(doc._id, doc);
      for (const change of this.journal) {
        if ("add" in change) fresh.set(change.add._id, change.add);
        else fresh.delete(change.remove);
      }
      this.byId = fresh;
      this.byItem = new Map();
      for (const entry of fresh.values()) this.remember(entry);
      this.loadedMark = mark;
    } finally {
      this.journal = undefined;
    }
  }

  /**
   * Reads the index again if an entry was added anywhere since the last load
   * (one read by `_id` when not); returns whether it did. Entries removed
   * elsewhere need no reload: one that falls due is settled against its item.
   */
  async refresh(): Promise<boolean> {
    if ((await this.readMark()) === this.loadedMark) return false;
    await this.load();
    return true;
  }

  private async readMark(): Promise<string> {
    const mark = await this.entries.collection.findOne<{ token?: string }>({
      _id: CHANGED,
    } as never);
    return mark?.token ?? "";
  }

  private async markChanged(): Promise<void> {
    const mark = { token: randomUUID(), at: new Date() };
    try {
      await this.entries.collection.replaceOne({ _id: CHANGED } as never, mark, { upsert: true });
    } catch (error) {
      // FerretDB upserts are not atomic: a racing writer inserted the mark first.
      if (!isDuplicateKey(error)) throw error;
      await this.entries.collection.replaceOne({ _id: CHANGED } as never, mark);
    }
  }

  /** Entries due by `now`, earliest first. */
  due(now: Date, limit: number): DueEntry[] {
    const due: DueEntry[] = [];
    for (const entry of this.byId.values()) if (entry.dueAt <= now) due.push(entry);
    return due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()).slice(0, limit);
  }

  has(itemId: string, revision: number, dueAt: Date): boolean {
    return this.byId.has(dueEntryId(itemId, revision, dueAt));
  }

  /** Writes the entry of a record that has a due time; called before its revision is stored. */
  async add(source: DueSource): Promise<void> {
    if (await this.insert(source)) await this.markChanged();
  }

  private async insert(source: DueSource): Promise<boolean> {
    if (!source.nextDueAt) return false;
    const entry: DueEntry = {
      _id: dueEntryId(source.id, source.revision, source.nextDueAt),
      itemId: source.id,
      revision: source.revision,
      dueAt: source.nextDueAt,
      at: new Date(),
    };
    try {
      await this.entries.collection.insertOne(entry as never);
    } catch (error) {
      // The same revision with the same due time, written by a racing writer: one entry serves both.
      if (!isDuplicateKey(error)) throw error;
    }
    this.remember(entry);
    this.journal?.push({ add: entry });
    return true;
  }

  /**
   * Removes the entries this instance knows of an item's revisions before
   * `revision`, once that revision is stored: the item has moved past them.
   * Entries only other instances know are settled when they fall due.
   */
  async supersede(itemId: string, revision: number): Promise<void> {
    const older = [...(this.byItem.get(itemId) ?? [])]
      .map((id) => this.byId.get(id)!)
      .filter((entry) => entry.revision < revision);
    if (older.length === 0) return;
    await this.entries.deleteMany({ _id: { $in: older.map((e) => e._id) } });
    for (const entry of older) this.forget(entry._id);
  }

  async remove(entry: DueEntry): Promise<void> {
    await this.entries.deleteOne({ _id: entry._id });
    this.forget(entry._id);
  }

  private remember(entry: DueEntry): void {
    this.byId.set(entry._id, entry);
    let ids = this.byItem.get(entry.itemId);
    if (!ids) this.byItem.set(entry.itemId, (ids = new Set()));
    ids.add(entry._id);
  }

  private forget(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    const ids = this.byItem.get(entry.itemId);
    ids?.delete(id);
    if (ids?.size === 0) this.byItem.delete(entry.itemId);
    this.journal?.push({ remove: id });
  }
}
