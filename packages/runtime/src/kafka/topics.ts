import { MAX_MESSAGE_BYTES, type TopicSpec } from "@herald/contracts";
import type { Admin, ConfigEntries, ITopicConfig, Kafka } from "kafkajs";
import { ConfigResourceTypes, ConfigSource } from "kafkajs";
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
  /** Existing topics whose `max.message.bytes` was below Herald's largest message, and was raised. */
  raised: { topic: string; from: number; to: number }[];
}

const MAX_MESSAGE_BYTES_CONFIG = "max.message.bytes";

function topicConfig(spec: TopicSpec<unknown>): NonNullable<ITopicConfig["configEntries"]> {
  const entries: { name: string; value: string }[] = [
    { name: "cleanup.policy", value: spec.cleanupPolicy },
    // Every topic takes the largest message Herald writes, whatever the broker's default.
    { name: MAX_MESSAGE_BYTES_CONFIG, value: String(MAX_MESSAGE_BYTES) },
  ];
  if (spec.retentionMs !== undefined) {
    entries.push({ name: "retention.ms", value: String(spec.retentionMs) });
  }
  return entries;
}

/** What a broker answers for a topic whose creation it has not fully applied. */
const NOT_READY_YET = new Set([
  "UNKNOWN_TOPIC_OR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
]);

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
      if (leaderless.length === 0) {
        // The metadata can name a leader before that broker acts as one: its first
        // ListOffsets then answers NOT_LEADER_FOR_PARTITION. Asking for the offsets
        // here means the caller's first read or write meets a leader that serves.
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
      last = `no leader yet for ${leaderless.map((t) => t.name).join(", ")}`;
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (!NOT_READY_YET.has(String(type))) throw error;
      last = error instanceof Error ? error.message : String(type);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `topics ${topics.join(", ")} were not created with leaders within ${timeoutMs / 1000} s: ${last}`,
      );
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
 * retention and `max.message.bytes` = MAX_MESSAGE_BYTES. Safe to run from every
 * instance at start-up, concurrently. Of a topic that exists, only a
 * `max.message.bytes` below MAX_MESSAGE_BYTES is changed (raised, never lowered:
 * a lower limit makes accepted items unsendable); a different cleanup policy is
 * reported, never altered.
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
    // Not listTopics: a broker's metadata can lag the controller's, so a topic just
    // created may be missing from it for a moment. Waiting for every partition's
    // leader confirms that each exists, or fails naming what is not there.
    await waitForLeaders(admin, missing, options.leaderWaitMs ?? 60_000);
    created.push(...missing);
  }
  const existing = [...wanted.keys()].filter((name) => present.has(name));
  const mismatched: EnsureTopicsResult["mismatched"] = [];
  const raised: EnsureTopicsResult["raised"] = [];
  if (existing.length > 0) {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      // Every entry: raising one limit must write back the topic's other settings.
      resources: existing.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    for (const resource of described.resources) {
      const topic = resource.resourceName;
      const entry = (name: string) => resource.configEntries.find((e) => e.configName === name);
      const actual = entry("cleanup.policy")?.configValue ?? "";
      const expected = wanted.get(topic)?.cleanupPolicy ?? "";
      if (actual !== expected) {
        mismatched.push({ topic, expected, actual });
        options.logger?.error(
          { topic, expected, actual },
          "topic exists with a different cleanup.policy; fix it on the cluster (Herald never alters an existing topic's policy)",
        );
      }
      const limit = Number(entry(MAX_MESSAGE_BYTES_CONFIG)?.configValue ?? NaN);
      if (Number.isFinite(limit) && limit < MAX_MESSAGE_BYTES) {
        await raiseMessageLimit(admin, topic, resource.configEntries);
        raised.push({ topic, from: limit, to: MAX_MESSAGE_BYTES });
        options.logger?.warn(
          { topic, from: limit, to: MAX_MESSAGE_BYTES },
          "raised the topic's max.message.bytes to the largest message Herald writes",
        );
      }
    }
  }
  if (created.length > 0) options.logger?.info({ topics: created }, "created topics");
  return { created, existing, mismatched, raised };
}

/**
 * Sets `max.message.bytes` to MAX_MESSAGE_BYTES. The AlterConfigs request kafkajs
 * speaks replaces a topic's whole configuration, so the settings made on the topic
 * (cleanup policy, retention, anything an operator set) go back with it.
 */
async function raiseMessageLimit(
  admin: Admin,
  topic: string,
  entries: readonly ConfigEntries[],
): Promise<void> {
  const kept = entries
    .filter(
      (e) =>
        e.configSource === ConfigSource.TOPIC_CONFIG &&
        !e.isSensitive &&
        e.configName !== MAX_MESSAGE_BYTES_CONFIG,
    )
    .map((e) => ({ name: e.configName, value: e.configValue }));
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [
          ...kept,
          { name: MAX_MESSAGE_BYTES_CONFIG, value: String(MAX_MESSAGE_BYTES) },
        ],
      },
    ],
  });
}

/** The topic settings a service reads from its environment (`kafkaEnv`). */
export interface ServiceTopicSettings {
  HERALD_TOPIC_PREFIX?: string | undefined;
  HERALD_TOPIC_PARTITIONS: number;
  HERALD_TOPIC_REPLICATION?: number | undefined;
}

/**
 * `ensureTopics` for a service at start-up: with the prefix, partitions and
 * replication of its configuration, on an admin client of its own.
 */
export async function ensureServiceTopics(
  kafka: Kafka,
  specs: readonly TopicSpec<unknown>[],
  settings: ServiceTopicSettings,
  logger: Logger,
): Promise<EnsureTopicsResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, specs, {
      partitions: settings.HERALD_TOPIC_PARTITIONS,
      logger,
      ...(settings.HERALD_TOPIC_PREFIX ? { prefix: settings.HERALD_TOPIC_PREFIX } : {}),
      ...(settings.HERALD_TOPIC_REPLICATION
        ? { replicationFactor: settings.HERALD_TOPIC_REPLICATION }
        : {}),
    });
  } finally {
    await admin.disconnect();
  }
}
