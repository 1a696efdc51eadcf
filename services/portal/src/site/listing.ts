import { type PortalItem, sortTime } from "./model";

/** Newest first, then by id: the order every listing page shows. */
function newestFirst(a: PortalItem, b: PortalItem): number {
  return sortTime(b) - sortTime(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

// Up to this many items arrived since the last read are inserted one by one;
// more are sorted in with the rest in one pass.
const INSERT_ONE_BY_ONE = 64;

/**
 * Items kept sorted newest first (then by id), so a listing page is a slice
 * rather than a sort of the whole collection. Items added are sorted in at the
 * next read: a restart reloads 100,000 items with no read in between, and
 * inserting each into a sorted array moved 2.5 billion entries (20 s of the
 * reload); one sort of them all takes well under a second.
 */
export class Listing {
  private items: PortalItem[] = [];
  private arrived: PortalItem[] = [];

  get size(): number {
    return this.items.length + this.arrived.length;
  }

  // Index of the first entry that sorts at or after (time, id).
  private seek(time: number, id: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.items[mid] as PortalItem;
      const t = sortTime(item);
      if (t > time || (t === time && item.id < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private sorted(): PortalItem[] {
    if (this.arrived.length === 0) return this.items;
    if (this.arrived.length <= INSERT_ONE_BY_ONE) {
      for (const item of this.arrived) {
        this.items.splice(this.seek(sortTime(item), item.id), 0, item);
      }
    } else {
      this.items = this.items.concat(this.arrived).sort(newestFirst);
    }
    this.arrived = [];
    return this.items;
  }

  /** Adds an item that is not in the listing. */
  insert(item: PortalItem): void {
    this.arrived.push(item);
  }

  /** Removes exactly the object that was inserted. */
  remove(item: PortalItem): void {
    const items = this.sorted();
    const at = this.seek(sortTime(item), item.id);
    if (items[at] === item) items.splice(at, 1);
  }

  /** Up to `limit` items from `offset`, newest first. */
  slice(offset: number, limit: number): PortalItem[] {
    return this.sorted().slice(offset, offset + limit);
  }

  /** Every item, newest first. */
  all(): readonly PortalItem[] {
    return this.sorted();
  }
}
