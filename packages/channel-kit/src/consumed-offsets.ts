import type { ConsumedOffset } from "@herald/contracts";
import type { Admin, Kafka } from "kafkajs";

/**
 * The committed offsets of the channel's group on the item stream, as the
 * inventory reports them: one entry per partition, sorted. A partition the group
 * never committed (kafkajs reports `-1`) gets offset 0, "nothing below here is
 * known to be applied", so an auditor treats every item on it as possibly in
 * flight rather than missing.
 */
export function consumedFromCommitted(
  committed: readonly { partition: number; offset: string }[],
): ConsumedOffset[] {
  return committed
    .map(({ partition, offset }) => {
      const at = /^\d+$/.test(offset) ? Number(offset) : 0;
      return { partition, offset: at };
    })
    .sort((a, b) => a.partition - b.partition);
}

/**
 * Reads how far the channel has applied the item stream. The runtime commits a
 * chunk's offsets only after its holdings are written (ADR 004), so a listing
 * that reads these before it scans the holdings finds every message below them
 * in the scan.
 */
export class ConsumedOffsets {
  private readonly admin: Admin;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly groupId: string,
    private readonly topic: string,
  ) {
    this.admin = kafka.admin();
  }

  async read(): Promise<ConsumedOffset[]> {
    this.connected ??= this.admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    const [entry] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    return consumedFromCommitted(entry?.partitions ?? []);
  }

  async stop(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
  }
}
