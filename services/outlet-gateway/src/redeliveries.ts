import { readFileSync } from "node:fs";
import { type CurrentStateSource, createContentClient } from "@herald/channel-kit";
import { Topics } from "@herald/contracts";
import { type ConsumerRunner, type Logger, createConsumerRunner } from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { Gateway } from "./gateway";

export interface RedeliveryReaderOptions {
  kafka: Kafka;
  gateway: Gateway;
  /** Where the current state of an item is read, as a channel's redeliveries do. */
  content: CurrentStateSource;
  /** This gateway's own group: every gateway reads every request. */
  groupId: string;
  topicPrefix?: string | undefined;
  logger: Logger;
}

/**
 * Reads herald.redeliver.v1 and carries out the requests that name an outlet
 * with a feed on this gateway (`outlet_id`). Every gateway reads every request
 * in a group of its own; only the one whose feed owns the item's partition
 * delivers it, so an item keeps one writer. A group of its own starts at the
 * newest request: requests made while no gateway ran are asked again by the
 * reconciler's backoff, which also covers an outlet not connected anywhere.
 */
export function startRedeliveryReader(options: RedeliveryReaderOptions): ConsumerRunner {
  const log = options.logger.child({ component: "redeliveries" });
  return createConsumerRunner({
    kafka: options.kafka,
    groupId: options.groupId,
    topic: Topics.redeliver,
    ...(options.topicPrefix ? { topicPrefix: options.topicPrefix } : {}),
    fromBeginning: false,
    logger: log,
    handle: async ({ value: request }) => {
      if (!request.outletId || !request.itemId) return;
      const feed = options.gateway.feed(request.outletId);
      if (!feed) return; // not connected here: the outlet's own gateway, or the next attempt, has it
      const done = await feed.redeliver(request, options.content);
      log.info(
        { outlet: request.outletId, item: request.itemId, version: request.version, done },
        "redelivery request",
      );
    },
    // Channels dead-letter what they cannot read; a request no outlet can read is not ours to keep.
    onInvalid: (message) => {
      log.warn({ offset: message.offset, reason: message.reason }, "unreadable redelivery request");
      return Promise.resolve();
    },
  });
}

/** The content client for redeliveries, or undefined when the gateway is not given one. */
export function contentSourceOf(
  address: string | undefined,
  tokenFile: string | undefined,
): CurrentStateSource | undefined {
  if (!address) return undefined;
  if (!tokenFile) {
    throw new Error(
      "OUTLET_CONTENT_TOKEN_FILE: required with OUTLET_CONTENT_GRPC (a file holding a content token with role `channel`)",
    );
  }
  let token: string;
  try {
    token = readFileSync(tokenFile, "utf8").trim();
  } catch (error) {
    throw new Error(
      `OUTLET_CONTENT_TOKEN_FILE: cannot read ${tokenFile}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return createContentClient({ address, token });
}
