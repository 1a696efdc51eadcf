/**
 * The portal benchmark's surroundings: names of its own for each phase (topics,
 * consumer groups, databases) and removing them again, items produced straight
 * onto the item stream, and the DELIVERED receipts the portal sends.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DeliveryOutcome, type ItemState, Topics } from "@herald/contracts";
import {
  createKafkaClient,
  createLogger,
  createProducer,
  decodePayload,
  ensureTopics,
  headersToStrings,
  topicName,
} from "@herald/runtime";
import type { Consumer, Kafka } from "kafkajs";
import { MongoClient } from "mongodb";

/** Names one phase uses and nothing else does. */
export interface Namespace {
  readonly label: string;
  /** Prefix of every topic and consumer group of the phase. */
  readonly prefix: string;
  dbName(name: string): string;
  groupId(name: string): string;
  /** Registers something to stop before the names are removed (last registered, first stopped). */
  onClean(stop: () => Promise<unknown>): void;
}

interface Owned extends Namespace {
  readonly stops: Array<() => Promise<unknown>>;
  readonly databases: Set<string>;
  cleaned?: Promise<void>;
}

export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The stack the phases share, and every namespace handed out, for removal at the end. */
export class PortalBench {
  readonly id = randomBytes(3).toString("hex");
  readonly kafka: Kafka;
  readonly mongo: MongoClient;
  /** Partitions of the topics created here; the portal is told the same. */
  readonly partitions = Number(process.env.HERALD_TOPIC_PARTITIONS ?? 3);
  private readonly owned: Owned[] = [];

  constructor(
    readonly brokers: readonly string[],
    readonly mongoUrl: string,
  ) {
    const logger = createLogger({ service: "portal-bench", level: "error" }, process.stderr);
    this.kafka = createKafkaClient({ brokers, clientId: "herald-portal-bench", logger });
    this.mongo = new MongoClient(mongoUrl);
  }

  namespace(label: string): Namespace {
    const prefix = `pbench${this.id}-${label}.`;
    const databases = new Set<string>();
    const ns: Owned = {
      label,
      prefix,
      stops: [],
      databases,
      dbName: (name) => {
        const db = `pbench_${this.id}_${label}_${name}`.replace(/[^A-Za-z0-9_]/g, "_");
        databases.add(db);
        return db;
      },
      groupId: (name) => `${prefix}${name}`,
      onClean: (stop) => void ns.stops.push(stop),
    };
    this.owned.push(ns);
    return ns;
  }

