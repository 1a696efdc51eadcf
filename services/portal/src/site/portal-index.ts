import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers/promises";
import { type ItemKind, type ItemState, ItemStatus, type Relation } from "@herald/contracts";
import { yearOf } from "./dates";
import { DOUBLE_PUBLICITY_KINDS } from "./kinds";
import { Listing } from "./listing";
import { isListed, type PortalItem, presenceOf, sortTime, toPortalItem } from "./model";
import { foldText, htmlToText } from "./search/fold";
import { SearchIndex } from "./search/search-index";
import { type AnalyzedQuery, analyzeQuery } from "./search/segment";

/** A listing the website pages through, newest first. */
export type ListingKey = "all" | "double-publicity" | `kind:${number}` | `category:${string}`;

/** One page of a listing or of search results. */
export interface ItemPage {
  readonly total: number;
  readonly items: readonly PortalItem[];
}

/** A search: the text typed, optional filters, and the slice wanted. */
export interface SearchOptions {
  readonly kind?: ItemKind | undefined;
  readonly year?: number | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** Search results with the analysed query, which highlighting needs. */
export interface SearchPage extends ItemPage {
  readonly query: AnalyzedQuery;
  /** False while the search index is still being built after a restart: results may be missing. */
  readonly complete: boolean;
}

/** Another item an item links to, or that links to it. */
export interface ItemLink {
  readonly relation: Relation;
  readonly item: PortalItem;
}

/** How long the background search build runs before it yields. */
const SEARCH_BUILD_SLICE_MS = 20;

// Exact-phrase bonuses, applied to the best results only (see SearchIndex.rerank).
const TITLE_PHRASE_BONUS = 1.0;
const BODY_PHRASE_BONUS = 0.3;

function listingKeys(item: PortalItem): ListingKey[] {
  const keys: ListingKey[] = ["all", `kind:${item.kind}`];
  if (item.category) keys.push(`category:${item.category}`);
  if (DOUBLE_PUBLICITY_KINDS.includes(item.kind)) keys.push("double-publicity");
  return keys;
}

/**
 * The portal's in-memory collection: every item version it received, the
 * listings, the search index and the links between items, all kept current as
 * versions arrive in any order across items.
 */
export class PortalIndex {
  private readonly items = new Map<string, PortalItem>();
  private readonly listings = new Map<ListingKey, Listing>();
  private readonly search_ = new SearchIndex();
  // target id → (source id → relations the source declares to it)
  private readonly inbound = new Map<string, Map<string, Relation[]>>();
  private readonly years = new Map<number, number>();
  private readonly urgentIds = new Set<string>();
  // Listed items whose search entry waits for buildSearch(), while search is deferred.
  private unindexed: Set<string> | undefined;
  private building: Promise<void> | undefined;

  /**
   * Applies one version of an item (the caller only ever sends newer versions).
   * Takedowns and expiry are versions too: the item leaves or stays in the
   * listings and search accordingly.
   */
  put(state: ItemState): void {
    const item = toPortalItem(state);
    const previous = this.items.get(item.id);
    if (previous) this.unlist(previous);
    this.unlink(previous);
    this.items.set(item.id, item);
    this.link(item);
    if (!isListed(item)) {
      this.search_.delete(item.id);
      this.unindexed?.delete(item.id);
      return;
    }
    for (const key of listingKeys(item)) this.listing(key).insert(item);
    const year = item.publishedAt === undefined ? 0 : yearOf(item.publishedAt);
    this.years.set(year, (this.years.get(year) ?? 0) + 1);
    if (item.urgent && item.status === ItemStatus.ITEM_STATUS_PUBLISHED)
      this.urgentIds.add(item.id);
    if (this.unindexed) {
      this.unindexed.add(item.id);
      return;
    }
    const facets = { kind: item.kind, year, time: sortTime(item) };
    if (
      previous &&
      isListed(previous) &&
      sameText(previous, item) &&
      this.search_.setFacets(item.id, facets)
    ) {
      return; // e.g. expiry: only the status changed, the postings stay valid
    }
    this.search_.put(item.id, searchFields(item), facets);
  }

