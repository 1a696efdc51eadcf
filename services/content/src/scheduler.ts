import type { Logger } from "@herald/runtime";
import type { ItemService } from "./domain/item-service";
import type { ItemStore } from "./store/item-store";

export interface SchedulerOptions {
  store: ItemStore;
  items: ItemService;
  logger: Logger;
  intervalMs: number;
  now?: () => Date;
}

/**
 * Publishes scheduled items and expires items when their time comes. Its state
 * is the items themselves (`nextDueAt`), so it survives restarts; every instance
 * runs one, and the revision claim lets exactly one of them act on each item.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly log: Logger;
  lastRunAt: Date | undefined;
  lastError: string | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.log = options.logger.child({ component: "scheduler" });
  }

  start(): void {
    const tick = () => {
      this.running = this.runOnce()
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

  /** One pass over everything due now; returns how many items changed. */
  async runOnce(now = this.options.now?.() ?? new Date()): Promise<number> {
    let changed = 0;
    for (const id of await this.options.store.due(now, 500)) {
      const result = await this.options.items.runDue(id);
      if (result) {
        changed += 1;
        this.log.info({ item: id, action: result.record.audit.at(-1)?.action }, "ran due item");
      }
    }
    this.lastRunAt = now;
    this.lastError = undefined;
    return changed;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
