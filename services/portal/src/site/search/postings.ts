import type { TermKey } from "./tokens";

function grown<T extends Int32Array | Uint32Array | Uint8Array>(
  array: T,
  need: number,
  make: (n: number) => T,
): T {
  if (need <= array.length) return array;
  const next = make(Math.max(need, Math.ceil(array.length * 1.5) + 1024));
  next.set(array);
  return next;
}

/**
 * Inverted lists from term to (document, term frequency), kept compact and off
 * the JavaScript heap: a frozen base where each list is delta-encoded document
 * gaps as LEB128 varints of gap × 2 + (frequency > 1), followed by a frequency
 * byte only when the frequency is above 1 (60 % of postings have 1: the base of
 * 100,000 items shrinks by about 30 %), plus a tail of recent postings in flat typed arrays, chained per
 * term. The tail is folded into a new base once it grows past a fraction of the
 * base, so loading n documents costs O(n log n) in all and the resident size stays
 * close to the encoded size.
 *
 * Document ids must be added in increasing order; a rebuild may renumber them
 * (dropping deleted documents) as long as it keeps their order.
 */
export class PostingStore {
  /** @param minReserve the smallest buffer `merge` reserves (tests make it small to exercise growth). */
  constructor(private readonly minReserve = MIN_RESERVE) {}

  private readonly termIds = new Map<TermKey, number>();
  private baseOffsets = new Uint32Array(1);
  private baseDf = new Uint32Array(0);
  private baseBytes = new Uint8Array(0);
  // Per term: the last document of its base list (-1 when none), where its tail's first gap starts.
  private baseLast = new Int32Array(0);
  private basePostings = 0;
  // Tail: posting i is (tailDoc[i], tailTf[i]); tailNext[i] is the term's next posting or -1.
  private tailDoc = new Uint32Array(0);
  private tailTf = new Uint8Array(0);
  private tailNext = new Int32Array(0);
  private tailPostings = 0;
  // Per term: first and last tail posting (-1 when none) and how many.
  private tailHead = new Int32Array(0);
  private tailLast = new Int32Array(0);
  private tailCount = new Uint32Array(0);
  private lastDoc = -1;

  /** Postings held, including those of deleted documents not yet rebuilt away. */
  get postings(): number {
    return this.basePostings + this.tailPostings;
  }

  /** Postings in the tail. */
  get pending(): number {
    return this.tailPostings;
  }

  /** Bytes of the encoded base. */
  get encodedBytes(): number {
    return this.baseBytes.byteLength;
  }

  /** Distinct terms ever seen. */
  get terms(): number {
    return this.termIds.size;
  }

  /** The id of a term, if any document ever had it. */
  termId(term: TermKey): number | undefined {
    return this.termIds.get(term);
  }

