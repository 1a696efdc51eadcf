import {
  type DeliveryReceipt,
  type ItemState,
  type RedeliveryRequest,
  channelRedeliveryTopic,
} from "@herald/contracts";
import { type Logger, extractTraceContext } from "@herald/runtime";
import type { KafkaMessage } from "kafkajs";
import { errorMessage } from "./adapter";
import type { ApplyOutcome, Applier } from "./applier";
import type { CurrentStateSource } from "./content-client";
import { decodeMessage, rejectedReason } from "./messages";
import type { ChannelMetrics } from "./metrics";
import { failureReceipt } from "./receipts";
import type { RetryQueue } from "./retry-queue";

/** What the lane needs from the consumer it runs in. */
export interface LaneHost {
  deadLetter(
    message: KafkaMessage,
    topic: string,
    partition: number,
    headers: Record<string, string>,
    reason: string,
  ): Promise<void>;
  afterApply(
    outcome: ApplyOutcome,
    state: ItemState,
    partition: number,
    receipts: DeliveryReceipt[],
    deadLetter: () => Promise<void>,
  ): Promise<void>;
}

/**
 * The channel's own redelivery queue: each request is carried out by fetching the
 * item's current state from the content service and applying it, unless the
 * channel still has that very version (its holding re-read from the database, and
 * the adapter's `verify`): then the receipt is sent again, so a redelivery never
 * puts an item on the channel twice. The queue is
 * co-partitioned with the item stream, so this runs on the item's only writer.
 */
export class RedeliveryLane {
  constructor(
    private readonly options: {
      channel: string;
      /** The queue's topic name, with any prefix. */
      topic: string;
      content: CurrentStateSource | undefined;
      applier: Applier;
      retries: RetryQueue;
      metrics: ChannelMetrics;
      logger: Logger;
      host: LaneHost;
    },
  ) {}

  /**
   * Carries out one chunk of requests; returns the receipts to send. `heartbeat`
   * runs after each request: a chunk of 200 requests, each a database read or an
   * apply, can outlast the session timeout, and a member that misses it has the
   * chunk replayed by the next owner (every request of it carried out twice).
   */
  async handle(
    chunk: KafkaMessage[],
    partition: number,
    heartbeat: () => Promise<void> = () => Promise.resolve(),
  ): Promise<DeliveryReceipt[]> {
    const receipts: DeliveryReceipt[] = [];
    const schema = channelRedeliveryTopic(this.options.channel).schema;
    for (const message of chunk) {
      const decoded = decodeMessage<RedeliveryRequest>(message, schema);
      if ("poison" in decoded) {
        await this.options.host.deadLetter(
          message,
          this.options.topic,
          partition,
          decoded.headers,
          decoded.poison,
        );
        continue;
      }
      receipts.push(...(await this.one(decoded.value, message, partition, decoded.headers)));
      await heartbeat();
    }
    return receipts;
  }

  private async one(
    request: RedeliveryRequest,
    message: KafkaMessage,
    partition: number,
    headers: Record<string, string>,
  ): Promise<DeliveryReceipt[]> {
    const { applier, channel, content, host, metrics, retries } = this.options;
    const log = this.options.logger.child({
      itemId: request.itemId,
      requestedBy: request.requestedBy,
    });
    const parent = extractTraceContext(message.headers ?? {});
    let state: ItemState | undefined;
    try {
      if (!content) throw new Error("no content service is configured for redeliveries");
      state = await content.currentState(request.itemId);
    } catch (error) {
      log.warn({ err: error }, "redelivery: cannot fetch the current state");
      metrics.count("failed");
      const unavailable = Object.assign(
        new Error(`redelivery could not fetch the current state: ${errorMessage(error)}`),
        { code: "content.unavailable" },
      );
      return [
        failureReceipt(
          channel,
          { id: request.itemId, version: request.version },
          unavailable,
          1,
          false,
        ),
      ];
    }
    metrics.count("redelivered");
    log.info({ version: state?.version }, "redelivering");
    const receipts: DeliveryReceipt[] = [];
    if (!state) {
      // Not disclosed (any more): take it off the channel if it is there.
      const outcome = await applier.processUnknown(request.itemId, {
        source: "redelivery",
        parent,
      });
      if (outcome.kind !== "stale" && outcome.receipt) receipts.push(outcome.receipt);
      return receipts;
    }
    retries.cancel(state.id);
    const outcome = await applier.process(state, {
      source: "redelivery",
      force: true,
      confirmHeld: true,
      parent,
    });
    await host.afterApply(outcome, state, partition, receipts, () =>
      host.deadLetter(message, this.options.topic, partition, headers, rejectedReason(outcome)),
    );
    return receipts;
  }
}
