import { type DeliveryReceipt, Topics } from "@herald/contracts";
import type { HeraldProducer, Logger } from "@herald/runtime";

/**
 * Sends receipts in batches: results arriving together leave in one request,
 * one send at a time (the idempotent producer keeps them in order per item).
 */
export class ReceiptSink {
  private queue: { receipt: DeliveryReceipt; done: () => void; fail: (e: Error) => void }[] = [];
  private sending: Promise<void> | undefined;

  constructor(
    private readonly producer: HeraldProducer,
    private readonly logger: Logger,
  ) {}

  send(receipt: DeliveryReceipt): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.queue.push({ receipt, done, fail });
      this.sending ??= this.drain().finally(() => (this.sending = undefined));
    });
  }

  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 500);
      try {
        await this.producer.send(
          Topics.receipts,
          batch.map(({ receipt }) => ({ key: receipt.itemId, value: receipt })),
        );
        for (const entry of batch) entry.done();
      } catch (error) {
        this.logger.error({ err: error }, "could not send receipts");
        for (const entry of batch) entry.fail(error as Error);
      }
    }
  }
}
