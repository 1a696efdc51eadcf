import { readFileSync } from "node:fs";
import { Topics, type TopicSpec, channelRedeliveryTopic, deadLetterTopic } from "@herald/contracts";
import { type Logger, ensureTopics, topicName } from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { ChannelConfig } from "./config";
import { type CurrentStateSource, createContentClient } from "./content-client";

/** Creates the topics a channel uses, its own redelivery queue with as many partitions as the item stream. */
export async function ensureChannelTopics(
  kafka: Kafka,
  channel: string,
  config: ChannelConfig,
  logger: Logger,
) {
  const prefix = config.HERALD_TOPIC_PREFIX;
  const common = {
    logger,
    ...(prefix ? { prefix } : {}),
    ...(config.HERALD_TOPIC_REPLICATION
      ? { replicationFactor: config.HERALD_TOPIC_REPLICATION }
      : {}),
  };
  const admin = kafka.admin();
  await admin.connect();
  try {
    const shared: TopicSpec<unknown>[] = [
      Topics.items,
      Topics.receipts,
      Topics.redeliver,
      Topics.channels, // compacted: the latest announcement of each channel stays
      deadLetterTopic(channel),
    ];
    await ensureTopics(admin, shared, { ...common, partitions: config.HERALD_TOPIC_PARTITIONS });
    const items = topicName(Topics.items, prefix);
    const metadata = await admin.fetchTopicMetadata({ topics: [items] });
    const partitions = metadata.topics[0]?.partitions.length ?? config.HERALD_TOPIC_PARTITIONS;
    const queue = channelRedeliveryTopic(channel);
    await ensureTopics(admin, [queue], { ...common, partitions });
    const queueName = topicName(queue, prefix);
    const queueMeta = await admin.fetchTopicMetadata({ topics: [queueName] });
    const queuePartitions = queueMeta.topics[0]?.partitions.length ?? 0;
    if (queuePartitions !== partitions) {
      throw new Error(
        `${queueName} has ${queuePartitions} partitions but ${items} has ${partitions}; they must match so that an item's redeliveries reach the instance that applies it. Add partitions to ${queueName} with kafka-topics.sh --alter.`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}

/** The content service client redeliveries fetch from, when the config names one. */
export function contentSource(config: ChannelConfig): CurrentStateSource | undefined {
  if (!config.CHANNEL_CONTENT_GRPC) return undefined;
  if (!config.CHANNEL_CONTENT_TOKEN_FILE) {
    throw new Error(
      "CHANNEL_CONTENT_TOKEN_FILE: required with CHANNEL_CONTENT_GRPC (a file holding a content token with role `channel`)",
    );
  }
  let token: string;
  try {
    token = readFileSync(config.CHANNEL_CONTENT_TOKEN_FILE, "utf8").trim();
  } catch (error) {
    throw new Error(
      `CHANNEL_CONTENT_TOKEN_FILE: cannot read ${config.CHANNEL_CONTENT_TOKEN_FILE}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return createContentClient({ address: config.CHANNEL_CONTENT_GRPC, token });
}
