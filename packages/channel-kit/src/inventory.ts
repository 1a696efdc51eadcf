import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import {
  ChannelInventoryService,
  type ChannelInventoryServer,
  type Holding as HoldingMessage,
  type ListHoldingsRequest,
  type ListHoldingsResponse,
} from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import { z } from "zod";
import type { Holding } from "./holdings";

const DEFAULT_PAGE = 500;
const MAX_PAGE = 5_000;

const tokenFileSchema = z.strictObject({
  tokens: z.array(
    z.strictObject({
      name: z.string().min(1).max(100),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "lower-case hex SHA-256 of the token"),
    }),
  ),
});

/** Who may read a channel's inventory: SHA-256 hashes of bearer tokens, never the tokens. */
export class InventoryTokens {
  private constructor(private readonly entries: { name: string; hash: Buffer }[]) {}

  static fromFile(path: string): InventoryTokens {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(
        `cannot read the inventory token file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const parsed = tokenFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
      throw new Error(`invalid inventory token file ${path}: ${problems.join("; ")}`);
    }
    return InventoryTokens.of(parsed.data.tokens);
  }

  static of(tokens: readonly { name: string; sha256: string }[]): InventoryTokens {
    return new InventoryTokens(
      tokens.map((t) => ({ name: t.name, hash: Buffer.from(t.sha256, "hex") })),
    );
  }

  /** The caller's name, or undefined when the header carries no known token. */
  authenticate(authorization: string | undefined): string | undefined {
    const match = /^Bearer (\S+)$/.exec(authorization ?? "");
    if (!match?.[1]) return undefined;
    const hash = createHash("sha256").update(match[1], "utf8").digest();
    return this.entries.find((e) => timingSafeEqual(e.hash, hash))?.name;
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

/** One page of what the channel shows, in item id order. */
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
  return { holdings: page, nextPageToken: index < sorted.length && last ? pageToken(last) : "" };
}

export interface InventoryServerOptions {
  holdings: () => readonly Holding[];
  tokens: InventoryTokens;
  logger: Logger;
}

/** The gRPC ChannelInventory the reconciler audits. Every call needs a bearer token. */
export function createInventoryService(options: InventoryServerOptions): ChannelInventoryServer {
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
      if (call.request.pageToken && !/^[A-Za-z0-9_-]*$/.test(call.request.pageToken)) {
        callback({
          code: grpc.status.INVALID_ARGUMENT,
          details: "page_token: not a token this server issued",
        });
        return;
      }
      callback(null, listHoldings(options.holdings(), call.request));
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
