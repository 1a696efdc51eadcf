import type { Kafka } from "kafkajs";
import type { Logger } from "@herald/runtime";

/**
 * Commits a consumer group's offsets without joining the group: an OffsetCommit
 * with generation -1 and no member id, which the group coordinator accepts for a
 * group with no members (the "simple consumer" commit Kafka's own admin client
 * sends for `alterConsumerGroupOffsets`). kafkajs's `admin.setOffsets` instead
 * joins the group with a throw-away consumer and leaves it, about 5 s on our
 * broker (the group's initial rebalance delay, a sync and a leave); this is one
 * round trip to the coordinator.
 *
 * kafkajs has no public call for it, so it goes through the client's own cluster
 * factory (kafkajs 2.x keeps it under a private symbol). Should a later kafkajs
 * not have it, or the direct commit fail, the offsets are set with
 * `admin.setOffsets` as before: slower, never wrong.
 */
export async function commitGroupOffsets(options: {
  kafka: Kafka;
  groupId: string;
  topic: string;
  partitions: ReadonlyArray<{ partition: number; offset: string }>;
  logger: Logger;
}): Promise<"committed" | "joined"> {
  const { kafka, groupId, topic, partitions, logger } = options;
  const createCluster = clusterFactory(kafka);
  if (createCluster) {
    const cluster = createCluster({ allowAutoTopicCreation: false });
    try {
      await cluster.connect();
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      // kafkajs's response parser throws on any partition's error code, so a resolved
      // call means every partition's offset is stored.
      await coordinator.offsetCommit({
        groupId,
        groupGenerationId: -1,
        memberId: "",
        topics: [{ topic, partitions: partitions.map((p) => ({ ...p })) }],
      });
      return "committed";
    } catch (error) {
      logger.warn(
        { err: error, groupId },
        "direct offset commit failed; setting the group's offsets by joining it",
      );
    } finally {
      await cluster.disconnect().catch(() => undefined);
    }
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId, topic, partitions: [...partitions] });
    return "joined";
  } finally {
    await admin.disconnect();
  }
}

/** The part of a kafkajs broker connection this module uses. */
interface CoordinatorBroker {
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  }): Promise<unknown>;
}

/** The part of a kafkajs cluster this module uses. */
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<CoordinatorBroker>;
}

type CreateCluster = (options: { allowAutoTopicCreation?: boolean }) => Cluster;

/** kafkajs 2.x's `Kafka` keeps its cluster factory as an own property under this symbol. */
const CREATE_CLUSTER = "private:Kafka:createCluster";

function clusterFactory(kafka: Kafka): CreateCluster | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  if (!symbol) return undefined;
  const factory: unknown = (kafka as unknown as Record<symbol, unknown>)[symbol];
  return typeof factory === "function" ? (factory as CreateCluster) : undefined;
}
