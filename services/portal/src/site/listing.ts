import { type PortalItem, sortTime } from "./model";

/**
 * Items kept sorted newest first (then by id), updated in place as items come and
 * go, so a listing page is a slice rather than a sort of the whole collection.
 */
export class Listing {
  private readonly items: PortalItem[] = [];

  get size(): number {
    return this.items.length;
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

  /** Adds an item that is not in the listing. */
  insert(item: PortalItem): void {
    this.items.splice(this.seek(sortTime(item), item.id), 0, item);
  }

  /** Removes exactly the object that was inserted. */
  remove(item: PortalItem): void {
    const at = this.seek(sortTime(item), item.id);
    if (this.items[at] === item) this.items.splice(at, 1);
  }

  /** Up to `limit` items from `offset`, newest first. */
  slice(offset: number, limit: number): PortalItem[] {
    return this.items.slice(offset, offset + limit);
  }

  /** Every item, newest first. */
  all(): readonly PortalItem[] {
    return this.items;
  }
}
