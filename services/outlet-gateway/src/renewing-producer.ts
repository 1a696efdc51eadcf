import type { TopicSpec } from "@herald/contracts";
import type { HeraldProducer, Logger, OutgoingRecord } from "@herald/runtime";

/**
 * A producer that replaces itself after a failed send: after a failed batch the
 * idempotent kafkajs producer can stay in "out of order sequence" until it is
 * recreated, and every later receipt would fail with it. The failed send still
 * fails; its caller sends again (results are re-delivered, never dropped).
 */
export class RenewingProducer implements HeraldProducer {
  private current: HeraldProducer;
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly make: () => HeraldProducer,
    private readonly logger: Logger,
  ) {
    this.current = make();
  }

  connect(): Promise<void> {
    return this.current.connect();
  }

  async send<T>(topic: TopicSpec<T>, records: readonly OutgoingRecord<T>[]) {
    if (this.renewing) await this.renewing;
    const producer = this.current;
    try {
      return await producer.send(topic, records);
    } catch (error) {
      if (this.current === producer) {
        this.renewing = this.renew(producer).finally(() => (this.renewing = undefined));
      }
      throw error;
    }
  }

  disconnect(): Promise<void> {
    return this.current.disconnect();
  }

  private async renew(failed: HeraldProducer): Promise<void> {
    this.logger.warn("a send failed; replacing the producer");
    const next = this.make();
    await failed.disconnect().catch(() => undefined);
    await next
      .connect()
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, "the new producer could not connect yet"),
      );
    this.current = next;
  }
}
