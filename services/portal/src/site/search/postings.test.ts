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

  it("merges the tail in place, across reserved-buffer growth, as a rebuild would encode it", () => {
    // A seeded generator: the same documents every run, a failure reproducible.
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const store = new PostingStore(64); // a small reserve: the buffer grows several times
    const model = new Map<string, Array<[number, number]>>();
    let doc = 0;
    const check = () => {
      for (const [term, postings] of model) expect(postingsOf(store, term)).toEqual(postings);
    };
    for (let round = 0; round < 12; round += 1) {
      for (let i = 0; i < 400; i += 1) {
        doc += 1 + Math.floor(next() ** 4 * 20_000); // mostly small gaps, a few wide ones
        const counts = new Map<string, number>();
        // Term ids are given in first-seen order, so later rounds bring new terms at the end.
        const vocabulary = 50 + round * 40;
        for (let k = 0; k < 1 + Math.floor(next() * 8); k += 1) {
          const term = `t${Math.floor(next() ** 2 * vocabulary)}`;
          counts.set(term, 1 + Math.floor(next() ** 3 * 300));
        }
        store.add(doc, counts);
        for (const [term, tf] of counts) {
          const list = model.get(term) ?? [];
          list.push([doc, Math.min(255, tf)]);
          model.set(term, list);
        }
      }
      if (round === 7) {
        // A rebuild in between: the merges after it start from its buffer and its last documents.
        const keep = new Int32Array(doc + 1).map((_, d) => d);
        store.rebuild(keep);
      } else {
        store.merge();
      }
      check();
    }
    for (const [term, postings] of model)
      expect(store.df(store.termId(term)!)).toBe(postings.length);
    expect(store.postings).toBe([...model.values()].reduce((n, list) => n + list.length, 0));
    expect(store.pending).toBe(0);
  });
});
