import type { Logger } from "@herald/runtime";
import type { ItemService } from "./domain/item-service";
import type { ItemRecord } from "./domain/item";
import { type ItemStore, MARKER_REFRESH_MS } from "./store/item-store";
import type { DueEntry } from "./store/schedule-store";

export interface SchedulerOptions {
  store: ItemStore;
  items: ItemService;
  logger: Logger;
  intervalMs: number;
  /** How often the due index checks for entries other instances added. */
  reloadMs: number;
  now?: () => Date;
}

/** A due entry whose revision has not appeared by then belongs to a write that died before it. */
const ABANDONED_MS = 2 * MARKER_REFRESH_MS;
/** Due entries settled per pass; the rest follow in the next. */
const PASS_LIMIT = 500;

const sameTime = (a: Date | null, b: Date) => a !== null && a.getTime() === b.getTime();

/**
 * Publishes scheduled items and expires items when their time comes. It reads
 * what is due from the due index in memory (`ScheduleStore`), not from the
 * items: a pass with nothing due reads no collection, and one with something
 * due reads only those items. The index is durable (every revision with a due
 * time writes its entry before the revision), so it survives restarts; every
 * instance runs a scheduler, and the revision claim lets exactly one of them
 * act on each item.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly log: Logger;
  private reloadedAt = Date.now();
  lastRunAt: Date | undefined;
  /** Passes completed since start. */
  passes = 0;
  lastError: string | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.log = options.logger.child({ component: "scheduler" });
  }

  start(): void {
    const tick = () => {
      this.running = this.reloadWhenDue()
        .then(() => this.runOnce())
        .then(() => undefined)
        .catch((error: unknown) => {
          this.lastError = error instanceof Error ? error.message : String(error);
          this.log.error({ err: error }, "scheduler pass failed; retrying");
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Reads the due index again when others added to it: their entries reach this instance so. */
  private async reloadWhenDue(): Promise<void> {
    if (Date.now() - this.reloadedAt < this.options.reloadMs) return;
    await this.options.store.schedule.refresh();
    this.reloadedAt = Date.now();
  }

  /** One pass over everything due now; returns how many items changed. */
  async runOnce(now = this.options.now?.() ?? new Date()): Promise<number> {
    let changed = 0;
    let failure: string | undefined;
    for (const entry of this.options.store.schedule.due(now, PASS_LIMIT)) {
      try {
        if (await this.settle(entry)) changed += 1;
      } catch (error) {
        // One item that cannot be run must not hold up the others; its entry stays for the next pass.
        failure = `${entry.itemId}: ${error instanceof Error ? error.message : String(error)}`;
        this.log.error({ err: error, item: entry.itemId }, "due item failed; retrying next pass");
      }
    }
    this.lastRunAt = now;
    this.passes += 1;
    this.lastError = failure;
    return changed;
  }

  /**
   * Runs the item an entry is due for when the entry is the item's current
   * revision, then removes the entry once the item has moved past it. An entry
   * is removed only when the item's current revision is newer (that revision
   * wrote its own entry before it was stored, and is indexed here again in case
   * it predates the index) or is the same revision due at another time (the
   * entry of a writer that lost the revision claim); an entry whose revision is
   * not stored yet belongs to a write in flight and is kept, unless it is so old
   * that the write died. Returns whether this instance changed the item.
   */
  private async settle(entry: DueEntry): Promise<boolean> {
    const { store, items } = this.options;
    let record: ItemRecord | undefined = await store.find(entry.itemId);
    let changed = false;
    if (record?.revision === entry.revision && sameTime(record.nextDueAt, entry.dueAt)) {
      const result = await items.runDue(entry.itemId);
      if (result) {
        changed = true;
        this.log.info(
          { item: entry.itemId, action: result.record.audit.at(-1)?.action },
          "ran due item",
        );
      }
      // Run here or by another instance (whose revision claim won): read what it is now.
      record = result?.record ?? (await store.find(entry.itemId));
    }
    if (!record || record.revision < entry.revision) {
      // By the wall clock, as the entry's write time is (the service's clock may be set for tests).
      if (Date.now() - entry.at.getTime() > ABANDONED_MS) await store.schedule.remove(entry);
      return changed;
    }
    if (record.revision === entry.revision && sameTime(record.nextDueAt, entry.dueAt)) {
      return changed; // still due: nothing could run it this time; the next pass tries again
    }
    if (record.nextDueAt && !store.schedule.has(record.id, record.revision, record.nextDueAt)) {
      await store.schedule.add(record);
    }
    await store.schedule.remove(entry);
    return changed;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
