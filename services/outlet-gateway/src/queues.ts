/** 32-bit FNV-1a: a cheap, stable hash for rendezvous assignment of items to instances. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Which connected instance each item goes to, and the items ready for each.
 * Rendezvous hashing of instance id and item id keeps an item on one instance
 * while it stays connected, and moves only the items of an instance that comes
 * or goes. Items due again go ahead of new ones, so a redelivery never waits
 * behind a backfill.
 */
export class SessionQueues {
  /** Session id → instance id, of the sessions items may go to. */
  private readonly instances = new Map<string, string>();
  private readonly fresh = new Map<string, Set<string>>();
  private readonly again = new Map<string, Set<string>>();

  add(sessionId: string, instanceId: string): void {
    this.instances.set(sessionId, instanceId);
  }

  remove(sessionId: string): void {
    this.instances.delete(sessionId);
    this.fresh.delete(sessionId);
    this.again.delete(sessionId);
  }

  /** The session an item belongs to now, if any instance is connected. */
  target(itemId: string): string | undefined {
    let best: string | undefined;
    let bestScore = -1;
    for (const [sessionId, instanceId] of this.instances) {
      const score = fnv1a(`${instanceId}\u0000${itemId}`);
      if (score > bestScore || (score === bestScore && sessionId < (best ?? ""))) {
        best = sessionId;
        bestScore = score;
      }
    }
    return best;
  }

  /** Queues an item for its session; `sentBefore` puts it ahead of new items. */
  push(itemId: string, sentBefore: boolean): void {
    const target = this.target(itemId);
    if (!target) return; // queued again once an instance connects (clear + push)
    const queues = sentBefore ? this.again : this.fresh;
    let queue = queues.get(target);
    if (!queue) queues.set(target, (queue = new Set()));
    queue.add(itemId);
  }

  delete(itemId: string): void {
    for (const queue of this.fresh.values()) queue.delete(itemId);
    for (const queue of this.again.values()) queue.delete(itemId);
  }

  clear(): void {
    for (const queue of this.fresh.values()) queue.clear();
    for (const queue of this.again.values()) queue.clear();
  }

  /** Takes items off a session's queues, items due again first, while `take` accepts them. */
  drain(sessionId: string, take: (itemId: string) => "sent" | "skipped" | "full"): void {
    for (const queue of [this.again.get(sessionId), this.fresh.get(sessionId)]) {
      if (!queue) continue;
      for (const itemId of queue) {
        const outcome = take(itemId);
        if (outcome === "full") return;
        queue.delete(itemId);
      }
    }
  }
}
