import type { Kafka } from "kafkajs";

/**
 * How far each outlet's consumer group is behind on the items topic: messages at
 * or after its committed offset, summed over the partitions (from the start of a
 * partition where the group has committed nothing yet). A message below the
 * committed offset has its result recorded (ADR 007), so this counts what the
 * outlet has yet to settle, transaction markers and superseded versions included:
 * it is an upper bound on the items still owed, and 0 means caught up.
 */
export async function outletLags(
  kafka: Kafka,
  topic: string,
  groups: ReadonlyMap<string, string>,
): Promise<Map<string, number>> {
  const lags = new Map<string, number>();
  if (groups.size === 0) return lags;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const [outlet, groupId] of groups) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const at = new Map(
        (committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)] as const),
      );
      let lag = 0;
      for (const end of ends) {
        const from = at.get(end.partition) ?? -1;
        const start = from >= 0 ? from : Number(end.low);
        lag += Math.max(0, Number(end.high) - start);
      }
      lags.set(outlet, lag);
    }
    return lags;
  } finally {
    await admin.disconnect();
  }
}
