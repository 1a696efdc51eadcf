import { type DeadLetter, type TopicSpec, deadLetterTopic } from "@herald/contracts";
import type { HeraldProducer } from "@herald/runtime";

/** A message the channel can never apply, with where it came from. */
export interface Poison {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | Uint8Array | null;
  headers: Record<string, string>;
  reason: string;
}

/** Sends poison messages to herald.dlq.<channel>.v1 with their reason. */
export class DeadLetters {
  readonly topic: TopicSpec<DeadLetter>;

  constructor(
    private readonly channel: string,
    private readonly producer: HeraldProducer,
  ) {
    this.topic = deadLetterTopic(channel);
  }

  async send(poison: Poison): Promise<void> {
    const key =
      poison.key === null
        ? ""
        : typeof poison.key === "string"
          ? poison.key
          : poison.key.toString("utf8");
    await this.producer.send(this.topic, [
      {
        key,
        value: {
          channel: this.channel,
          sourceTopic: poison.topic,
          sourcePartition: poison.partition,
          sourceOffset: poison.offset,
          key:
            typeof poison.key === "string"
              ? Buffer.from(poison.key)
              : (poison.key ?? Buffer.alloc(0)),
          value: poison.value ? Buffer.from(poison.value) : Buffer.alloc(0),
          headers: poison.headers,
          reason: poison.reason,
          at: new Date(),
        },
      },
    ]);
  }
}
