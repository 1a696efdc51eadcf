import { AssignerProtocol, type Cluster } from "kafkajs";
import { coPartitionedAssigner } from "./assigner";

function fakeCluster(partitions: Record<string, number>): Cluster {
  return {
    findTopicPartitionMetadata: (topic: string) =>
      Array.from({ length: partitions[topic] ?? 0 }, (_, partitionId) => ({ partitionId })),
  } as unknown as Cluster;
}

describe("coPartitionedAssigner", () => {
  it("gives partition p of every topic to the same member and splits partitions evenly", async () => {
    const assigner = coPartitionedAssigner({
      cluster: fakeCluster({ items: 6, redeliver: 6 }),
      groupId: "g",
      logger: undefined as never,
    });
    const members = ["m-b", "m-a", "m-c"].map((memberId) => ({
      memberId,
      memberMetadata: Buffer.alloc(0),
    }));
    const result = await assigner.assign({ members, topics: ["items", "redeliver"] });
    const decoded = Object.fromEntries(
      result.map((r) => [
        r.memberId,
        AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment,
      ]),
    );
    expect(decoded["m-a"]).toEqual({ items: [0, 3], redeliver: [0, 3] });
    expect(decoded["m-b"]).toEqual({ items: [1, 4], redeliver: [1, 4] });
    expect(decoded["m-c"]).toEqual({ items: [2, 5], redeliver: [2, 5] });
  });
});
