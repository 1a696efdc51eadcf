import { AssignerProtocol, type PartitionAssigner } from "kafkajs";

const { MemberAssignment, MemberMetadata } = AssignerProtocol;

/** The protocol name members announce; every instance of a channel must use the same. */
export const CO_PARTITIONED_ASSIGNER = "herald-co-partitioned";

/**
 * Deals partition p of every subscribed topic to the same member. A channel reads
 * the item stream and its own redelivery queue, both keyed by item id with the
 * same partition count, so an item's versions and its redeliveries reach one
 * instance: one writer per item without a lock in the database.
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER,
  version: 1,
  assign({ members, topics }) {
    const memberIds = members.map((m) => m.memberId).sort();
    const assignments = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
    for (const topic of topics) {
      const partitions = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
      for (const partition of partitions) {
        const owner = memberIds[partition % memberIds.length];
        if (owner === undefined) continue;
        const assignment = assignments.get(owner)!;
        (assignment[topic] ??= []).push(partition);
      }
    }
    return Promise.resolve(
      memberIds.map((memberId) => ({
        memberId,
        memberAssignment: MemberAssignment.encode({
          version: 1,
          assignment: assignments.get(memberId)!,
          userData: Buffer.alloc(0),
        }),
      })),
    );
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED_ASSIGNER,
      metadata: MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    };
  },
});
