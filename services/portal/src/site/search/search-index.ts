import { foldText } from "./fold";
import { PostingStore } from "./postings";
import { addTerms, type AnalyzedQuery, newTermCounts } from "./segment";
import { topK } from "./top-k";

/** The text of one document, by field. Body text is plain text, not HTML. */
export interface SearchFields {
  readonly title: string;
  readonly summary: string;
  /** Tags, issuing office, document and index numbers, category. */
  readonly meta: string;
  readonly body: string;
}

/** What results can be filtered and ordered by. */
export interface SearchFacets {
  /** Numeric item kind, 0–255. */
  readonly kind: number;
  /** Year of publication (Asia/Shanghai), 0 when unknown. */
  readonly year: number;
  /** Tie-breaker: newer first. */
  readonly time: number;
}

/** A query with its filters and the page wanted. */
export interface SearchRequest {
  readonly query: AnalyzedQuery;
  readonly kind?: number | undefined;
  readonly year?: number | undefined;
  readonly offset: number;
  readonly limit: number;
  /**
   * Multiplier for a document among the best {@link RERANK_WINDOW}: the exact
   * phrase bonus, which needs the document's text and so is paid only there.
   */
  readonly rerank?: (id: string) => number;
}

/** Matching ids in rank order for the page asked, and how many matched in all. */
export interface SearchResult {
  readonly total: number;
  readonly ids: readonly string[];
}

// Field weights: a title hit counts six body hits, so a title match ranks first.
const WEIGHT = { title: 6, summary: 2, meta: 2, body: 1 } as const;
const K1 = 1.2;
const B = 0.75;
/** How many top documents get the exact-phrase check. */
export const RERANK_WINDOW = 100;
const MIN_REBUILD = 1 << 18;
// The tail costs about 9 bytes a posting and merging it reserves 6 more: past this
// size, merge anyway, so a large index's peak memory stays bounded.
const MAX_TAIL = 6_000_000;

function grow<T extends Float32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array>(
  array: T,
  need: number,
  make: (length: number) => T,
): T {
  if (need <= array.length) return array;
  const next = make(Math.max(need, Math.ceil(array.length * 1.5)));
  next.set(array);
  return next;
}

/**
 * BM25 full-text index over item ids. Each indexed version of an item is a
 * document with an integer id; replacing or deleting an item marks its document
 * dead at once (it never matches again) and the postings of dead documents are
 * dropped, and the live ones renumbered densely, at the next rebuild.
 */
export class SearchIndex {
  private readonly store = new PostingStore();
  private readonly docOf = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  private lengths = new Float32Array(1024);
  private kinds = new Uint8Array(1024);
  private years = new Uint16Array(1024);
  private times = new Float64Array(1024);
  private termCounts = new Uint32Array(1024);
  private nextDoc = 0;
  private totalLength = 0;
  private deadPostings = 0;
  // Per-query scratch, indexed by document, reused across queries.
  private scores = new Float64Array(0);
  private hits = new Uint16Array(0);
  private stamps = new Uint32Array(0);
  private stamp = 0;

  /** Documents that can match. */
  get size(): number {
    return this.docOf.size;
  }

  /** Figures for benchmarks and health pages. */
  stats(): { documents: number; terms: number; postings: number; encodedBytes: number } {
    return {
      documents: this.docOf.size,
      terms: this.store.terms,
      postings: this.store.postings - this.deadPostings,
      encodedBytes: this.store.encodedBytes,
    };
  }

  /** Indexes (or re-indexes) the item `id`. */
  put(id: string, fields: SearchFields, facets: SearchFacets): void {
    this.delete(id);
    const counts = newTermCounts();
    addTerms(foldText(fields.title), WEIGHT.title, counts, true);
    addTerms(foldText(fields.summary), WEIGHT.summary, counts);
    addTerms(foldText(fields.meta), WEIGHT.meta, counts);
    addTerms(foldText(fields.body), WEIGHT.body, counts);
    const doc = this.nextDoc++;
    const need = doc + 1;
    this.lengths = grow(this.lengths, need, (n) => new Float32Array(n));
    this.kinds = grow(this.kinds, need, (n) => new Uint8Array(n));
    this.years = grow(this.years, need, (n) => new Uint16Array(n));
    this.times = grow(this.times, need, (n) => new Float64Array(n));
    this.termCounts = grow(this.termCounts, need, (n) => new Uint32Array(n));
    this.ids[doc] = id;
    this.docOf.set(id, doc);
    this.lengths[doc] = counts.length;
    this.termCounts[doc] = counts.counts.size;
    this.totalLength += counts.length;
    this.setFacetsOf(doc, facets);
    this.store.add(doc, counts.counts);
    const limit = Math.min(MAX_TAIL, Math.max(MIN_REBUILD, this.store.postings / 3));
    if (this.store.pending > limit) this.rebuild();
  }

  /** Changes the filters of an indexed item without touching its text. */
  setFacets(id: string, facets: SearchFacets): boolean {
    const doc = this.docOf.get(id);
    if (doc === undefined) return false;
    this.setFacetsOf(doc, facets);
    return true;
  }

