/** Counters every channel keeps; exported in the Prometheus text format. */
export const COUNTERS = [
  "applied",
  "removed",
  "declined",
  "duplicate",
  "stale",
  "retried",
  "failed",
  "rejected",
  "dead_lettered",
  "redelivered",
  "reconfirmed",
  "awaiting_operator",
] as const;
export type CounterName = (typeof COUNTERS)[number];

const HELP: Record<CounterName, string> = {
  applied: "versions put on the channel",
  removed: "items taken off the channel after a takedown or expiry",
  declined: "items the channel does not take (kind, audience, targeting)",
  duplicate: "versions the channel already held (replays, resends)",
  stale: "versions older than the one the channel holds",
  retried: "applies retried after a transient error",
  failed: "applies that failed after their retries",
  rejected: "versions the channel refused for good",
  dead_lettered: "messages sent to the channel's DLQ",
  redelivered: "redelivery requests carried out",
  reconfirmed:
    "redeliveries of a version the channel still had: receipt sent again, nothing applied",
  awaiting_operator: "changes the platform offers no API for, handed to an operator's task",
};

export class ChannelMetrics {
  private readonly counters = new Map<CounterName, number>(COUNTERS.map((c) => [c, 0]));
  /** Messages behind the end of each assigned partition of the item stream, as last measured. */
  private lagByPartition = new Map<number, number>();
  private lastProgressAt = Date.now();
  /** When an item was last applied, removed or declined. */
  lastSuccessAt: number | undefined;
  /** The last apply that failed after its retries in place, with why. */
  lastFailure: { at: number; message: string } | undefined;

  /** The Prometheus labels of every series: the channel, and the outlet when the channel has several. */
  readonly label: string;

  constructor(
    readonly channel: string,
    readonly outletId = "",
  ) {
    this.label = outletId ? `channel="${channel}",outlet="${outletId}"` : `channel="${channel}"`;
  }

  count(name: CounterName, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
    this.lastProgressAt = Date.now();
    if (name === "applied" || name === "removed" || name === "declined") {
      this.lastSuccessAt = this.lastProgressAt;
    }
  }

  /** Counts a failed apply and keeps why, for the consuming state. */
  failed(message: string): void {
    this.count("failed");
    this.lastFailure = { at: Date.now(), message: message.slice(0, 300) };
  }

  get(name: CounterName): number {
    return this.counters.get(name) ?? 0;
  }

  /** Marks progress without a counted outcome (e.g. a message handled). */
  progressed(): void {
    this.lastProgressAt = Date.now();
  }

  setLag(lag: Map<number, number>): void {
    this.lagByPartition = lag;
    // Caught up counts as progress: a stall is time behind without moving, not time idle.
    if (this.lag() === 0) this.lastProgressAt = Date.now();
  }

  lag(): number {
    let total = 0;
    for (const value of this.lagByPartition.values()) total += value;
    return total;
  }

  millisSinceProgress(now = Date.now()): number {
    return now - this.lastProgressAt;
  }

  snapshot(): Record<CounterName, number> & { lag: number } {
    return {
      ...(Object.fromEntries(this.counters) as Record<CounterName, number>),
      lag: this.lag(),
    };
  }

  /**
   * The Prometheus text exposition of every counter and the lag, then `gauges` and
   * `counters` the runtime's parts keep themselves (queue sizes, limits, shed items).
   */
  prometheus(gauges: Record<string, number> = {}, counters: Record<string, number> = {}): string {
    const { label } = this;
    const lines: string[] = [];
    for (const name of COUNTERS) {
      lines.push(`# HELP herald_channel_${name}_total ${HELP[name]}`);
      lines.push(`# TYPE herald_channel_${name}_total counter`);
      lines.push(`herald_channel_${name}_total{${label}} ${this.get(name)}`);
    }
    lines.push("# HELP herald_channel_lag_messages messages of the item stream not yet applied");
    lines.push("# TYPE herald_channel_lag_messages gauge");
    for (const [partition, value] of [...this.lagByPartition].sort((a, b) => a[0] - b[0])) {
      lines.push(`herald_channel_lag_messages{${label},partition="${partition}"} ${value}`);
    }
    for (const [name, value] of Object.entries(gauges)) {
      lines.push(`# TYPE herald_channel_${name} gauge`);
      lines.push(`herald_channel_${name}{${label}} ${value}`);
    }
    for (const [name, value] of Object.entries(counters)) {
      lines.push(`# TYPE herald_channel_${name}_total counter`);
      lines.push(`herald_channel_${name}_total{${label}} ${value}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
