import type { ItemState } from "@herald/contracts";
import { type BackoffOptions, backoffDelay } from "./backoff";

interface Pending {
  state: ItemState;
  attempt: number;
  partition: number;
  timer: NodeJS.Timeout;
}

/**
 * Deferred retries of items whose apply failed, kept in memory so that the item
 * stream goes on meanwhile. A newer version of the item supersedes its retry; a
 * partition that moves to another instance takes its retries with it (they are
 * dropped here, and the new owner, the FAILED receipt and the reconciler's
 * redelivery cover them); a crash loses them the same way, safely.
 *
 * At most `maxPending` items wait (each with its state in memory). When that many
 * wait, a further item is shed: it gets no deferred retry (`shed` counts it), and,
 * as after its last attempt, its FAILED receipt and the holding's failure leave it
 * to the reconciler's redelivery. A platform down for long fails every item; the
 * queue must not grow with them.
 */
export class RetryQueue {
  private readonly pending = new Map<string, Pending>();
  private stopped = false;
  /** Items refused a deferred retry because the queue was full, since start. */
  shed = 0;

  constructor(
    private readonly options: {
      backoff: BackoffOptions;
      /** Deferred attempts before the item is left to the reconciler. */
      maxAttempts: number;
      /** Items waiting at once; one more is shed. */
      maxPending: number;
      run: (state: ItemState, attempt: number, partition: number) => Promise<void>;
    },
  ) {}

  get limit(): number {
    return this.options.maxPending;
  }

  /**
   * Schedules the next attempt; false when the item has had all its attempts, or the
   * queue is full. With `afterMs` (the platform named when to try again) the attempt
   * runs then, and the wait does not count as one of the item's attempts.
   */
  schedule(state: ItemState, failedAttempts: number, partition: number, afterMs?: number): boolean {
    if (this.stopped) return false;
    const waiting = this.pending.has(state.id);
    const previous = this.pending.get(state.id)?.attempt ?? 0;
    const deferred = afterMs === undefined ? previous + 1 : previous;
    this.cancel(state.id);
    if (deferred > this.options.maxAttempts) return false;
    // An item already waiting takes its own place again; only a new one can overflow.
    if (!waiting && this.pending.size >= this.options.maxPending) {
      this.shed += 1;
      return false;
    }
    // setTimeout holds at most 2^31-1 ms (24.8 days); a longer wait is retried then.
    const delay = Math.min(afterMs ?? backoffDelay(deferred, this.options.backoff), 2_147_483_647);
    const timer = setTimeout(() => {
      const entry = this.pending.get(state.id);
      if (entry?.timer !== timer) return;
      void this.options.run(state, failedAttempts + 1, partition).finally(() => {
        // run() reschedules on failure; otherwise the entry is done.
        if (this.pending.get(state.id)?.timer === timer) this.pending.delete(state.id);
      });
    }, delay);
    timer.unref();
    this.pending.set(state.id, { state, attempt: deferred, partition, timer });
    return true;
  }

  /** Forgets the retry of one item (a newer version arrived, or it succeeded). */
  cancel(itemId: string): void {
    const entry = this.pending.get(itemId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(itemId);
  }

  /** Keeps only retries of partitions this instance still owns. */
  retain(partitions: ReadonlySet<number>): void {
    for (const [id, entry] of this.pending) if (!partitions.has(entry.partition)) this.cancel(id);
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.pending.keys()]) this.cancel(id);
  }

  get size(): number {
    return this.pending.size;
  }
}
