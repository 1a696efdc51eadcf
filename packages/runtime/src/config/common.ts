import { env } from "./env";

/** Environment variables every service that talks to Kafka reads. */
export const kafkaEnv = {
  /** Bootstrap servers of the Kafka cluster. */
  KAFKA_BROKERS: env.hostPorts().describe("Kafka bootstrap servers, e.g. 127.0.0.1:9092"),
  /** Identifies this process in broker logs and quotas. */
  KAFKA_CLIENT_ID: env.identifier().default("herald").describe("Kafka client id"),
  /** Prepended to every topic name, so several deployments or test runs can share one cluster. */
  HERALD_TOPIC_PREFIX: env.identifier().optional().describe("prefix for every topic name"),
  /** Partitions of the topics a service creates at start-up; more partitions allow more instances. */
  HERALD_TOPIC_PARTITIONS: env
    .int({ min: 1, max: 10_000 })
    .default(6)
    .describe("partition count for topics created at start-up"),
  /** Replication factor of created topics; unset uses the broker's default.replication.factor. */
  HERALD_TOPIC_REPLICATION: env
    .int({ min: 1, max: 32 })
    .optional()
    .describe("replication factor for topics created at start-up"),
};

/** Environment variables every service that owns a database reads. */
export const mongoEnv = {
  /** A MongoDB connection string; FerretDB speaks the same protocol. */
  MONGO_URL: env
    .url(["mongodb", "mongodb+srv"])
    .describe("MongoDB connection string, e.g. mongodb://127.0.0.1:27017"),
};

/** Logging and the health endpoint. */
export const processEnv = {
  /** Minimum level written to the log. */
  LOG_LEVEL: env
    .oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("log level"),
  /** Port of the /livez and /readyz endpoints; 0 picks a free port. */
  HEALTH_PORT: env.port().optional().describe("health endpoint port"),
  /** Address the health endpoint binds to; 0.0.0.0 in containers so probes reach it. */
  HEALTH_HOST: env.string().default("127.0.0.1").describe("health endpoint bind address"),
};
