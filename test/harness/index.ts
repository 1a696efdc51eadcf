/**
 * What an integration test needs from the real stack: its addresses, names of its
 * own (topics, groups, databases) that no other test file shares, clean-up, and
 * waiting on conditions instead of sleeping.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { relative } from "node:path";
import { Kafka, type LogEntry, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import { ROOT } from "./stack-source";

export {
  expectSucceeded,
  herald,
  heraldAsync,
  privateStackEnv,
  resolveStack,
  ROOT,
  type StackSource,
} from "./stack-source";
export { freePort, freePorts } from "./ports";
export {
  ensureFeedparser,
  FEEDPARSER_VERSION,
  type FeedField,
  type FeedReading,
  readFeeds,
} from "./feed-reader";
export {
  artifactPath,
  CHROMIUM_ARGS,
  DEBIAN_CHROMIUM,
  ensureChromium,
  launchBrowser,
} from "./browser";
export {
  type AxeException,
  type AxeViolation,
  formatAxeViolations,
  runAxe,
  WCAG_AA_TAGS,
} from "./accessibility";
export { formatHtmlErrors, type HtmlError, validateHtml } from "./html-validation";

export interface TestStack {
  brokers: string[];
  mongoUrl: string;
  /** Where the stack came from: "environment", "testcontainers" or "herald-stack". */
  kind: string;
}

/** The stack global-setup prepared. */
export function testStack(): TestStack {
  const { KAFKA_BROKERS, MONGO_URL, HERALD_TEST_STACK } = process.env;
  if (!KAFKA_BROKERS || !MONGO_URL) {
    throw new Error(
      "KAFKA_BROKERS and MONGO_URL are not set: run integration tests through jest's `integration` project (pnpm test), whose global setup provides them.",
    );
  }
  return {
    brokers: KAFKA_BROKERS.split(","),
    mongoUrl: MONGO_URL,
    kind: HERALD_TEST_STACK ?? "environment",
  };
}

/**
 * A kafkajs client for test code itself (setting up, inspecting); quiet unless
 * something fails. Its lines name the test file that made it and go straight to
 * stderr, not through `console`: on 2 cores jest runs every file in one process,
 * and a line that a client left running writes through `console` after its file
 * has ended makes jest fail the whole run ("Cannot log after tests are done")
 * without saying which file left it. This way the line is kept and says where it
 * came from.
 */
export function testKafka(clientId = "herald-test"): Kafka {
  const testPath = expect.getState().testPath;
  const origin = testPath ? relative(ROOT, testPath) : "global setup";
  return new Kafka({
    brokers: testStack().brokers,
    clientId,
    logLevel: logLevel.ERROR,
    logCreator:
      () =>
      ({ namespace, log }: LogEntry) => {
        const fields = Object.entries(log).filter(
          ([key]) => !["message", "timestamp", "logger"].includes(key),
        );
        process.stderr.write(
          `kafkajs error (test client of ${origin}) [${namespace}] ${log.message} ${JSON.stringify(Object.fromEntries(fields))}\n`,
        );
      },
  });
}

/**
 * A clock that reads `start` now and then moves with real time: for services whose
 * behaviour a test pins to a date (a deadline across a year whose holidays are known),
 * so the test passes on any day it runs, while timers and waits still advance.
 */
export function clockStartingAt(start: string | Date): () => Date {
  const offset = new Date(start).getTime() - Date.now();
  if (Number.isNaN(offset)) throw new Error(`clockStartingAt: not a date: ${String(start)}`);
  return () => new Date(Date.now() + offset);
}

export interface TestNamespace {
  /** Unique per test file, e.g. "t3f9a1c2b". */
  id: string;
  /** Prefix for every topic this file creates: "<id>.". */
  topicPrefix: string;
  /** A database name of this file's own. */
  dbName(name: string): string;
  /** A consumer group name of this file's own. */
  groupId(name: string): string;
  /**
   * Registers something to stop before the clean-up (a service the file started).
   * Jest runs afterAll hooks in the order they are declared, so a file's own
   * afterAll would run after the databases are gone; and a database dropped under
   * a live FerretDB connection can crash FerretDB.
   */
  beforeCleanup(stop: () => Promise<void> | void): void;
  /** Runs the registered stops (last first), then deletes this file's topics and drops its databases. */
  cleanup(): Promise<void>;
}

/**
 * Names no other test file (or earlier run) shares, so files run in parallel and a
 * rerun never sees leftovers. Call at the top of a file; clean-up runs in afterAll.
 */
export function useTestNamespace(label: string): TestNamespace {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 20);
  const id = `t${randomBytes(4).toString("hex")}-${safe}`;
  const stops: Array<() => Promise<void> | void> = [];
  const namespace: TestNamespace = {
    id,
    topicPrefix: `${id}.`,
    dbName: (name) => `${id}_${name}`.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 63),
    groupId: (name) => `${id}.${name}`,
    beforeCleanup: (stop) => void stops.push(stop),
    async cleanup() {
      for (const stop of stops.splice(0).reverse()) await stop();
      const admin = testKafka().admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((t) =>
          t.startsWith(namespace.topicPrefix),
        );
        if (topics.length > 0) await admin.deleteTopics({ topics });
      } finally {
        await admin.disconnect();
      }
      const client = new MongoClient(testStack().mongoUrl);
      await client.connect();
      try {
        const { databases } = await client.db("admin").admin().listDatabases({ nameOnly: true });
        const prefix = namespace.dbName("");
        for (const db of databases) {
          if (db.name.startsWith(prefix)) await client.db(db.name).dropDatabase();
        }
      } finally {
        await client.close();
      }
    },
  };
  afterAll(() => namespace.cleanup());
  return namespace;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Says what was awaited when the wait times out. */
  description?: string;
}

/** Polls `condition` until it returns a value other than undefined/false, or fails after the timeout. */
export async function waitFor<T>(
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.description ?? "a condition"}${cause}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}