  /** Forgets an item entirely; true when it was held. */
  remove(id: string): boolean {
    const item = this.items.get(id);
    if (!item) return false;
    this.unlist(item);
    this.unlink(item);
    this.search_.delete(id);
    this.unindexed?.delete(id);
    this.items.delete(id);
    return true;
  }

  /**
   * From now until {@link buildSearch}, `put` leaves listed items out of the search
   * index. For a restart: indexing 100,000 items for search takes most of the
   * reload's CPU (about 45 s here), and pages need none of it.
   */
  deferSearch(): void {
    if (!this.building) this.unindexed ??= new Set();
  }

  /**
   * Indexes for search what `deferSearch` left out, in slices of about 20 ms that
   * leave the event loop to readers and to the consumer; items put meanwhile join
   * the queue. Resolves once search covers every listed item.
   */
  buildSearch(): Promise<void> {
    this.building ??= (async () => {
      const pending = this.unindexed;
      if (!pending) return;
      let sliceFrom = performance.now();
      // A Set iterates what is added while it runs, and skips what is deleted.
      for (const id of pending) {
        pending.delete(id);
        const item = this.items.get(id);
        if (item && isListed(item)) this.search_.put(id, searchFields(item), facetsOf(item));
        if (performance.now() - sliceFrom > SEARCH_BUILD_SLICE_MS) {
          await setImmediate();
          sliceFrom = performance.now();
        }
      }
      this.unindexed = undefined;
    })();
    return this.building;
  }

  /** Listed items not yet searchable (0 once search is complete). */
  searchPending(): number {
    return this.unindexed?.size ?? 0;
  }

  /** The version held for `id`, whatever its status. */
  get(id: string): PortalItem | undefined {
    return this.items.get(id);
  }

  /** How many items are held, whatever their status. */
  size(): number {
    return this.items.size;
  }

  /** Every item held, in no particular order. */
  values(): IterableIterator<PortalItem> {
    return this.items.values();
  }

  /** A page of a listing, newest first. */
  list(key: ListingKey, offset: number, limit: number): ItemPage {
    const listing = this.listings.get(key);
    return listing
      ? { total: listing.size, items: listing.slice(offset, limit) }
      : { total: 0, items: [] };
  }

  /** Every listed item, newest first (feeds and the sitemap). */
  listed(): readonly PortalItem[] {
    return this.listings.get("all")?.all() ?? [];
  }

  /** Published urgent items, newest first. */
  urgent(): PortalItem[] {
    return [...this.urgentIds]
      .map((id) => this.items.get(id))
      .filter((item): item is PortalItem => item !== undefined)
      .sort((a, b) => sortTime(b) - sortTime(a));
  }

  /** Catalogue columns that hold listed items, with their counts. */
  categories(): { name: string; count: number }[] {
    const out: { name: string; count: number }[] = [];
    for (const [key, listing] of this.listings) {
      if (key.startsWith("category:") && listing.size > 0)
        out.push({ name: key.slice(9), count: listing.size });
    }
    return out;
  }

  /** Years of publication of listed items, newest first (0 = undated is left out). */
  publicationYears(): number[] {
    return [...this.years]
      .filter(([year, count]) => year > 0 && count > 0)
      .map(([year]) => year)
      .sort((a, b) => b - a);
  }

  /**
   * Items that declare a relation to `id` (e.g. the interpretations of a policy
   * document), listed ones only, newest first. Kept whichever arrived first.
   */
  inboundLinks(id: string, relation: Relation): PortalItem[] {
    const sources = this.inbound.get(id);
    if (!sources) return [];
    const out: PortalItem[] = [];
    for (const [sourceId, relations] of sources) {
      const source = this.items.get(sourceId);
      if (source && relations.includes(relation) && isListed(source)) out.push(source);
    }
    return out.sort((a, b) => sortTime(b) - sortTime(a) || (a.id < b.id ? -1 : 1));
  }

