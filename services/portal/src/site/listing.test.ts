import { makeItem } from "./test-support";
import { Listing } from "./listing";
import { toPortalItem } from "./model";

const at = (id: string, day: number) =>
  toPortalItem(makeItem({ id, dates: { publishedAt: new Date(Date.UTC(2016, 0, day)) } }));

describe("Listing", () => {
  it("lists many items added without a read in between newest first, then by id", () => {
    const listing = new Listing();
    const items = Array.from({ length: 500 }, (_, n) => at(`item-${n}`, (n * 7919) % 200));
    for (const item of items) listing.insert(item);
    expect(listing.size).toBe(500);
    const listed = listing.all();
    for (let i = 1; i < listed.length; i += 1) {
      const [a, b] = [listed[i - 1]!, listed[i]!];
      expect(
        a.publishedAt! > b.publishedAt! || (a.publishedAt === b.publishedAt && a.id < b.id),
      ).toBe(true);
    }
  });

  it("inserts a few items into a sorted listing and removes exactly the object inserted", () => {
    const listing = new Listing();
    const [old, middle, newest] = [at("a", 1), at("b", 2), at("c", 3)];
    listing.insert(old);
    listing.insert(newest);
    expect(listing.slice(0, 10).map((i) => i.id)).toEqual(["c", "a"]);
    listing.insert(middle);
    listing.remove(at("a", 1)); // an equal item, not the one inserted
    expect(listing.slice(0, 10).map((i) => i.id)).toEqual(["c", "b", "a"]);
    listing.remove(old);
    listing.insert(at("d", 2));
    listing.remove(middle);
    expect(listing.slice(0, 10).map((i) => i.id)).toEqual(["c", "d"]);
    expect(listing.size).toBe(2);
  });
});
