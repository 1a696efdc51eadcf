import { PostingStore } from "./postings";

function postingsOf(store: PostingStore, term: string): Array<[number, number]> {
  const id = store.termId(term);
  const out: Array<[number, number]> = [];
  if (id !== undefined) store.scan(id, (doc, tf) => out.push([doc, tf]));
  return out;
}

describe("PostingStore", () => {
  it("keeps documents and frequencies exact through rebuilds, for small and large gaps", () => {
    const store = new PostingStore();
    const docs = [0, 1, 63, 64, 127, 128, 200, 16_383, 16_384, 70_000, 3_000_000];
    docs.forEach((doc, i) => {
      const tf = [1, 2, 255, 1, 7, 1, 1, 3, 1, 1, 9][i] ?? 1;
      store.add(
        doc,
        new Map([
          ["term", tf],
          [`only-${doc}`, 1],
        ]),
      );
    });
    const expected = docs.map((doc, i): [number, number] => [
      doc,
      [1, 2, 255, 1, 7, 1, 1, 3, 1, 1, 9][i] ?? 1,
    ]);
    expect(postingsOf(store, "term")).toEqual(expected);

    // Keep every document under its own number, then drop every other one.
    const keep = new Int32Array(3_000_001).fill(-1);
    for (const doc of docs) keep[doc] = doc;
    store.rebuild(keep);
    expect(postingsOf(store, "term")).toEqual(expected);
    expect(postingsOf(store, "only-3000000")).toEqual([[3_000_000, 1]]);

    const renumber = new Int32Array(3_000_001).fill(-1);
    docs.forEach((doc, i) => {
      if (i % 2 === 0) renumber[doc] = doc; // order kept, gaps no wider
    });
    store.rebuild(renumber);
    expect(postingsOf(store, "term")).toEqual(expected.filter((_, i) => i % 2 === 0));
    expect(postingsOf(store, "only-64")).toEqual([]);
    expect(store.df(store.termId("term")!)).toBe(6);
  });
});