  /** The items `item` relates to that have a page to link to. */
  outboundLinks(item: PortalItem): ItemLink[] {
    const out: ItemLink[] = [];
    for (const { relation, itemId } of item.related) {
      const target = this.items.get(itemId);
      const presence = target ? presenceOf(target).kind : "hidden";
      if (target && (presence === "listed" || presence === "withdrawn"))
        out.push({ relation, item: target });
    }
    return out;
  }

  /** Full-text search over listed items. */
  search(text: string, options: SearchOptions): SearchPage {
    const query = analyzeQuery(text);
    const result = this.search_.search({
      query,
      kind: options.kind,
      year: options.year,
      offset: options.offset,
      limit: options.limit,
      rerank: (id) => this.phraseBonus(id, query),
    });
    const items = result.ids
      .map((id) => this.items.get(id))
      .filter((i): i is PortalItem => i !== undefined);
    return { total: result.total, items, query, complete: this.unindexed === undefined };
  }

  /** Index figures for benchmarks and diagnostics. */
  stats(): ReturnType<SearchIndex["stats"]> & { items: number; listed: number } {
    return { ...this.search_.stats(), items: this.items.size, listed: this.listed().length };
  }

  private phraseBonus(id: string, query: AnalyzedQuery): number {
    const item = this.items.get(id);
    if (!item || query.phrases.length === 0) return 1;
    let bonus = 1;
    // The document number counts as title: searching it should find the document itself first.
    const title = foldText(`${item.title}\n${item.documentNumber}\n${item.indexNumber}`);
    const body = foldText(item.summary + "\n" + item.bodyHtml);
    for (const phrase of query.phrases) {
      if (title.includes(phrase)) bonus += TITLE_PHRASE_BONUS / query.phrases.length;
      else if (body.includes(phrase)) bonus += BODY_PHRASE_BONUS / query.phrases.length;
    }
    return bonus;
  }

  private listing(key: ListingKey): Listing {
    let listing = this.listings.get(key);
    if (!listing) {
      listing = new Listing();
      this.listings.set(key, listing);
    }
    return listing;
  }

  private unlist(item: PortalItem): void {
    if (!isListed(item)) return;
    for (const key of listingKeys(item)) this.listings.get(key)?.remove(item);
    const year = item.publishedAt === undefined ? 0 : yearOf(item.publishedAt);
    this.years.set(year, (this.years.get(year) ?? 1) - 1);
    this.urgentIds.delete(item.id);
  }

  private link(item: PortalItem): void {
    for (const { relation, itemId } of item.related) {
      let sources = this.inbound.get(itemId);
      if (!sources) {
        sources = new Map();
        this.inbound.set(itemId, sources);
      }
      const relations = sources.get(item.id) ?? [];
      relations.push(relation);
      sources.set(item.id, relations);
    }
  }

  private unlink(item: PortalItem | undefined): void {
    if (!item) return;
    for (const { itemId } of item.related) {
      const sources = this.inbound.get(itemId);
      sources?.delete(item.id);
      if (sources?.size === 0) this.inbound.delete(itemId);
    }
  }
}

function facetsOf(item: PortalItem): { kind: number; year: number; time: number } {
  const year = item.publishedAt === undefined ? 0 : yearOf(item.publishedAt);
  return { kind: item.kind, year, time: sortTime(item) };
}

function searchFields(item: PortalItem): {
  title: string;
  summary: string;
  meta: string;
  body: string;
} {
  return {
    title: item.title,
    summary: item.summary,
    meta: [
      item.tags.join(" "),
      item.issuingOffice,
      item.documentNumber,
      item.indexNumber,
      item.category,
    ].join("\n"),
    body: htmlToText(item.bodyHtml),
  };
}

function sameText(a: PortalItem, b: PortalItem): boolean {
  return (
    a.title === b.title &&
    a.summary === b.summary &&
    a.bodyHtml === b.bodyHtml &&
    a.category === b.category &&
    a.issuingOffice === b.issuingOffice &&
    a.documentNumber === b.documentNumber &&
    a.indexNumber === b.indexNumber &&
    a.tags.join("\n") === b.tags.join("\n")
  );
}

/** Creates an empty in-memory portal index. */
export function createPortalIndex(): PortalIndex {
  return new PortalIndex();
}
