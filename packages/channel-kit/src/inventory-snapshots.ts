import { randomBytes } from "node:crypto";
import type { ConsumedOffset } from "@herald/contracts";
import type { Holding } from "./holdings";

/** What one listing pages through: the held items, and how far the item stream was applied before they were read. */
export interface InventoryListing {
  /** Held items in item id order. */
  readonly holdings: readonly Holding[];
  /** The group's committed offsets, read just before the scan; every page of the listing reports them. */
  readonly consumed: readonly ConsumedOffset[];
}

export interface InventorySnapshotOptions {
  /** How long after it was taken a snapshot still serves pages; default 10 minutes. */
  readonly lifetimeMs?: number;
  /** Snapshots kept at once; taking one more drops the oldest. Default 4. */
  readonly max?: number;
  /** The clock, in epoch milliseconds; tests move it. */
  readonly now?: () => number;
}

interface Snapshot {
  readonly listing: InventoryListing;
  readonly takenAt: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * The holdings one audit pages through, read from the database once at its first
 * page and kept under a random id for the pages after. Few and short-lived: an
 * audit that outlives its snapshot starts again from the first page.
 */
export class InventorySnapshots {
  readonly lifetimeMs: number;
  readonly max: number;
  private readonly now: () => number;
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(options: InventorySnapshotOptions = {}) {
    this.lifetimeMs = options.lifetimeMs ?? 10 * 60_000;
    this.max = options.max ?? 4;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.snapshots.size;
  }

  /** Keeps `listing` and returns the id that finds it again. */
  add(listing: InventoryListing): string {
    const id = randomBytes(12).toString("base64url");
    // The timer frees the memory of an abandoned audit; `get` checks the clock itself.
    const timer = setTimeout(() => this.drop(id), this.lifetimeMs);
    timer.unref();
    this.snapshots.set(id, { listing, takenAt: this.now(), timer });
    for (const oldest of this.snapshots.keys()) {
      if (this.snapshots.size <= this.max) break;
      this.drop(oldest);
    }
    return id;
  }

  /** The snapshot's listing, or undefined once it expired or was evicted (or never was). */
  get(id: string): InventoryListing | undefined {
    const snapshot = this.snapshots.get(id);
    if (!snapshot) return undefined;
    if (this.now() - snapshot.takenAt >= this.lifetimeMs) {
      this.drop(id);
      return undefined;
    }
    return snapshot.listing;
  }

  /** Holdings kept in all snapshots together: what the snapshots cost in memory. */
  holdings(): number {
    let total = 0;
    for (const { listing } of this.snapshots.values()) total += listing.holdings.length;
    return total;
  }

  /** Drops every snapshot (the server is shutting down). */
  clear(): void {
    for (const id of [...this.snapshots.keys()]) this.drop(id);
  }

  private drop(id: string): void {
    const snapshot = this.snapshots.get(id);
    if (!snapshot) return;
    clearTimeout(snapshot.timer);
    this.snapshots.delete(id);
  }
}

/** Where a page token points: a snapshot, and the last item id the previous page covered. */
export interface SnapshotCursor {
  readonly snapshot: string;
  readonly after: string;
}

/** An opaque, URL-safe token for the page after `after` in `snapshot`. */
export function encodeCursor(cursor: SnapshotCursor): string {
  return Buffer.from(`${cursor.snapshot}:${cursor.after}`, "utf8").toString("base64url");
}

/** The cursor in a token, or undefined when the token is not one this server issues. */
export function decodeCursor(token: string): SnapshotCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const text = Buffer.from(token, "base64url").toString("utf8");
  const colon = text.indexOf(":");
  const snapshot = text.slice(0, colon);
  // Snapshot ids are base64url themselves, so the first colon ends one.
  if (colon < 1 || !/^[A-Za-z0-9_-]+$/.test(snapshot)) return undefined;
  return { snapshot, after: text.slice(colon + 1) };
}
