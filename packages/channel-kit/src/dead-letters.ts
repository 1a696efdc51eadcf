import { type DeadLetter, type TopicSpec, deadLetterTopic } from "@herald/contracts";
import type { HeraldProducer, InvalidMessage } from "@herald/runtime";

/** A message the channel can never apply, with where it came from and why. */
export type Poison = InvalidMessage;

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
    const key = poison.key?.toString("utf8") ?? "";
    await this.producer.send(this.topic, [
      {
        key,
        value: {
          channel: this.channel,
          sourceTopic: poison.topic,
          sourcePartition: poison.partition,
          sourceOffset: poison.offset,
          key: poison.key ?? Buffer.alloc(0),
          value: poison.value ?? Buffer.alloc(0),
          headers: poison.headers,
          reason: poison.reason,
          at: new Date(),
        },
      },
    ]);
  }
}
