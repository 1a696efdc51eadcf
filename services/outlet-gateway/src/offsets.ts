/**
 * Which offsets of one partition are read but not yet settled (their item has no
 * recorded result yet), and so how far the outlet's group may commit: up to the
 * lowest open offset, or past the last offset read when none is open. A gateway
 * killed at any moment then resumes at an offset whose message still needs a
 * result, and loses nothing.
 */
export class PartitionOffsets {
  private readonly open = new Set<number>();
  /** The highest offset read on this partition, or -1. */
  lastRead = -1;
  /** The offset last committed for the group, or -1 when none was. */
  committed = -1;

  read(offset: number): void {
    if (offset > this.lastRead) this.lastRead = offset;
  }

  /** Whether `offset` was read before (kafkajs re-fetches after a rejoin). */
  seen(offset: number): boolean {
    return offset <= this.lastRead;
  }

  hold(offset: number): void {
    this.open.add(offset);
  }

  settle(offset: number): void {
    this.open.delete(offset);
  }

  get openCount(): number {
    return this.open.size;
  }

  /** The offset the group may commit: the next message it would need to read again. */
  committable(): number {
    let lowest = this.lastRead + 1;
    for (const offset of this.open) if (offset < lowest) lowest = offset;
    return lowest;
  }
}
