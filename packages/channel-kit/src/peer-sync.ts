import { randomBytes } from "node:crypto";
import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import { type ConsumerRunner, type Logger, createConsumerRunner, topicName } from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { ItemState } from "@herald/contracts";
import { commitGroupOffsets } from "./group-offsets";
import type { Holding, HoldingStore } from "./holdings";

/**
 * Keeps this instance's view of the holdings complete when several instances
 * share the channel: each applies only its partitions, so the others learn of a
 * change from its receipt and read the holding by id. The group is this
 * instance's own and is deleted on stop.
 */
export class PeerSync {
  private readonly runner: ConsumerRunner;

  constructor(
    private readonly options: {
      kafka: Kafka;
      channel: string;
      /** Only receipts of this outlet are the channel's ("" for a channel with one outlet). */
      outletId?: string;
      instanceId: string;
      groupPrefix: string;
      topicPrefix: string | undefined;
      holdings: Pick<HoldingStore, "peek" | "refresh">;
      ownPartitions: () => ReadonlySet<number>;
      onChange: (holding: Holding, state: ItemState | undefined) => void;
      logger: Logger;
    },
  ) {
    this.groupId = `${options.groupPrefix}-peers-${options.instanceId}-${randomBytes(3).toString("hex")}`;
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

  /** Unique per start: two instances in one process (or a restart) never share it. */
  readonly groupId: string;

  private async observe(receipt: DeliveryReceipt): Promise<void> {
    if (
      receipt.channel !== this.options.channel ||
      receipt.outletId !== (this.options.outletId ?? "")
    )
      return;
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

  /**
   * Sets the group's start at the end of the receipts as of now. Called before the holdings are
   * loaded, so every change after the load has a receipt this instance reads.
   * The group is new, so its start is set by committing the current ends for it
   * (a group starting "at the latest" would begin only once it joined, seconds later).
   * The commit does not join the group (see `commitGroupOffsets`): the load waits for
   * this, and a join took about 5 s of every restart.
   */
  async prepare(): Promise<void> {
    const topic = topicName(Topics.receipts, this.options.topicPrefix);
    const admin = this.options.kafka.admin();
    await admin.connect();
    let ends: Array<{ partition: number; high: string }>;
    try {
      ends = await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect();
    }
    const how = await commitGroupOffsets({
      kafka: this.options.kafka,
      groupId: this.groupId,
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      logger: this.options.logger,
    });
    this.options.logger.debug({ groupId: this.groupId, how }, "peer-sync start committed");
  }

  /** Joins its group and follows the receipts from where `prepare` left the group. */
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