  /** Adds a document's terms; `doc` must exceed every id added before. */
  add(doc: number, counts: ReadonlyMap<TermKey, number>): void {
    if (doc <= this.lastDoc) throw new Error(`document ${doc} added after ${this.lastDoc}`);
    this.lastDoc = doc;
    const need = this.tailPostings + counts.size;
    this.tailDoc = grown(this.tailDoc, need, (n) => new Uint32Array(n));
    this.tailTf = grown(this.tailTf, need, (n) => new Uint8Array(n));
    this.tailNext = grown(this.tailNext, need, (n) => new Int32Array(n));
    const terms = this.termIds.size + counts.size;
    if (terms > this.tailHead.length) {
      const from = this.tailHead.length;
      this.tailHead = grown(this.tailHead, terms, (n) => new Int32Array(n));
      this.tailLast = grown(this.tailLast, terms, (n) => new Int32Array(n));
      this.tailCount = grown(this.tailCount, terms, (n) => new Uint32Array(n));
      this.tailHead.fill(-1, from);
      this.tailLast.fill(-1, from);
    }
    for (const [term, count] of counts) {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.termIds.size;
        this.termIds.set(term, id);
      }
      const at = this.tailPostings++;
      this.tailDoc[at] = doc;
      this.tailTf[at] = Math.min(255, Math.max(1, Math.round(count)));
      this.tailNext[at] = -1;
      const last = this.tailLast[id] as number;
      if (last < 0) this.tailHead[id] = at;
      else this.tailNext[last] = at;
      this.tailLast[id] = at;
      this.tailCount[id] = (this.tailCount[id] as number) + 1;
    }
  }

  /** Documents holding the term (deleted ones included until the next rebuild). */
  df(termId: number): number {
    return (this.baseDf[termId] ?? 0) + (this.tailCount[termId] ?? 0);
  }

  /** Calls `visit` for each posting of the term in increasing document order. */
  scan(termId: number, visit: (doc: number, tf: number) => void): void {
    const bytes = this.baseBytes;
    if (termId + 1 < this.baseOffsets.length) {
      let at = this.baseOffsets[termId] as number;
      const end = this.baseOffsets[termId + 1] as number;
      let doc = -1;
      while (at < end) {
        let byte = bytes[at++] as number;
        let code = byte & 0x7f;
        let scale = 0x80;
        while (byte >= 0x80) {
          byte = bytes[at++] as number;
          code += (byte & 0x7f) * scale;
          scale *= 0x80;
        }
        doc += code >>> 1;
        visit(doc, code & 1 ? (bytes[at++] as number) : 1);
      }
    }
    for (let at = this.tailHead[termId] ?? -1; at >= 0; at = this.tailNext[at] as number) {
      visit(this.tailDoc[at] as number, this.tailTf[at] as number);
    }
  }

  /**
   * Re-encodes every list into a new base, mapping each document through
   * `renumber` (a negative entry drops it). `renumber` must preserve order.
   */
  rebuild(renumber: Int32Array): void {
    const termCount = this.termIds.size;
    const offsets = new Uint32Array(termCount + 1);
    const df = new Uint32Array(termCount);
    // Renumbering never widens a gap, so a base list re-encodes to at most its old
    // size; a tail posting takes at most 6 bytes (a gap below 2^28, doubled, and a byte of tf).
    const out = new Uint8Array(this.baseBytes.length + this.tailPostings * 6);
    const base = this.baseBytes;
    let at = 0;
    let postings = 0;
    let lastDoc = -1;
    const last = new Int32Array(termCount);
    for (let t = 0; t < termCount; t += 1) {
      offsets[t] = at;
      let prev = -1;
      let count = 0;
      if (t + 1 < this.baseOffsets.length) {
        let from = this.baseOffsets[t] as number;
        const end = this.baseOffsets[t + 1] as number;
        let doc = -1;
        while (from < end) {
          let byte = base[from++] as number;
          let code = byte & 0x7f;
          let scale = 0x80;
          while (byte >= 0x80) {
            byte = base[from++] as number;
            code += (byte & 0x7f) * scale;
            scale *= 0x80;
          }
          doc += code >>> 1;
          const tf = code & 1 ? (base[from++] as number) : 1;
          const mapped = renumber[doc] ?? -1;
          if (mapped < 0) continue;
          at = writePosting(out, at, mapped - prev, tf);
          prev = mapped;
          count += 1;
        }
      }
      for (let p = this.tailHead[t] ?? -1; p >= 0; p = this.tailNext[p] as number) {
        const mapped = renumber[this.tailDoc[p] as number] ?? -1;
        if (mapped < 0) continue;
        at = writePosting(out, at, mapped - prev, this.tailTf[p] as number);
        prev = mapped;
        count += 1;
      }
      df[t] = count;
      last[t] = prev;
      postings += count;
      if (prev > lastDoc) lastDoc = prev;
    }
    offsets[termCount] = at;
    // No copy to the exact size: that copy was a third encoding at the peak (at
    // 96,000 items the portal's RSS rose from about 900 MiB to 1.2 GiB at each
    // rebuild). The buffer was reserved for the worst case, but its pages past
    // `at` were never written, so they take no resident memory; the view ends at `at`.
    this.baseOffsets = offsets;
    this.baseDf = df;
    this.baseLast = last;
    this.baseBytes = out.subarray(0, at);
    this.basePostings = postings;
    this.clearTail();
    this.lastDoc = lastDoc;
  }

  /**
   * Folds the tail into the base when no document is renumbered (nothing was
   * deleted), in place: each base list moves up by what the lists before it grow,
   * the last term first, so nothing is overwritten before it is moved, and its tail
   * postings are encoded after it. A rebuild holds the old base and the new one at
   * once (at 95,000 items about 90 MiB more resident for 3 s); this holds one, in a
   * buffer reserved ahead whose untouched pages take no resident memory, and costs a
   * move of the base instead of decoding and encoding every posting.
   */
  merge(): void {
    const termCount = this.termIds.size;
    const oldTerms = this.baseOffsets.length - 1;
    const oldEnd = this.baseOffsets[oldTerms] as number;
    const startOf = (t: number) => (t < oldTerms ? (this.baseOffsets[t] as number) : oldEnd);
    const lastOf = (t: number) => (t < oldTerms ? (this.baseLast[t] as number) : -1);
    // First pass: each term's tail encoded, in term order, apart (walking the tail's
    // chains is most of a merge's time: once, not twice), and where each list will start.
    const encoded = new Uint8Array(this.tailPostings * 6);
    const encodedStart = new Uint32Array(termCount + 1);
    const offsets = new Uint32Array(termCount + 1);
    const last = new Int32Array(termCount);
    let written = 0;
    for (let t = 0; t < termCount; t += 1) {
      offsets[t] = startOf(t) + written;
      encodedStart[t] = written;
      let prev = lastOf(t);
      for (let p = this.tailHead[t] ?? -1; p >= 0; p = this.tailNext[p] as number) {
        const doc = this.tailDoc[p] as number;
        written = writePosting(encoded, written, doc - prev, this.tailTf[p] as number);
        prev = doc;
      }
      last[t] = prev;
    }
    encodedStart[termCount] = written;
    const end = oldEnd + written;
    offsets[termCount] = end;
    let bytes = new Uint8Array(this.baseBytes.buffer, 0, this.baseBytes.buffer.byteLength);
    if (bytes.length < end) {
      // Reserve ahead, so most merges need no new buffer (and no second copy of the base).
      const next = new Uint8Array(Math.max(end * 2, this.minReserve));
      next.set(this.baseBytes);
      bytes = next;
    }
    const df = new Uint32Array(termCount);
    for (let t = termCount - 1; t >= 0; t -= 1) {
      const from = startOf(t);
      const to = t < oldTerms ? (this.baseOffsets[t + 1] as number) : from;
      const at = offsets[t] as number;
      if (at !== from && to > from) bytes.copyWithin(at, from, to);
      const tail = encoded.subarray(encodedStart[t], encodedStart[t + 1]);
      if (tail.length > 0) bytes.set(tail, at + (to - from));
      df[t] = (this.baseDf[t] ?? 0) + (this.tailCount[t] ?? 0);
    }
    this.baseOffsets = offsets;
    this.baseDf = df;
    this.baseLast = last;
    this.baseBytes = bytes.subarray(0, end);
    this.basePostings += this.tailPostings;
    // The tail's arrays are kept for the next one: released, they grew back through
    // copies at 1.5× whose garbage, with no large allocation to prompt a collection,
    // stayed resident (about 50 MiB more at 98,000 items than with a rebuild).
    this.clearTail(false);
  }

  /** Empties the tail; `release` also lets its arrays go (they grow back as documents arrive). */
  private clearTail(release = true): void {
    if (release) {
      this.tailDoc = new Uint32Array(0);
      this.tailTf = new Uint8Array(0);
      this.tailNext = new Int32Array(0);
    }
    this.tailPostings = 0;
    this.tailHead.fill(-1);
    this.tailLast.fill(-1);
    this.tailCount.fill(0);
  }
}

/** The smallest buffer `merge` reserves: below it, reserving ahead saves nothing worth having. */
const MIN_RESERVE = 1 << 20;

/** Writes a posting at `at`; returns where the next one goes. */
function writePosting(out: Uint8Array, at: number, gap: number, tf: number): number {
  let code = gap * 2 + (tf > 1 ? 1 : 0);
  while (code >= 0x80) {
    out[at++] = (code % 0x80) | 0x80;
    code = Math.floor(code / 0x80);
  }
  out[at++] = code;
  if (tf > 1) out[at++] = tf;
  return at;
}
