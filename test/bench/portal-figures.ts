/**
 * The portal benchmark's figures: the targets, what each phase measured, and
 * the statistics drawn from it.
 */
import type { Distribution } from "./bench-stats";
import type { PortalSearchFigures } from "./portal-search";

export const TARGETS = {
  itemsPerS: 500,
  p50Ms: 50,
  p99Ms: 250,
  /** The rate the latency targets are stated for. */
  rate: 50,
  searchP95Ms: 20,
  rssBytes: 1024 ** 3,
} as const;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (!sorted.length) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One apply-throughput run: a fresh namespace, N items pre-produced, one portal process. */
export interface ApplyRun {
  items: number;
  /** Spawn → /readyz 200, ms. */
  readyMs: number;
  /** Spawn → the first DELIVERED receipt's `at`, ms. */
  firstReceiptMs: number;
  /** First → last DELIVERED receipt `at`, s. */
  seconds: number;
  itemsPerS: number;
  missing: number;
  otherReceipts: number;
  firstOther?: string;
  pagesOk: number;
  pagesSampled: number;
  /** Upserts by _id of holding documents a second, straight through the driver. */
  rawUpsertsPerS: number;
  /** Items a second read from the topic and decoded by one bare consumer. */
  kafkaReadPerS: number;
  /** CPU over the apply window, % of one core, by process. */
  cpu: Record<string, number>;
  rss: number;
  hwm: number;
  /** With --profile: the portal's main-thread self time by part over its whole life, ms. */
  profile?: Record<string, number>;
}

/** One latency run at a fixed rate through the content service's HTTP API. */
export interface LatencyRun {
  published: number;
  errors: number;
  firstError?: string;
  missing: number;
  /** Publish request started → DELIVERED receipt `at`, ms. */
  toPage: Distribution;
  /** Publish request started → answered, ms. */
  answer: Distribution;
  /** Publish request started → read from the item stream by this process, ms. */
  toTopic: Distribution;
  /** Read from the item stream → DELIVERED receipt `at`, ms. */
  topicToReceipt: Distribution;
  startLagMaxMs: number;
  /** CPU while publishing, % of one core, by process; bench includes the content service. */
  cpu: Record<string, number>;
  /** Items whose page was polled from the start of their publish. */
  pagesPolled: number;
  pagesSeen: number;
  /** First 200 answered − receipt `at`, ms: the page was there by then. */
  pageByAfterReceipt: Distribution;
  /** Last 404 sent − receipt `at`, ms: the page was not there yet at that moment. */
  pageNotYetAfterReceipt: Distribution;
}

export interface MemoryFigures {
  items: number;
  produceSeconds: number;
  readyMs: number;
  applySeconds: number;
  itemsPerS: number;
  missing: number;
  rss: number;
  hwm: number;
  stopMs: number;
  reloadReadyMs: number;
  reloadRss: number;
  /** The peak over the whole reload, the background search build included. */
  reloadHwm: number;
  /** When the search index covered every item again, ms after the restart's spawn. */
  searchBuiltMs: number;
  searchedRss: number;
  pagesOk: number;
  pagesSampled: number;
}

export interface Report {
  machine: string;
  code: string;
  database: string;
  kafka: string;
  quick: boolean;
  settings: {
    items: number;
    runs: number;
    rate: number;
    latencyItems: number;
    inFlight: number;
    pollIntervalMs: number;
  };
  apply?: ApplyRun[];
  latency?: LatencyRun[];
  latencyReadyMs?: number;
  search?: PortalSearchFigures;
  memory?: MemoryFigures;
  tookS: number;
}
