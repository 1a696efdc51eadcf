import type { Kafka } from "kafkajs";
import type { Logger } from "@herald/runtime";

/**
 * Measures how far the group is behind the end of each partition of the item
 * stream it owns. kafkajs can restart a consumer in a loop while the process stays
 * alive, so readiness needs lag measured from the broker, not from the consumer.
 */
export class LagMonitor {
  private timer: NodeJS.Timeout | undefined;
  private readonly admin;

  constructor(
    private readonly options: {
      kafka: Kafka;
      groupId: string;
      topic: string;
      intervalMs: number;
      /** The partitions to measure; default every partition of the topic. */
      partitions?: () => ReadonlySet<number>;
      report: (lag: Map<number, number>) => void;
      logger: Logger;
    },
  ) {
    this.admin = options.kafka.admin();
  }

  /** One measurement: lag per owned partition. */
  async measure(): Promise<Map<number, number>> {
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(this.options.topic),
      this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topic] }),
    ]);
    {
      const done = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
      );
      const owned = this.options.partitions?.();
      const lag = new Map<number, number>();
      for (const end of ends) {
        if (owned && !owned.has(end.partition)) continue;
        const at = done.get(end.partition) ?? -1n;
        const from = at < 0n ? BigInt(end.low) : at;
        const behind = BigInt(end.high) - from;
        lag.set(end.partition, Number(behind > 0n ? behind : 0n));
      }
      return lag;
    }
  }

  async start(): Promise<void> {
    await this.admin.connect();
    const tick = async () => {
      try {
        this.options.report(await this.measure());
      } catch (error) {
        this.options.logger.warn({ err: error }, "could not measure the lag");
      }
      if (this.timer) this.timer = setTimeout(() => void tick(), this.options.intervalMs).unref();
    };
    this.timer = setTimeout(() => void tick(), 0).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.admin.disconnect();
  }
}
