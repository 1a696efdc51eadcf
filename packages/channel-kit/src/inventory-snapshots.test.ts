import { ItemStatus } from "@herald/contracts";
import type { Holding } from "./holdings";
import {
  type InventoryListing,
  InventorySnapshots,
  decodeCursor,
  encodeCursor,
} from "./inventory-snapshots";

function held(itemId: string): Holding {
  return {
    itemId,
    version: 1,
    checksum: `sha256:${itemId}`,
    externalRef: "",
    status: "held",
    itemStatus: ItemStatus.ITEM_STATUS_PUBLISHED,
    appliedAt: new Date(0),
    applies: 1,
  };
}

function listingOf(...holdings: Holding[]): InventoryListing {
  return { holdings, consumed: [{ partition: 0, offset: 7 }] };
}

describe("inventory snapshots", () => {
  let clock = 0;
  let snapshots: InventorySnapshots;
  beforeEach(() => {
    clock = 1_000_000;
    snapshots = new InventorySnapshots({ lifetimeMs: 60_000, max: 2, now: () => clock });
  });
  afterEach(() => snapshots.clear());

  it("keep a listing under a random id until its lifetime is over", () => {
    const listing = listingOf(held("a"), held("b"));
    const id = snapshots.add(listing);
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(snapshots.add(listingOf())).not.toBe(id);
    clock += 59_999;
    expect(snapshots.get(id)).toBe(listing);
    clock += 1;
    expect(snapshots.get(id)).toBeUndefined();
    expect(snapshots.get("never-issued")).toBeUndefined();
  });

  it("keep only the newest few, dropping the oldest", () => {
    const first = snapshots.add(listingOf(held("a")));
    const second = snapshots.add(listingOf(held("b")));
    const third = snapshots.add(listingOf(held("c")));
    expect(snapshots.size).toBe(2);
    expect(snapshots.get(first)).toBeUndefined();
    expect(snapshots.get(second)?.holdings[0]?.itemId).toBe("b");
    expect(snapshots.get(third)?.holdings[0]?.itemId).toBe("c");
  });
});

describe("inventory snapshots' bound", () => {
  it("hold at most `max` listings: their holdings, the memory metric, never grow past them", () => {
    const snapshots = new InventorySnapshots({ lifetimeMs: 60_000, max: 2 });
    try {
      snapshots.add(listingOf(held("a"), held("b"), held("c")));
      snapshots.add(listingOf(held("d")));
      expect({ size: snapshots.size, holdings: snapshots.holdings() }).toEqual({
        size: 2,
        holdings: 4,
      });
      // A third drops the oldest: its audit's next page is refused and starts again.
      snapshots.add(listingOf(held("e"), held("f")));
      expect({ size: snapshots.size, holdings: snapshots.holdings() }).toEqual({
        size: 2,
        holdings: 3,
      });
    } finally {
      snapshots.clear();
    }
    expect(snapshots.holdings()).toBe(0);
  });
});

describe("page tokens", () => {
  it("carry the snapshot and the last item id, whatever the id holds", () => {
    for (const after of ["item-1", "a:b:c", "政策/2026 第1号", "x".repeat(300)]) {
      const token = encodeCursor({ snapshot: "AbC_-9", after });
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(token)).toEqual({ snapshot: "AbC_-9", after });
    }
  });

  it("are refused when this server did not issue them", () => {
    const bare = Buffer.from("item-1").toString("base64url"); // the token format before snapshots
    const noSnapshot = Buffer.from(":item-1").toString("base64url");
    const badSnapshot = Buffer.from("a b:item-1").toString("base64url");
    for (const token of ["not base64!", "a.b", bare, noSnapshot, badSnapshot]) {
      expect(decodeCursor(token)).toBeUndefined();
    }
  });
});
