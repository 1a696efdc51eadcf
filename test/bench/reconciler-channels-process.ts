/**
 * The child process of the reconciler benchmark that serves six channels'
 * ChannelInventory over gRPC, each on a port of its own, paged with channel-kit's
 * `listHoldings` over an in-memory sorted array and requiring the bearer token.
 * Started by `SyntheticChannels.start`; talks to its parent over IPC only.
 */
import { createHash } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { InventoryTokens, listHoldings } from "@herald/channel-kit";
import { ChannelInventoryService, type ChannelInventoryServer } from "@herald/contracts";
import {
  CHANNELS,
  type ChildMessage,
  type ServedChannel,
  type StartMessage,
  holdingsOf,
} from "./reconciler-channels";

const servers: grpc.Server[] = [];

function reply(message: ChildMessage): void {
  process.send?.(message);
}

async function serve(message: StartMessage): Promise<ServedChannel[]> {
  const tokens = InventoryTokens.of([
    { name: "reconciler", sha256: createHash("sha256").update(message.token).digest("hex") },
  ]);
  const served: ServedChannel[] = [];
  for (const [index, policy] of CHANNELS.entries()) {
    const { holdings, planted } = holdingsOf(policy, index, message.items, message.faults);
    const service: ChannelInventoryServer = {
      listHoldings(call, callback) {
        const header = call.metadata.get("authorization")[0];
        if (!tokens.authenticate(typeof header === "string" ? header : undefined)) {
          callback({
            code: grpc.status.UNAUTHENTICATED,
            details: "ListHoldings needs an `authorization: Bearer <token>`",
          });
          return;
        }
        callback(null, listHoldings(holdings, call.request));
      },
    };
    const server = new grpc.Server();
    server.addService(ChannelInventoryService, service);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    servers.push(server);
    served.push({
      name: policy.name,
      port,
      listed: holdings.filter((h) => h.status === "held").length,
      planted,
    });
  }
  return served;
}

function leave(): void {
  let open = servers.length;
  if (open === 0) process.exit(0);
  for (const server of servers) {
    server.tryShutdown(() => {
      open -= 1;
      if (open === 0) process.exit(0);
    });
  }
}

process.on("SIGTERM", leave);
// The parent is gone: nobody will audit these inventories any more.
process.on("disconnect", leave);
process.once("message", (message: StartMessage) => {
  serve(message).then(
    (channels) => reply({ type: "ready", channels }),
    (error: unknown) =>
      reply({
        type: "failed",
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
