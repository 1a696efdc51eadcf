import * as grpc from "@grpc/grpc-js";
import {
  type ConsumedOffset,
  ConsumingState as ConsumingStateMessage,
  type ConsumingStatus as ConsumingStatusMessage,
  ChannelInventoryService,
  type ChannelInventoryServer,
  type Holding as HoldingMessage,
  type ListHoldingsRequest,
  type ListHoldingsResponse,
} from "@herald/contracts";
import { type Logger, type TokenFileRules, TokenStore } from "@herald/runtime";
import type { ConsumingState, ConsumingStatus } from "./consuming";
import type { Holding } from "./holdings";
import {
  type InventoryListing,
  InventorySnapshots,
  decodeCursor,
  encodeCursor,
} from "./inventory-snapshots";

const DEFAULT_PAGE = 500;
const MAX_PAGE = 5_000;

/** What a channel's inventory token file holds: names and hashes (roles are not used). */
export const INVENTORY_TOKEN_RULES: TokenFileRules = { label: "inventory token file" };

/**
 * Who may read a channel's inventory: SHA-256 hashes of bearer tokens, never the
 * tokens. A file given to `fromFile` is read again when it changes, so a rotated
 * token is refused without a restart.
 */
export class InventoryTokens {
  private constructor(private readonly store: TokenStore<string>) {}

  static fromFile(path: string, logger?: Logger): InventoryTokens {
    return new InventoryTokens(
      TokenStore.open(path, INVENTORY_TOKEN_RULES, (entry) => entry.name, { logger }),
    );
  }

  static of(tokens: readonly { name: string; sha256: string }[]): InventoryTokens {
    return new InventoryTokens(
      TokenStore.of(
        { tokens: tokens.map(({ name, sha256 }) => ({ name, sha256 })) },
        (e) => e.name,
      ),
    );
  }

  /** The caller's name, or undefined when the header carries no known token. */
  authenticate(authorization: string | undefined): string | undefined {
    return this.store.authenticate(authorization);
  }
}

function pageToken(itemId: string): string {
  return Buffer.from(itemId, "utf8").toString("base64url");
}

function afterId(token: string): string {
  return Buffer.from(token, "base64url").toString("utf8");
}

/** First index in `sorted` whose item id is greater than `id`. */
function firstAfter(sorted: readonly Holding[], id: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]!.itemId <= id) low = mid + 1;
    else high = mid;
  }
  return low;
}

function toMessage(holding: Holding): HoldingMessage {
  return {
    itemId: holding.itemId,
    version: holding.version,
    checksum: holding.checksum,
    externalRef: holding.externalRef,
    status: holding.itemStatus,
    appliedAt: holding.appliedAt,
  };
}

const CONSUMING_STATE: Readonly<Record<ConsumingState, ConsumingStateMessage>> = {
  starting: ConsumingStateMessage.CONSUMING_STATE_STARTING,
  normal: ConsumingStateMessage.CONSUMING_STATE_NORMAL,
  stalled: ConsumingStateMessage.CONSUMING_STATE_STALLED,
  failing: ConsumingStateMessage.CONSUMING_STATE_FAILING,
  crashed: ConsumingStateMessage.CONSUMING_STATE_CRASHED,
};

/** The consuming status as a listing's first page carries it. */
export function toConsumingMessage(status: ConsumingStatus): ConsumingStatusMessage {
  return {
    state: CONSUMING_STATE[status.state],
    detail: status.detail,
    lag: Math.max(0, Math.round(status.lag)),
    idleSeconds: Math.max(0, Math.round(status.idleSeconds)),
    retriesPending: Math.max(0, Math.round(status.retriesPending)),
  };
}

/**
 * One page of `sorted` (holdings in item id order), listing only held items.
 * Pure: its page token is the last item id the page covered, and it is the
 * paging the gRPC service runs over a snapshot of the database.
 */
export function listHoldings(
  sorted: readonly Holding[],
  request: Pick<ListHoldingsRequest, "pageSize" | "pageToken" | "appliedSince">,
): ListHoldingsResponse {
  const size = Math.min(request.pageSize || DEFAULT_PAGE, MAX_PAGE);
  let index = request.pageToken ? firstAfter(sorted, afterId(request.pageToken)) : 0;
  const page: HoldingMessage[] = [];
  let last: string | undefined;
  while (index < sorted.length && page.length < size) {
    const holding = sorted[index]!;
    index += 1;
    last = holding.itemId;
    if (holding.status !== "held") continue;
    if (request.appliedSince && holding.appliedAt < request.appliedSince) continue;
    page.push(toMessage(holding));
  }
  return {
    holdings: page,
    nextPageToken: index < sorted.length && last ? pageToken(last) : "",
    consumed: [],
    consuming: undefined,
  };
}

export interface InventoryServerOptions {
  /** Every holding as the database has it now, sorted by item id (`HoldingStore.scanDatabase`). */
  scan: () => Promise<readonly Holding[]>;
  /**
   * How far the channel has applied the item stream (its group's committed offsets).
   * Read before `scan`, so every message below them is reflected in what the scan returns.
   */
  consumed: () => Promise<readonly ConsumedOffset[]>;
  /**
   * How this instance consumes now, sent with each first page: the auditor's
   * `not_consuming` finding. Each instance answers for itself; absent, the field
   * is left unset ("cannot tell").
   */
  consuming?: () => ConsumingStatus;
  tokens: InventoryTokens;
  logger: Logger;
  /** Where the listings in progress are kept; default: 4 at most, for 10 minutes each. */
  snapshots?: InventorySnapshots;
}

