import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import { type ConsumerRunner, type Logger, createConsumerRunner } from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { Holding, HoldingStore } from "./holdings";
import type { ItemState } from "@herald/contracts";

/**
 * Keeps this instance's view of the holdings complete when several instances
 * share the channel: each applies only its partitions, so the others learn of a
 * change from its receipt and read the holding by id. The group is this
 * instance's own, starts at the end of the topic and is deleted on stop.
 */
export class PeerSync {
  private readonly runner: ConsumerRunner;

  constructor(
    private readonly options: {
      kafka: Kafka;
      channel: string;
      instanceId: string;
      groupPrefix: string;
      topicPrefix: string | undefined;
      holdings: HoldingStore;
      ownPartitions: () => ReadonlySet<number>;
      onChange: (holding: Holding, state: ItemState | undefined) => void;
      logger: Logger;
    },
  ) {
    this.runner = createConsumerRunner<DeliveryReceipt>({
      kafka: options.kafka,
      groupId: this.groupId,
      topic: Topics.receipts,
      ...(options.topicPrefix ? { topicPrefix: options.topicPrefix } : {}),
      fromBeginning: false,
      logger: options.logger,
      handle: async ({ value }) => this.observe(value),
      // Receipts that cannot be read are the reconciler's to report, not this view's.
      onInvalid: () => Promise.resolve(),
    });
  }

  get groupId(): string {
    return `${this.options.groupPrefix}-peers-${this.options.instanceId}`;
  }

  private async observe(receipt: DeliveryReceipt): Promise<void> {
    if (receipt.channel !== this.options.channel || receipt.outletId) return;
    const relevant =
      receipt.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED ||
      receipt.outcome === DeliveryOutcome.DELIVERY_OUTCOME_REMOVED ||
      receipt.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DECLINED;
    if (!relevant) return;
    const known = this.options.holdings.peek(receipt.itemId);
    if (known && known.version >= receipt.version) return; // this instance's own write, or older
    const fresh = await this.options.holdings.refresh(receipt.itemId);
    if (fresh) this.options.onChange(fresh.holding, fresh.state);
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([this.groupId]);
    } catch (error) {
      this.options.logger.debug({ err: error }, "could not delete the peer-sync group");
    } finally {
      await admin.disconnect();
    }
  }

  status() {
    return this.runner.status();
  }
}
