import { type RedeliveryRequest, Topics, channelRedeliveryTopic } from "@herald/contracts";
import {
  type ConsumerRunner,
  type HeraldProducer,
  type Logger,
  createConsumerRunner,
} from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { DeadLetters } from "./dead-letters";
import type { ChannelMetrics } from "./metrics";

/**
 * Forwards this channel's requests from herald.redeliver.v1 (keyed by
 * "<channel>/<item>") to the channel's own queue keyed by item id, which is
 * co-partitioned with the item stream: the instance that owns the item applies
 * the redelivery, so it never races the item's versions.
 */
export function createRedeliveryRouter(options: {
  kafka: Kafka;
  channel: string;
  groupId: string;
  topicPrefix: string | undefined;
  producer: HeraldProducer;
  deadLetters: DeadLetters;
  metrics: ChannelMetrics;
  logger: Logger;
}): ConsumerRunner {
  const queue = channelRedeliveryTopic(options.channel);
  return createConsumerRunner<RedeliveryRequest>({
    kafka: options.kafka,
    groupId: options.groupId,
    topic: Topics.redeliver,
    ...(options.topicPrefix ? { topicPrefix: options.topicPrefix } : {}),
    // Requests made while the channel was down still count.
    fromBeginning: true,
    logger: options.logger,
    handle: async ({ value }) => {
      if (value.channel !== options.channel || value.outletId) return;
      if (!value.itemId) {
        options.logger.warn({ request: value }, "redelivery request without an item id; ignored");
        return;
      }
      await options.producer.send(queue, [{ key: value.itemId, value }]);
    },
    onInvalid: async (message) => {
      // Every channel reads this topic; only the request meant for this one is ours to report.
      if (!message.key?.toString("utf8").startsWith(`${options.channel}/`)) return;
      await options.deadLetters.send(message);
      options.metrics.count("dead_lettered");
    },
  });
}
