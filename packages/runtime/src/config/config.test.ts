import { ConfigError, loadConfig } from "./config";
import { kafkaEnv, mongoEnv, processEnv } from "./common";
import { env } from "./env";

const schema = { ...kafkaEnv, ...mongoEnv, ...processEnv };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("parses typed values and applies defaults", () => {
    const config = loadConfig(schema, {
      KAFKA_BROKERS: "127.0.0.1:9092, kafka-2:19092",
      MONGO_URL: "mongodb://127.0.0.1:27017",
      HEALTH_PORT: "8080",
    });
    expect(config.KAFKA_BROKERS).toEqual(["127.0.0.1:9092", "kafka-2:19092"]);
    expect(config.KAFKA_CLIENT_ID).toBe("herald");
    expect(config.HERALD_TOPIC_PARTITIONS).toBe(6);
    expect(config.HERALD_TOPIC_REPLICATION).toBeUndefined();
    expect(config.HEALTH_PORT).toBe(8080);
    expect(config.LOG_LEVEL).toBe("info");
  });

  it("names a missing variable and what it expects", () => {
    expect(problemsOf(() => loadConfig(schema, { MONGO_URL: "mongodb://db" }))).toEqual([
      "KAFKA_BROKERS is required (Kafka bootstrap servers, e.g. 127.0.0.1:9092)",
    ]);
  });

  it("treats an empty value as unset", () => {
    expect(
      problemsOf(() => loadConfig(schema, { KAFKA_BROKERS: "", MONGO_URL: "mongodb://db" })),
    ).toEqual(["KAFKA_BROKERS is required (Kafka bootstrap servers, e.g. 127.0.0.1:9092)"]);
  });

  it("reports every invalid variable at once, with the rule each breaks", () => {
    const problems = problemsOf(() =>
      loadConfig(schema, {
        KAFKA_BROKERS: "kafka,127.0.0.1:99999",
        MONGO_URL: "postgres://admin:hunter2@db/herald",
        HERALD_TOPIC_PARTITIONS: "six",
        HEALTH_PORT: "http",
        LOG_LEVEL: "loud",
      }),
    );
    expect(problems).toHaveLength(5);
    const about = (name: string) => problems.find((p) => p.startsWith(`${name}=`)) ?? "";
    expect(about("KAFKA_BROKERS")).toMatch(
      /^KAFKA_BROKERS="kafka,127.0.0.1:99999" is invalid: expected host:port/,
    );
    expect(about("KAFKA_BROKERS")).toContain("not a host:port: kafka, 127.0.0.1:99999");
    expect(about("MONGO_URL")).toMatch(/is invalid: expected a URL starting with mongodb:\/\//);
    expect(about("HERALD_TOPIC_PARTITIONS")).toMatch(
      /"six" is invalid: expected a whole number from 1 to 10000/,
    );
    expect(about("HEALTH_PORT")).toMatch(/"http" is invalid: expected a TCP port number/);
    expect(about("LOG_LEVEL")).toMatch(/"loud" is invalid: expected one of fatal, error/);
  });

  it("never prints a password from a connection string", () => {
    const [problem] = problemsOf(() =>
      loadConfig(mongoEnv, { MONGO_URL: "postgres://admin:hunter2@db/herald" }),
    );
    expect(problem).toContain("postgres://admin:***@db/herald");
    expect(problem).not.toContain("hunter2");
  });

  it("puts every problem in the error message", () => {
    expect(() =>
      loadConfig({ A: env.boolean(), B: env.int({ min: 1, max: 3 }) }, { A: "maybe", B: "7" }),
    ).toThrow(
      /Invalid configuration:\n {2}- A="maybe" is invalid: expected true or false.*\n {2}- B="7" is invalid: expected a whole number from 1 to 3/,
    );
  });
});