type ListResult =
  { ok: true; response: ListHoldingsResponse } | { ok: false; error: Partial<grpc.StatusObject> };

/** A listing to page: a kept snapshot (`id`), or one just read that has none yet. */
interface Listing {
  readonly id: string | undefined;
  readonly listing: InventoryListing;
  /** The last item id the previous page covered; "" for the first page. */
  readonly after: string;
}

/**
 * One page of what the database holds. A first page (no token) reads the
 * collection once and keeps what it read as a snapshot, which the next pages,
 * whose tokens name it, go on paging: an audit sees one consistent listing, at
 * the cost of one scan (FerretDB on SQLite would scan per page anyway, as it
 * pushes down only `_id` equality).
 */
async function listFromDatabase(
  options: InventoryServerOptions,
  snapshots: InventorySnapshots,
  request: ListHoldingsRequest,
  caller: string,
): Promise<ListResult> {
  let listing: Listing;
  let consuming: ConsumingStatusMessage | undefined;
  if (request.pageToken) {
    const cursor = decodeCursor(request.pageToken);
    if (!cursor) {
      return {
        ok: false,
        error: {
          code: grpc.status.INVALID_ARGUMENT,
          details: "page_token: not a token this server issued",
        },
      };
    }
    const kept = snapshots.get(cursor.snapshot);
    if (!kept) {
      return {
        ok: false,
        error: {
          code: grpc.status.FAILED_PRECONDITION,
          details: `page_token: the listing it continues is gone (a listing is kept ${Math.round(snapshots.lifetimeMs / 1000)} s, ${snapshots.max} at most, by the instance that began it); restart from the first page with an empty page_token`,
        },
      };
    }
    listing = { id: cursor.snapshot, listing: kept, after: cursor.after };
  } else {
    const started = Date.now();
    // Before the scan: the runtime commits only after it wrote the holdings, so every
    // message below these offsets is in what the scan reads. Read after, a message
    // applied in between would count as reflected when the scan missed it.
    const consumed = await consumedOrUnavailable(options);
    if (!consumed.ok) return consumed;
    // The state as the listing begins, beside the offsets it explains (a stall, a failing apply).
    consuming = options.consuming ? toConsumingMessage(options.consuming()) : undefined;
    // Only held items are ever listed: keep no more than those in memory.
    const held = (await options.scan()).filter((h) => h.status === "held");
    options.logger.info(
      { caller, held: held.length, ms: Date.now() - started },
      "inventory: read the holdings for a listing",
    );
    listing = { id: undefined, listing: { holdings: held, consumed: consumed.value }, after: "" };
  }
  const page = {
    ...listHoldings(listing.listing.holdings, {
      pageSize: request.pageSize,
      pageToken: listing.after ? pageToken(listing.after) : "",
      appliedSince: request.appliedSince,
    }),
    consumed: [...listing.listing.consumed],
    consuming,
  };
  if (!page.nextPageToken) return { ok: true, response: page };
  // A listing that fits on one page needs no snapshot.
  const snapshot = listing.id ?? snapshots.add(listing.listing);
  const next = encodeCursor({ snapshot, after: afterId(page.nextPageToken) });
  return { ok: true, response: { ...page, nextPageToken: next } };
}

/**
 * The committed offsets, or UNAVAILABLE. An empty list would tell the auditor "cannot
 * tell" and make every item in flight count as missing, so an audit while Kafka does
 * not answer is refused instead, and tried again later.
 */
async function consumedOrUnavailable(
  options: InventoryServerOptions,
): Promise<
  { ok: true; value: readonly ConsumedOffset[] } | { ok: false; error: Partial<grpc.StatusObject> }
> {
  try {
    return { ok: true, value: await options.consumed() };
  } catch (error) {
    options.logger.warn({ err: error }, "inventory: cannot read the consumed offsets");
    return {
      ok: false,
      error: {
        code: grpc.status.UNAVAILABLE,
        details: `consumed: cannot read how far the channel applied the item stream (its group's committed offsets): ${error instanceof Error ? error.message : String(error)}; try again later`,
      },
    };
  }
}

/**
 * The gRPC ChannelInventory the reconciler audits: what the channel's database
 * holds, not the runtime's cache, so a holding lost or altered behind the
 * runtime's back shows in the next audit. Every call needs a bearer token.
 */
export function createInventoryService(options: InventoryServerOptions): ChannelInventoryServer {
  const snapshots = options.snapshots ?? new InventorySnapshots();
  return {
    listHoldings(call, callback) {
      const authorization = call.metadata.get("authorization")[0];
      const caller = options.tokens.authenticate(
        typeof authorization === "string" ? authorization : undefined,
      );
      if (!caller) {
        callback({
          code: grpc.status.UNAUTHENTICATED,
          details: "ListHoldings needs an `authorization: Bearer <token>` with an inventory token",
        });
        return;
      }
      listFromDatabase(options, snapshots, call.request, caller).then(
        (result) => (result.ok ? callback(null, result.response) : callback(result.error)),
        (error: unknown) => {
          options.logger.warn({ err: error, caller }, "inventory: cannot read the holdings");
          callback({
            code: grpc.status.UNAVAILABLE,
            details: `cannot read the channel's holdings: ${error instanceof Error ? error.message : String(error)}`,
          });
        },
      );
    },
  };
}

/** Starts a gRPC server with the ChannelInventory service; `port` 0 picks a free one. */
export async function startInventoryServer(
  service: ChannelInventoryServer,
  host: string,
  port: number,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(ChannelInventoryService, service);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}
