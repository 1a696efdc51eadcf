import * as grpc from "@grpc/grpc-js";
import type { InventoryTokens } from "@herald/channel-kit";
import {
  ChannelInventoryService,
  type ListHoldingsRequest,
  type ListHoldingsResponse,
  OutletGatewayService,
  Topics,
} from "@herald/contracts";
import { type Logger, topicName } from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { Gateway } from "./gateway";
import { type ConnectCall, OutletSession } from "./session";

const DEFAULT_PAGE = 500;
const MAX_PAGE = 5000;

export interface GrpcOptions {
  gateway: Gateway;
  tokens: InventoryTokens;
  kafka: Kafka;
  groupPrefix: string;
  topicPrefix?: string | undefined;
  logger: Logger;
}

type Callback = grpc.sendUnaryData<ListHoldingsResponse>;

/**
 * ListHoldings for an outlet: the gateway asks a connected instance of the
 * outlet for the page over its stream. With none connected, or none answering,
 * the audit gets UNAVAILABLE ("outlet unreachable"): the gateway's own records
 * are never passed off as the outlet's holdings.
 */
function listHoldings(options: GrpcOptions) {
  return (
    call: grpc.ServerUnaryCall<ListHoldingsRequest, ListHoldingsResponse>,
    callback: Callback,
  ) => {
    const authorization = call.metadata.get("authorization")[0];
    const caller = options.tokens.authenticate(
      typeof authorization === "string" ? authorization : undefined,
    );
    if (!caller) {
      callback({
        code: grpc.status.UNAUTHENTICATED,
        details: "send authorization: Bearer <inventory token>",
      });
      return;
    }
    const { outletId, pageSize, pageToken } = call.request;
    if (!outletId) {
      callback({
        code: grpc.status.INVALID_ARGUMENT,
        details: "outlet_id: is required: the gateway serves one inventory per outlet",
      });
      return;
    }
    const session = options.gateway.anySession(outletId);
    if (!session) {
      callback({
        code: grpc.status.UNAVAILABLE,
        details: `outlet unreachable: no instance of outlet ${outletId} is connected to this gateway`,
      });
      return;
    }
    const size = Math.min(pageSize || DEFAULT_PAGE, MAX_PAGE);
    void (async () => {
      try {
        // Taken before asking: every message below a committed offset has its result
        // recorded, so the listing reflects at least that much of herald.items.v1.
        const consumed = pageToken ? [] : await committedOffsets(options, outletId);
        const page = await session.requestInventory(pageToken, size);
        if (page.error) {
          callback({ code: grpc.status.UNAVAILABLE, details: `outlet unreachable: ${page.error}` });
          return;
        }
        callback(null, { holdings: page.holdings, nextPageToken: page.nextPageToken, consumed });
      } catch (error) {
        callback({
          code: grpc.status.UNAVAILABLE,
          details: `outlet unreachable: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    })();
  };
}

async function committedOffsets(options: GrpcOptions, outlet: string) {
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const topic = topicName(Topics.items, options.topicPrefix);
    const [offsets] = await admin.fetchOffsets({
      groupId: `${options.groupPrefix}${outlet}`,
      topics: [topic],
    });
    return (offsets?.partitions ?? [])
      .filter((p) => Number(p.offset) >= 0)
      .map((p) => ({ partition: p.partition, offset: Number(p.offset) }));
  } finally {
    await admin.disconnect();
  }
}

export async function startGrpc(
  options: GrpcOptions,
  host: string,
  port: number,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({
    // Dead peers are found by the protocol's heartbeats; keepalive catches half-open TCP.
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_permit_without_calls": 1,
  });
  server.addService(OutletGatewayService, {
    connect: (call: ConnectCall) => void new OutletSession(call, options.gateway),
  });
  server.addService(ChannelInventoryService, { listHoldings: listHoldings(options) });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}
