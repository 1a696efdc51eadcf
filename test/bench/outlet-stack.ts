/**
 * The outlet benchmark's surroundings: for each run a gateway of its own (its own
 * topics, database and consumer groups, removed afterwards), items produced
 * straight onto its item stream as the content relay would, and an outlet on the
 * SDK that holds in memory and notes when each item was applied.
 */
import { randomBytes } from "node:crypto";
import { itemState } from "@herald/channel-kit/testing";
import { type ItemState, Topics } from "@herald/contracts";
import type { OutletGatewayService } from "@herald/outlet-gateway";
import { admin, startTestGateway } from "@herald/outlet-gateway/testing";
import { type OutletHandle, connectOutlet } from "@herald/outlet-sdk";
import {
  type HeraldProducer,
  createKafkaClient,
  createLogger,
  createProducer,
} from "@herald/runtime";
import type { Kafka } from "kafkajs";
import { MongoClient } from "mongodb";

export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Gateway settings for a benchmark: production deadlines, not the tests' short ones. */
const GATEWAY_ENV = {
  OUTLET_ACK_DEADLINE_MS: "30000",
  OUTLET_HEARTBEAT_MS: "10000",
  OUTLET_RETRY_INITIAL_MS: "1000",
  OUTLET_RETRY_MAX_MS: "60000",
  OUTLET_REGISTRY_POLL_MS: "5000",
  OUTLET_INVENTORY_TIMEOUT_MS: "30000",
};

/** One run: a gateway on its own names, a producer onto its item stream. */
export class OutletRun {
  private producer: HeraldProducer | undefined;
  gateway!: OutletGatewayService;
  private outlets: BenchOutlet[] = [];

  constructor(
    private readonly bench: OutletBench,
    readonly prefix: string,
    readonly dbName: string,
  ) {}

  async start(): Promise<this> {
    this.gateway = await startTestGateway({
      brokers: this.bench.brokers,
      mongoUrl: this.bench.mongoUrl,
      topicPrefix: this.prefix,
      dbName: this.dbName,
      groupPrefix: `${this.prefix}outlet-`,
      env: GATEWAY_ENV,
    });
    this.producer = createProducer(this.bench.kafka, {
      logger: createLogger({ service: "outlet-bench", level: "error" }, process.stderr),
      topicPrefix: this.prefix,
    });
    await this.producer.connect();
    return this;
  }

  /** Sends states onto the item stream, 500 to a batch. */
  async send(states: readonly ItemState[]): Promise<void> {
    for (let i = 0; i < states.length; i += 500) {
      await this.producer!.send(
        Topics.items,
        states.slice(i, i + 500).map((s) => ({ key: s.id, value: s })),
      );
    }
  }

  /** Produces news items `<prefix>0…count-1` at version 1, noting progress every 5 s. */
  async produce(prefix: string, count: number): Promise<void> {
    let lastNote = Date.now();
    for (let first = 0; first < count; first += 5000) {
      const states = [];
      for (let n = first; n < Math.min(count, first + 5000); n += 1) {
        states.push(itemState(`${prefix}${n}`, 1));
      }
      await this.send(states);
      if (Date.now() - lastNote >= 5000) {
        lastNote = Date.now();
        note(`  produced ${Math.min(count, first + 5000)}/${count} items`);
      }
    }
  }

  /** Registers an outlet of every kind and connects an SDK outlet to it with `credit`. */
  async outlet(name: string, credit: number): Promise<BenchOutlet> {
    const added = await admin<{ credential: string }>(this.gateway, "POST", "/admin/outlets", {
      name,
    });
    if (added.status !== 201) throw new Error(`adding ${name}: ${JSON.stringify(added.body)}`);
    const outlet = new BenchOutlet(this.gateway.address, name, added.body.credential, credit);
    this.outlets.push(outlet);
    return outlet;
  }

  /** True once the gateway has no item of `outlet` pending or in flight: every result recorded. */
  settled(outlet: string): boolean {
    const activity = this.gateway.gateway.activity(outlet);
    return activity.pending === 0 && activity.inFlight === 0 && activity.instances.length > 0;
  }

  async stop(): Promise<void> {
    for (const o of this.outlets) await o.handle.close().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.gateway?.stop().catch(() => undefined);
  }
}

/** An outlet on the SDK that holds in memory and notes when each item was applied. */
export class BenchOutlet {
  readonly appliedAt = new Map<string, number>();
  applies = 0;
  readonly handle: OutletHandle;
  readonly connectedAt = Date.now();

  constructor(gateway: string, outlet: string, credential: string, credit: number) {
    this.handle = connectOutlet({
      gateway,
      outlet,
      credential,
      policy: {},
      credit,
      // Nothing to do but note it: the figures are the gateway's and the protocol's, not an outlet's.
      apply: (state) => {
        this.applies += 1;
        this.appliedAt.set(state.id, Date.now());
        return Promise.resolve({ externalRef: `bench:${state.id}` });
      },
      remove: () => Promise.resolve(),
      holdings: () => Promise.resolve({ holdings: [], nextPageToken: "" }),
    });
  }
}

/** The stack every run shares, and the names each run used, removed at the end. */
export class OutletBench {
  readonly id = randomBytes(3).toString("hex");
  readonly kafka: Kafka;
  private readonly mongo: MongoClient;
  private readonly runs: OutletRun[] = [];
  private count = 0;

  constructor(
    readonly brokers: string[],
    readonly mongoUrl: string,
  ) {
    const logger = createLogger({ service: "outlet-bench", level: "error" }, process.stderr);
    this.kafka = createKafkaClient({ brokers, clientId: "herald-outlet-bench", logger });
    this.mongo = new MongoClient(mongoUrl);
  }

  async run(label: string): Promise<OutletRun> {
    this.count += 1;
    const prefix = `obench${this.id}-${label}${this.count}.`;
    const run = new OutletRun(this, prefix, `obench_${this.id}_${label}_${this.count}`);
    this.runs.push(run);
    return run.start();
  }

  /** Stops a run and removes its topics, consumer groups and database. */
  async clean(run: OutletRun): Promise<void> {
    const at = this.runs.indexOf(run);
    if (at < 0) return;
    this.runs.splice(at, 1);
    await run.stop();
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(run.prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
      const groups = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith(run.prefix));
      if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
    await this.mongo.connect();
    await this.mongo
      .db(run.dbName)
      .dropDatabase()
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const run of [...this.runs]) await this.clean(run).catch(() => undefined);
    await this.mongo.close();
  }
}
