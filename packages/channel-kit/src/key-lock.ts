/**
 * Runs tasks for the same key one after another and tasks for different keys
 * concurrently: within one instance, the item stream, retries and redeliveries of
 * an item never overlap.
 *
 * A key is kept only while a task for it is queued or running. At most `limit`
 * keys are kept at once: a task for another key waits (first come, first served)
 * until one is done. That is backpressure on its caller — the stream's chunk, a
 * redelivery, or a deferred retry — so a burst of retries firing together cannot
 * put hundreds of applies on a platform at once, nor grow this map without end.
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Tasks for new keys waiting for room, in arrival order. */
  private readonly queue: (() => void)[] = [];
  /** Rooms handed to waiters that have not taken them yet. */
  private reserved = 0;

  constructor(readonly limit = Number.POSITIVE_INFINITY) {
    if (!(limit >= 1)) throw new RangeError(`KeyLock limit must be at least 1, not ${limit}`);
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (!this.tails.has(key) && !this.hasRoom()) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
      this.reserved -= 1;
      // A task for the same key got in meanwhile: this one queues behind it and needs no room.
      if (this.tails.has(key)) this.release();
    }
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) !== tail) return;
      this.tails.delete(key);
      this.release();
    });
    return result;
  }

  /** Keys with a task queued or running. */
  get size(): number {
    return this.tails.size;
  }

  /** Tasks for new keys waiting for room. */
  get waiting(): number {
    return this.queue.length;
  }

  private hasRoom(): boolean {
    return this.queue.length === 0 && this.tails.size + this.reserved < this.limit;
  }

  private release(): void {
    const next = this.queue.shift();
    if (!next) return;
    this.reserved += 1;
    next();
  }
}
