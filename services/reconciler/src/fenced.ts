import { type RedeliveryRequest, Topics } from "@herald/contracts";
import {
  type Logger,
  encodePayload,
  isFencedError,
  schemaHeaders,
  topicName,
} from "@herald/runtime";
import { type Kafka, type Producer, Partitioners } from "kafkajs";

/**
 * The leader's writes to Kafka, all in transactions under one transactional id
 * shared by every reconciler of a deployment. Connecting registers the id, which
 * fences every older producer with it: a deposed leader that wakes up gets a
 * fencing error on its next redelivery request or receipts commit, and its open
 * transaction is aborted. Transactions run one at a time (kafkajs allows one per
 * producer).
 */
export class FencedProducer {
  private readonly producer: Producer;
  private queue: Promise<unknown> = Promise.resolve();
  private fencedBy: Error | undefined;

  constructor(
    kafka: Kafka,
    transactionalId: string,
    private readonly topicPrefix: string | undefined,
    private readonly logger: Logger,
    private readonly onFenced: (error: unknown) => void,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { initialRetryTime: 20, maxRetryTime: 2_000, retries: 10 },
    });
  }

  /** Connects and registers the transactional id: from now on no older leader can write. */
  async connect(): Promise<void> {
    await this.producer.connect();
    // kafkajs registers the id at the first transaction only: do it now.
    const transaction = await this.producer.transaction();
    await transaction.abort();
  }

  get fenced(): boolean {
    return this.fencedBy !== undefined;
  }

  /** Sends redelivery requests, all or none. */
  sendRedeliveries(requests: readonly RedeliveryRequest[]): Promise<void> {
    const topic = topicName(Topics.redeliver, this.topicPrefix);
    return this.run(async (transaction) => {
      await transaction.send({
        topic,
        acks: -1,
        messages: requests.map((r) => ({
          key: `${r.channel}/${r.itemId}`,
          value: encodePayload(Topics.redeliver.schema, r),
          headers: schemaHeaders(Topics.redeliver.schema),
        })),
      });
    });
  }

  /** Commits a consumer group's offset on one partition, in a transaction of its own. */
  commitOffset(groupId: string, topic: string, partition: number, offset: string): Promise<void> {
    return this.run((transaction) =>
      transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition, offset }] }],
      }),
    );
  }

  private run(work: (transaction: Awaited<ReturnType<Producer["transaction"]>>) => Promise<void>) {
    const next = this.queue
      .catch(() => undefined)
      .then(async () => {
        if (this.fencedBy) throw this.fencedBy;
        const transaction = await this.producer.transaction();
        try {
          await work(transaction);
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => undefined);
          if (isFencedError(error)) {
            this.fencedBy = error instanceof Error ? error : new Error(String(error));
            this.logger.warn({ err: error }, "fenced: a newer reconciler leads");
            this.onFenced(error);
          }
          throw error;
        }
      });
    this.queue = next;
    return next;
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
