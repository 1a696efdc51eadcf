import * as grpc from "@grpc/grpc-js";
import { ContentServiceClient, type ItemState } from "@herald/contracts";

/** Where a channel fetches an item's current state for a redelivery. */
export interface CurrentStateSource {
  /** The item's current public state, or undefined when the content service does not disclose it. */
  currentState(itemId: string): Promise<ItemState | undefined>;
  close(): void;
}

export interface ContentClientOptions {
  /** host:port of the content service's gRPC ContentService. */
  address: string;
  /** A token with the `channel` role. */
  token: string;
  /** PEM root certificates for TLS; plaintext without. */
  rootCerts?: Buffer;
  deadlineMs?: number;
}

/** A ContentService client that reads one item at a time with the channel's token. */
export function createContentClient(options: ContentClientOptions): CurrentStateSource {
  const credentials = options.rootCerts
    ? grpc.credentials.createSsl(options.rootCerts)
    : grpc.credentials.createInsecure();
  const client = new ContentServiceClient(options.address, credentials);
  const deadlineMs = options.deadlineMs ?? 5_000;
  return {
    currentState(itemId) {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${options.token}`);
      return new Promise((resolve, reject) => {
        client.getItem(
          { id: itemId },
          metadata,
          { deadline: Date.now() + deadlineMs },
          (error, response) => {
            if (error?.code === grpc.status.NOT_FOUND) resolve(undefined);
            else if (error) reject(error);
            else resolve(response.item);
          },
        );
      });
    },
    close: () => client.close(),
  };
}
