/**
 * Inverted lists from term to (document, term frequency), kept compact: a frozen
 * base where each list is delta-encoded document gaps as LEB128 varints followed
 * by one frequency byte (two to three bytes a posting), plus a small mutable tail
 * of recent postings. The tail is folded into a new base once it grows past a
 * fraction of the base, so loading n documents costs O(n log n) in all and the
 * resident size stays close to the encoded size.
 *
 * Document ids must be added in increasing order; a rebuild may renumber them
 * (dropping deleted documents) as long as it keeps their order.
 */
export class PostingStore {
  private readonly termIds = new Map<string, number>();
  private baseOffsets = new Uint32Array(1);
  private baseDf = new Uint32Array(0);
  private baseBytes = new Uint8Array(0);
  private basePostings = 0;
  // Recent postings per term id, each packed as doc * 256 + frequency.
  private tail: (number[] | undefined)[] = [];
  private tailPostings = 0;
  private lastDoc = -1;

  /** Postings held, including those of deleted documents not yet rebuilt away. */
  get postings(): number {
    return this.basePostings + this.tailPostings;
  }

  /** Postings in the mutable tail. */
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
  termId(term: string): number | undefined {
    return this.termIds.get(term);
  }

  /** Adds a document's terms; `doc` must exceed every id added before. */
  add(doc: number, counts: ReadonlyMap<string, number>): void {
    if (doc <= this.lastDoc) throw new Error(`document ${doc} added after ${this.lastDoc}`);
    this.lastDoc = doc;
    for (const [term, count] of counts) {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.termIds.size;
        this.termIds.set(term, id);
        this.tail.push(undefined);
      }
      const packed = doc * 256 + Math.min(255, Math.max(1, Math.round(count)));
      const list = this.tail[id];
      if (list) list.push(packed);
      else this.tail[id] = [packed];
    }
    this.tailPostings += counts.size;
  }

  /** Documents holding the term (deleted ones included until the next rebuild). */
  df(termId: number): number {
    return (this.baseDf[termId] ?? 0) + (this.tail[termId]?.length ?? 0);
  }

  /** Calls `visit` for each posting of the term in increasing document order. */
  scan(termId: number, visit: (doc: number, tf: number) => void): void {
    const bytes = this.baseBytes;
    if (termId + 1 < this.baseOffsets.length) {
      let at = this.baseOffsets[termId] as number;
      const end = this.baseOffsets[termId + 1] as number;
      let doc = -1;
      while (at < end) {
        let gap = 0;
        let shift = 0;
        let byte: number;
        do {
          byte = bytes[at++] as number;
          gap += (byte & 0x7f) * 2 ** shift;
          shift += 7;
        } while (byte >= 0x80);
        doc += gap;
        visit(doc, bytes[at++] as number);
      }
    }
    const list = this.tail[termId];
    if (list) {
      for (const packed of list) visit(Math.floor(packed / 256), packed % 256);
    }
  }

  /**
   * Re-encodes every list into a new base, mapping each document through
   * `renumber` (a negative result drops it). `renumber` must preserve order.
   */
  rebuild(renumber: (doc: number) => number): void {
    const termCount = this.termIds.size;
    const offsets = new Uint32Array(termCount + 1);
    const df = new Uint32Array(termCount);
    let size = 0;
    let postings = 0;
    let lastDoc = -1;
    for (let t = 0; t < termCount; t += 1) {
      offsets[t] = size;
      let prev = -1;
      this.scan(t, (doc) => {
        const mapped = renumber(doc);
        if (mapped < 0) return;
        size += varintLength(mapped - prev) + 1;
        prev = mapped;
        df[t] = (df[t] ?? 0) + 1;
      });
      postings += df[t] ?? 0;
      if (prev > lastDoc) lastDoc = prev;
    }
    offsets[termCount] = size;
    const bytes = new Uint8Array(size);
    let at = 0;
    for (let t = 0; t < termCount; t += 1) {
      let prev = -1;
      this.scan(t, (doc, tf) => {
        const mapped = renumber(doc);
        if (mapped < 0) return;
        let gap = mapped - prev;
        prev = mapped;
        while (gap >= 0x80) {
          bytes[at++] = (gap % 0x80) | 0x80;
          gap = Math.floor(gap / 0x80);
        }
        bytes[at++] = gap;
        bytes[at++] = tf;
      });
    }
    this.baseOffsets = offsets;
    this.baseDf = df;
    this.baseBytes = bytes;
    this.basePostings = postings;
    this.tail = new Array<number[] | undefined>(termCount).fill(undefined);
    this.tailPostings = 0;
    this.lastDoc = lastDoc;
  }
}

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length += 1;
  }
  return length;
}
