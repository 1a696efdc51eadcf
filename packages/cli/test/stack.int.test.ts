import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  expectSucceeded as succeeded,
  herald,
  privateStackEnv,
  waitFor,
} from "@herald/test-harness";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import type { ServerStatus as Status } from "../src/stack/types";

// A second stack of its own (home, ports), sharing the downloads of the main one,
// so stopping it cannot disturb the stack the other tests use.
const home = mkdtempSync(join(tmpdir(), "herald-stack-test-"));
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ({ env } = await privateStackEnv(home));
});

afterAll(() => {
  herald(["stack", "down"], env);
  rmSync(home, { recursive: true, force: true });
});

function status(): { kafka: Status; ferretdb: Status } {
  const result = herald(["stack", "status", "--json"], env);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as { kafka: Status; ferretdb: Status };
}

describe("herald stack", () => {
  it("up starts Kafka and FerretDB; a second up is a quick no-op", () => {
    const first = herald(["stack", "up"], env);
    succeeded(first);
    expect(first.stdout).toContain(`KAFKA_BROKERS=127.0.0.1:${env.HERALD_KAFKA_PORT}`);
    expect(first.stdout).toContain(`MONGO_URL=mongodb://127.0.0.1:${env.HERALD_FERRETDB_PORT}`);

    const started = Date.now();
    const second = herald(["stack", "up"], env);
    succeeded(second);
    expect(second.stdout).toContain("the stack is already running");
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 600_000);

  it("up names a running broker started with older settings, and leaves it running", () => {
    const properties = join(home, "stack", "kafka", "server.properties");
    const current = readFileSync(properties, "utf8");
    const pid = status().kafka.pid;
    // As a broker started before message.max.bytes was set would have it.
    writeFileSync(properties, current.replace(/^message\.max\.bytes=.*\n/m, ""));
    try {
      const up = herald(["stack", "up"], env);
      succeeded(up);
      expect(up.stdout).toContain(
        `kafka: it runs with an older ${properties}; restart it with \`herald stack down\` and \`herald stack up\``,
      );
      expect(up.stdout).not.toContain("ferretdb: it runs");
      expect(status().kafka.pid).toBe(pid);
    } finally {
      writeFileSync(properties, current);
    }
  }, 60_000);

  it("status --json reports both running, with address, version, pid and data folder", () => {
    const { kafka, ferretdb } = status();
    expect(kafka).toMatchObject({
      running: true,
      ready: true,
      address: `127.0.0.1:${env.HERALD_KAFKA_PORT}`,
      version: "3.9.1",
    });
    expect(ferretdb).toMatchObject({
      running: true,
      ready: true,
      address: `mongodb://127.0.0.1:${env.HERALD_FERRETDB_PORT}`,
      version: "1.24.2",
    });
    expect(kafka.pid).toEqual(expect.any(Number));
    expect(kafka.dataDir).toBe(join(home, "stack", "kafka", "data"));
  });

  it("serves a kafkajs client (create a topic, produce, consume) and a MongoDB driver that sees FerretDB", async () => {
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${env.HERALD_KAFKA_PORT}`],
      clientId: "stack-test",
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: "stack-check", numPartitions: 1 }] })).toBe(
      true,
    );
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "stack-check", messages: [{ key: "k", value: "海关" }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: "stack-check" });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: ["stack-check"], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        values.push(message.value?.toString() ?? "");
        return Promise.resolve();
      },
    });
    await waitFor(() => values.length === 1, { description: "the produced message" });
    await consumer.disconnect();
    expect(values).toEqual(["海关"]);

    const client = new MongoClient(`mongodb://127.0.0.1:${env.HERALD_FERRETDB_PORT}`);
    try {
      const info = await client.db("admin").command({ buildInfo: 1 });
      expect(info.ferretdbVersion).toBe("v1.24.2");
    } finally {
      await client.close();
    }
  });

  it("down stops both and keeps their data; reset deletes it", () => {
    const down = herald(["stack", "down"], env);
    succeeded(down);
    expect(down.stdout).toContain("kafka: stopped");
    const { kafka, ferretdb } = status();
    expect(kafka.running).toBe(false);
    expect(ferretdb.running).toBe(false);
    expect(existsSync(kafka.dataDir)).toBe(true);

    // What the emulated accounts show would outlive the holdings that point at it.
    const emulatorState = join(home, "services", "platforms", "state.json");
    mkdirSync(dirname(emulatorState), { recursive: true });
    writeFileSync(emulatorState, "{}");

    succeeded(herald(["stack", "reset"], env));
    expect(existsSync(kafka.dataDir)).toBe(false);
    expect(existsSync(ferretdb.dataDir)).toBe(false);
    expect(existsSync(emulatorState)).toBe(false);
  });

  it("names the missing tool in one line", () => {
    const bin = mkdtempSync(join(tmpdir(), "herald-path-"));
    mkdirSync(bin, { recursive: true });
    // A PATH with node alone: no go, java or mvn.
    symlinkSync(process.execPath, join(bin, "node"));
    const bare = herald(["stack", "up"], {
      ...env,
      PATH: bin,
      HERALD_HOME: join(bin, "home"),
      HERALD_CACHE: join(bin, "cache"),
    });
    rmSync(bin, { recursive: true, force: true });
    expect(bare.status).toBe(1);
    expect(bare.stderr.trim().split("\n").pop()).toMatch(
      /^herald: go not found: install Go 1\.22 or newer/,
    );
    expect(dirname(process.execPath)).not.toBe(bin);
  });
});
