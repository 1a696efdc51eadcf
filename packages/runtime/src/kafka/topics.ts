import type { TopicSpec } from "@herald/contracts";
import type { Admin, ITopicConfig } from "kafkajs";
import { ConfigResourceTypes } from "kafkajs";
import type { Logger } from "../logging/logger";
import { topicName } from "./topic-names";

export interface EnsureTopicsOptions {
  prefix?: string;
  partitions: number;
  /** Unset uses the broker's default.replication.factor. */
  replicationFactor?: number;
  logger?: Logger;
  /** How long to wait for new topics' partitions to get leaders (default 60 s). */
  leaderWaitMs?: number;
}

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Existing topics whose cleanup policy differs from the declared one. */
  mismatched: { topic: string; expected: string; actual: string }[];
}

function topicConfig(spec: TopicSpec<unknown>): NonNullable<ITopicConfig["configEntries"]> {
  const entries: { name: string; value: string }[] = [
    { name: "cleanup.policy", value: spec.cleanupPolicy },
  ];
  if (spec.retentionMs !== undefined) {
    entries.push({ name: "retention.ms", value: String(spec.retentionMs) });
  }
  return entries;
}

/**
 * Waits until every partition of `topics` has a leader, so the caller's first
 * produce or subscribe does not race the broker's metadata. Unknown topics and
 * missing leaders count as not yet; anything else fails at once.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waitMs = 50;
  let last = "";
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      const leaderless = described.filter(
        (topic) => topic.partitions.length === 0 || topic.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length === 0) return;
      last = `no leader yet for ${leaderless.map((t) => t.name).join(", ")}`;
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (type !== "UNKNOWN_TOPIC_OR_PARTITION" && type !== "LEADER_NOT_AVAILABLE") throw error;
      last = error instanceof Error ? error.message : String(type);
    }
    if (Date.now() > deadline) {
      throw new Error(`topics created, but not ready within ${timeoutMs / 1000} s: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = Math.min(waitMs * 2, 1_000);
  }
}

function isAlreadyExists(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /TOPIC_ALREADY_EXISTS|already exists/i.test(text);
}

/**
 * Creates the topics that do not exist yet, with the declared cleanup policy and
 * retention. Safe to run from every instance at start-up, concurrently: topics
 * that exist are left as they are and reported, never altered.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec<unknown>[],
  options: EnsureTopicsOptions,
): Promise<EnsureTopicsResult> {
  const wanted = new Map(specs.map((spec) => [topicName(spec, options.prefix), spec]));
  const present = new Set(await admin.listTopics());
  const missing = [...wanted.keys()].filter((name) => !present.has(name));
  const created: string[] = [];
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        // Leaders are awaited below: kafkajs's own wait gives up on the first
        // UNKNOWN_TOPIC_OR_PARTITION, which a fresh KRaft broker answers for a moment.
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: options.partitions,
          replicationFactor: options.replicationFactor ?? -1,
          configEntries: topicConfig(wanted.get(topic)!),
        })),
      });
    } catch (error) {
      // Another instance may have created some of them a moment ago.
      if (!isAlreadyExists(error)) throw error;
    }
    const after = new Set(await admin.listTopics());
    for (const topic of missing) {
      if (after.has(topic)) created.push(topic);
      else throw new Error(`topic ${topic} was not created`);
    }
    await waitForLeaders(admin, missing, options.leaderWaitMs ?? 60_000);
  }
  const existing = [...wanted.keys()].filter((name) => present.has(name));
  const mismatched: EnsureTopicsResult["mismatched"] = [];
  if (existing.length > 0) {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: existing.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ["cleanup.policy"],
      })),
    });
    for (const resource of described.resources) {
      const actual =
        resource.configEntries.find((e) => e.configName === "cleanup.policy")?.configValue ?? "";
      const expected = wanted.get(resource.resourceName)?.cleanupPolicy ?? "";
      if (actual !== expected) {
        mismatched.push({ topic: resource.resourceName, expected, actual });
        options.logger?.error(
          { topic: resource.resourceName, expected, actual },
          "topic exists with a different cleanup.policy; fix it on the cluster (Herald never alters an existing topic)",
        );
      }
    }
  }
  if (created.length > 0) options.logger?.info({ topics: created }, "created topics");
  return { created, existing, mismatched };
}