  /** The item stream and the receipts topic of `ns`, as the services would create them. */
  async createTopics(ns: Namespace): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [Topics.items, Topics.receipts], {
        prefix: ns.prefix,
        partitions: this.partitions,
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Produces items 0…count-1 onto the item stream of `ns` in batches, as a relay would. */
  async produce(
    ns: Namespace,
    count: number,
    item: (n: number) => ItemState,
    signal: AbortSignal,
  ): Promise<{ seconds: number; bytes: number }> {
    const producer = createProducer(this.kafka, {
      logger: createLogger({ service: "portal-bench", level: "error" }, process.stderr),
      topicPrefix: ns.prefix,
    });
    await producer.connect();
    const started = Date.now();
    let lastNote = started;
    let bytes = 0;
    try {
      for (let first = 0; first < count && !signal.aborted; first += 200) {
        const records = [];
        for (let n = first; n < Math.min(count, first + 200); n += 1) {
          const value = item(n);
          bytes += Buffer.byteLength(value.bodyHtml);
          records.push({ key: value.id, value });
        }
        await producer.send(Topics.items, records);
        const done = Math.min(count, first + 200);
        if (Date.now() - lastNote >= 5000 || done === count) {
          lastNote = Date.now();
          note(`  produced ${done}/${count} items`);
        }
      }
    } finally {
      await producer.disconnect();
    }
    return { seconds: (Date.now() - started) / 1000, bytes };
  }

  /** Stops what `ns` registered, then drops its databases and deletes its topics and groups. */
  clean(ns: Namespace): Promise<void> {
    const owned = this.owned.find((o) => o === ns);
    if (!owned) return Promise.resolve();
    owned.cleaned ??= this.remove(owned);
    return owned.cleaned;
  }

  async cleanup(): Promise<void> {
    for (const ns of this.owned) await this.clean(ns);
    await this.mongo.close().catch(() => undefined);
  }

  private async remove(ns: Owned): Promise<void> {
    let stopped = true;
    for (const stop of ns.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        stopped = false;
        note(`clean-up of ${ns.label}: stopping failed: ${failure(error)}`);
      }
    }
    // Only once nothing writes any more: dropping a database under live writes
    // can take FerretDB on SQLite down.
    if (stopped) {
      for (const db of ns.databases) {
        await this.mongo
          .db(db)
          .dropDatabase()
          .catch((error: unknown) => note(`clean-up: dropping ${db} failed: ${failure(error)}`));
      }
    } else {
      note(`clean-up: left the databases ${[...ns.databases].join(", ")} in place`);
    }
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(ns.prefix));
      if (topics.length) await admin.deleteTopics({ topics });
      const { groups } = await admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(ns.prefix));
      if (ours.length) await admin.deleteGroups(ours).catch(() => undefined);
    } catch (error) {
      note(`clean-up: deleting the topics ${ns.prefix}* failed: ${failure(error)}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** The DELIVERED receipts of one namespace, read as they arrive. */
export class ReceiptLog {
  /** Item id → the `at` of its first DELIVERED receipt: when the portal applied it (ms since the epoch). */
  readonly delivered = new Map<string, number>();
  /** Item id → when this process read that receipt (ms since the epoch). */
  readonly read = new Map<string, number>();
  /** Receipts with any other outcome. */
  others = 0;
  firstOther: string | undefined;
  private consumer: Consumer | undefined;

  static async start(bench: PortalBench, ns: Namespace): Promise<ReceiptLog> {
    const log = new ReceiptLog();
    const consumer = bench.kafka.consumer({
      groupId: ns.groupId("receipts"),
      maxWaitTimeInMs: 100,
    });
    ns.onClean(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(Topics.receipts, ns.prefix), fromBeginning: true });
    await consumer.run({
      eachBatch: ({ batch }) => {
        const now = Date.now();
        for (const message of batch.messages) {
          const headers = headersToStrings(message.headers);
          const decoded = decodePayload(Topics.receipts.schema, message.value, headers);
          if (!decoded.ok) continue;
          const receipt = decoded.value;
          if (receipt.outcome !== DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED || !receipt.at) {
            log.others += 1;
            log.firstOther ??= `${receipt.itemId}: ${DeliveryOutcome[receipt.outcome]} ${receipt.error?.message ?? ""}`;
            continue;
          }
          if (log.delivered.has(receipt.itemId)) continue;
          log.delivered.set(receipt.itemId, receipt.at.getTime());
          log.read.set(receipt.itemId, now);
        }
        return Promise.resolve();
      },
    });
    log.consumer = consumer;
    return log;
  }

  get count(): number {
    return this.delivered.size;
  }

  /** Earliest and latest `at` among the receipts read. */
  span(): { first: number; last: number } {
    let first = Infinity;
    let last = -Infinity;
    for (const at of this.delivered.values()) {
      if (at < first) first = at;
      if (at > last) last = at;
    }
    return { first, last };
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * Waits until `count()` reaches `target`, it stays unchanged for `stallMs`, or
 * `signal` aborts; calls `tick` every `everyMs`. Returns how many are missing.
 */
export async function waitForCount(
  count: () => number,
  target: number,
  options: { stallMs: number; everyMs: number; signal: AbortSignal; tick?: () => void },
): Promise<number> {
  let seen = -1;
  let since = Date.now();
  let lastTick = Date.now();
  for (;;) {
    const got = count();
    if (got >= target) return 0;
    if (options.signal.aborted) return target - got;
    if (got !== seen) {
      seen = got;
      since = Date.now();
    } else if (Date.now() - since > options.stallMs) {
      return target - got;
    }
    if (Date.now() - lastTick >= options.everyMs) {
      lastTick = Date.now();
      options.tick?.();
    }
    await sleep(20);
  }
}