  private setFacetsOf(doc: number, facets: SearchFacets): void {
    this.kinds[doc] = facets.kind;
    this.years[doc] = facets.year;
    this.times[doc] = facets.time;
  }

  /** Stops the item matching any query. */
  delete(id: string): void {
    const doc = this.docOf.get(id);
    if (doc === undefined) return;
    this.docOf.delete(id);
    this.ids[doc] = undefined;
    this.totalLength -= this.lengths[doc] ?? 0;
    this.deadPostings += this.termCounts[doc] ?? 0;
    if (this.deadPostings > Math.max(MIN_REBUILD, this.store.postings / 3)) this.rebuild();
  }

  /** Drops dead documents' postings and renumbers the live documents densely. */
  rebuild(): void {
    if (this.docOf.size === this.nextDoc) {
      // Nothing to drop or renumber (the usual case while items arrive): fold the tail in place.
      this.store.merge();
      return;
    }
    const renumber = new Int32Array(this.nextDoc).fill(-1);
    let live = 0;
    for (let doc = 0; doc < this.nextDoc; doc += 1) {
      const id = this.ids[doc];
      if (id === undefined) continue;
      renumber[doc] = live;
      this.ids[live] = id;
      this.docOf.set(id, live);
      this.lengths[live] = this.lengths[doc] ?? 0;
      this.kinds[live] = this.kinds[doc] ?? 0;
      this.years[live] = this.years[doc] ?? 0;
      this.times[live] = this.times[doc] ?? 0;
      this.termCounts[live] = this.termCounts[doc] ?? 0;
      live += 1;
    }
    this.store.rebuild(renumber);
    this.ids.length = live;
    this.nextDoc = live;
    this.deadPostings = 0;
  }

  /** Runs a query: every required term must match; boost words and phrases raise rank. */
  search(request: SearchRequest): SearchResult {
    const { query } = request;
    const required: number[] = [];
    for (const term of query.required) {
      const id = this.store.termId(term);
      if (id === undefined) return { total: 0, ids: [] };
      required.push(id);
    }
    if (required.length === 0 || this.docOf.size === 0) return { total: 0, ids: [] };
    required.sort((a, b) => this.store.df(a) - this.store.df(b));
    this.prepareScratch();
    const stamp = this.stamp;
    const { scores, hits, stamps, ids, kinds, years, lengths } = this;
    const kind = request.kind ?? -1;
    const year = request.year ?? -1;
    const n = this.docOf.size;
    const avgLength = this.totalLength / n || 1;
    const candidates: number[] = [];
    const weigh = (termId: number) => {
      const df = this.store.df(termId);
      return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    };
    const bm25 = (idf: number, tf: number, doc: number) =>
      (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * (lengths[doc] ?? 0)) / avgLength));

    required.forEach((termId, round) => {
      const idf = weigh(termId);
      this.store.scan(termId, (doc, tf) => {
        if (round === 0) {
          if (ids[doc] === undefined) return;
          if (kind >= 0 && kinds[doc] !== kind) return;
          if (year >= 0 && years[doc] !== year) return;
          stamps[doc] = stamp;
          hits[doc] = 1;
          scores[doc] = bm25(idf, tf, doc);
          candidates.push(doc);
        } else if (stamps[doc] === stamp && hits[doc] === round) {
          hits[doc] = round + 1;
          scores[doc] = (scores[doc] ?? 0) + bm25(idf, tf, doc);
        }
      });
    });
    const all = required.length;
    for (const word of query.boost) {
      const termId = this.store.termId(word);
      if (termId === undefined) continue;
      const idf = weigh(termId);
      this.store.scan(termId, (doc, tf) => {
        if (stamps[doc] === stamp && hits[doc] === all)
          scores[doc] = (scores[doc] ?? 0) + bm25(idf, tf, doc);
      });
    }
    const matches = candidates.filter((doc) => hits[doc] === all);
    const better = (a: number, b: number) =>
      (scores[a] ?? 0) - (scores[b] ?? 0) ||
      (this.times[a] ?? 0) - (this.times[b] ?? 0) ||
      // By id, not by document number, so equal results rank alike in every instance.
      ((ids[b] ?? "") < (ids[a] ?? "") ? -1 : (ids[b] ?? "") > (ids[a] ?? "") ? 1 : 0);
    const wanted = Math.max(request.offset + request.limit, RERANK_WINDOW);
    const top = topK(matches, wanted, better);
    if (request.rerank) {
      const window = top.slice(0, RERANK_WINDOW);
      for (const doc of window)
        scores[doc] = (scores[doc] ?? 0) * request.rerank(ids[doc] as string);
      window.sort((a, b) => better(b, a));
      top.splice(0, window.length, ...window);
    }
    return {
      total: matches.length,
      ids: top
        .slice(request.offset, request.offset + request.limit)
        .map((doc) => ids[doc] as string),
    };
  }

  private prepareScratch(): void {
    if (this.scores.length < this.nextDoc) {
      const size = Math.ceil(this.nextDoc * 1.25) + 16;
      this.scores = new Float64Array(size);
      this.hits = new Uint16Array(size);
      this.stamps = new Uint32Array(size);
      this.stamp = 0;
    }
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }
}
