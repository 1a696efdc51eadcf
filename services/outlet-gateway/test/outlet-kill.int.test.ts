/**
 * Kill -9 of the outlet mid-stream, then of the gateway, each a process of its
 * own (`outlet-processes.ts`): nothing is lost, every covered item ends up held at
 * its newest version, and no delivery whose result had been recorded reaches the
 * outlet again. The outlet's append-only log (`file-outlet.ts`) is the evidence.
 *
 * HERALD_OUTLET_KILL_ITEMS sets the load of each half (default 300 items).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { itemState } from "@herald/channel-kit/testing";
import {
  DeliveryOutcome,
  type DeliveryReceipt,
  ItemKind,
  type ItemState,
  Topics,
} from "@herald/contracts";
import type { HeraldProducer } from "@herald/runtime";
import { freePorts, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import { MongoClient } from "mongodb";
import { type OutletLogLine, holdingsOf, readOutletLog } from "./file-outlet-log";
import {
  type ChildService,
  type GatewayPlace,
  addOutlet,
  processTokenFiles,
  spawnFileOutlet,
  spawnGateway,
} from "./outlet-processes";

const ITEMS = Number(process.env.HERALD_OUTLET_KILL_ITEMS ?? 300);
const OUTLET = "kilo";
const ns = useTestNamespace("outlet-kill");
const dir = mkdtempSync(join(tmpdir(), "herald-outlet-kill-"));
const logPath = join(dir, "applied.log");
const tokens = processTokenFiles();
let place: GatewayPlace;
let gateway: ChildService | undefined;
let outlet: ChildService | undefined;
let credential: string;
let producer: HeraldProducer;
let receipts: TopicCollector<DeliveryReceipt>;
let mongo: MongoClient;
/** Every covered item's newest version published so far. */
const newest = new Map<string, number>();

const key = (id: string, version: number) => `${id}@${version}`;

/** What a half did, for the ADR's figures and for reading a failure. */
function report(what: string, log: readonly OutletLogLine[], mark: number, extra: string): void {
  const after = log.slice(mark);
  process.stdout.write(
    `${what}: ${extra}; after the restart ${after.filter((l) => l.e === "apply").length} applied, ${after.filter((l) => l.e === "again").length} sent again (not recorded)\n`,
  );
}

beforeAll(async () => {
  const stack = testStack();
  const [grpcPort, httpPort] = await freePorts(2);
  place = {
    brokers: stack.brokers,
    mongoUrl: stack.mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("gateway"),
    groupPrefix: ns.groupId("outlet-"),
    grpcPort: grpcPort!,
    httpPort: httpPort!,
  };
  mongo = await new MongoClient(stack.mongoUrl).connect();
  ns.beforeCleanup(async () => {
    await mongo.close();
    rmSync(dir, { recursive: true, force: true });
  });
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  producer = await testProducer(ns);
  ns.beforeCleanup(async () => {
    await outlet?.stop();
    await gateway?.stop();
  });
  gateway = await spawnGateway(place, tokens);
  credential = await addOutlet(place.httpPort, { name: OUTLET, kinds: ["news"] });
}, 120_000);

/** Publishes states onto herald.items.v1 as the content relay would, noting the newest covered versions. */
async function publish(states: readonly ItemState[]): Promise<void> {
  for (let i = 0; i < states.length; i += 100) {
    const batch = states.slice(i, i + 100);
    await producer.send(
      Topics.items,
      batch.map((s) => ({ key: s.id, value: s })),
    );
  }
  for (const s of states) {
    if (s.kind === ItemKind.ITEM_KIND_NEWS)
      newest.set(s.id, Math.max(newest.get(s.id) ?? 0, s.version));
  }
}

/** `count` news items (covered) and a tenth as many service guides (not covered), at version 1. */
function load(prefix: string, count: number): ItemState[] {
  const news = Array.from({ length: count }, (_, n) => itemState(`${prefix}${n}`, 1));
  const guides = Array.from({ length: Math.ceil(count / 10) }, (_, n) =>
    itemState(`${prefix}guide-${n}`, 1, { kind: ItemKind.ITEM_KIND_SERVICE_GUIDE }),
  );
  return [...news, ...guides];
}

const applied = (log: readonly OutletLogLine[], prefix: string) =>
  log.filter((l) => l.e === "apply" && l.id.startsWith(prefix)).length;

function startOutlet(): ChildService {
  outlet = spawnFileOutlet({
    gateway: `127.0.0.1:${place.grpcPort}`,
    outlet: OUTLET,
    credential,
    log: logPath,
    credit: 5,
    // Half before the apply, half after it is logged: a kill can leave a delivery applied but unanswered.
    applyDelayMs: 10,
    answerDelayMs: 10,
  });
  return outlet;
}

/** Waits until the outlet's log holds every covered item at its newest version, with a receipt for each. */
async function allHeldAtNewest(description: string): Promise<OutletLogLine[]> {
  const log = await waitFor(
    () => {
      const now = readOutletLog(logPath);
      const held = holdingsOf(now);
      for (const [id, version] of newest) if (held.get(id)?.version !== version) return undefined;
      return now;
    },
    { timeoutMs: 90_000, intervalMs: 250, description },
  );
  await waitFor(
    () => {
      const delivered = deliveredReceipts(() => true);
      return [...newest].every(([id, version]) => delivered.has(key(id, version)));
    },
    { timeoutMs: 30_000, description: "a delivered receipt for every newest version" },
  );
  return log;
}

function deliveredReceipts(when: (at: number) => boolean): Set<string> {
  return new Set(
    receipts
      .values()
      .filter(
        (r) =>
          r.outletId === OUTLET &&
          r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED &&
          when(r.at?.getTime() ?? 0),
      )
      .map((r) => key(r.itemId, r.version)),
  );
}

/** The invariants of the whole log: nothing uncovered arrived, and no version was applied twice. */
function expectAppliedOnce(log: readonly OutletLogLine[]): void {
  expect(log.filter((l) => l.id.includes("guide-")).map((l) => l.id)).toEqual([]);
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const l of log.filter((line) => line.e === "apply")) {
    if (seen.has(key(l.id, l.version))) twice.push(key(l.id, l.version));
    seen.add(key(l.id, l.version));
  }
  expect(twice).toEqual([]);
}

describe("outlet and gateway killed mid-stream", () => {
  it(`kill -9 of the outlet during a backfill of ${ITEMS} items: all held at their newest versions, nothing with a receipt delivered again`, async () => {
    await publish(load("a", ITEMS));
    const first = startOutlet();
    await waitFor(() => applied(readOutletLog(logPath), "a") >= ITEMS / 3, {
      timeoutMs: 60_000,
      intervalMs: 20,
      description: `a third of ${ITEMS} items applied`,
    });
    await first.kill();
    const atKill = applied(readOutletLog(logPath), "a");
    expect(atKill).toBeLessThan(ITEMS);

    const restartedAt = Date.now();
    const mark = readOutletLog(logPath).length;
    startOutlet();
    // Live changes while it catches up: only the newest version of each needs to arrive.
    await publish(Array.from({ length: 50 }, (_, n) => itemState(`a${n}`, 2)));
    const log = await allHeldAtNewest(`all ${ITEMS} items held at their newest version`);

    const recorded = deliveredReceipts((at) => at < restartedAt);
    expect(recorded.size).toBeGreaterThan(0);
    report(
      "outlet killed",
      log,
      mark,
      `${atKill} of ${ITEMS} applied at the kill, ${recorded.size} receipts before the restart`,
    );
    const again = log
      .slice(mark)
      .filter((l) => recorded.has(key(l.id, l.version)))
      .map((l) => `${key(l.id, l.version)} (${l.e}, attempt ${l.attempt}, ${l.reason})`);
    expect(again).toEqual([]);
    expectAppliedOnce(log);
  }, 180_000);

  it(`kill -9 of the gateway during a load of ${ITEMS} items: after its restart all are held at their newest versions, nothing recorded delivered again`, async () => {
    await publish(load("b", ITEMS));
    await waitFor(() => applied(readOutletLog(logPath), "b") >= ITEMS / 3, {
      timeoutMs: 60_000,
      intervalMs: 20,
      description: `a third of ${ITEMS} new items applied`,
    });
    const killedAt = Date.now();
    await gateway!.kill();
    const atKill = applied(readOutletLog(logPath), "b");
    expect(atKill).toBeLessThan(ITEMS);

    // What the dead gateway had recorded: exactly the results it may never deliver again.
    const records = await mongo
      .db(place.dbName)
      .collection<{ _id: string; version: number; outcome: string }>(`results.${OUTLET}`)
      .find({})
      .toArray();
    const recorded = new Set(records.map((r) => key(r._id, r.version)));
    expect(records.filter((r) => r._id.startsWith("b")).length).toBeGreaterThan(0);

    const mark = readOutletLog(logPath).length;
    gateway = await spawnGateway(place, tokens);
    await publish(Array.from({ length: 20 }, (_, n) => itemState(`b${n}`, 2)));
    const log = await allHeldAtNewest(`all ${ITEMS} new items held after the gateway's restart`);
    const resumedAt = log.slice(mark).find((l) => l.e === "apply")?.t ?? Number.NaN;
    report(
      "gateway killed",
      log,
      mark,
      `${atKill} of ${ITEMS} applied at the kill, ${records.length} results recorded, first new apply ${((resumedAt - killedAt) / 1000).toFixed(1)} s after the kill`,
    );

    const again = log
      .slice(mark)
      .filter((l) => recorded.has(key(l.id, l.version)))
      .map((l) => `${key(l.id, l.version)} (${l.e}, attempt ${l.attempt}, ${l.reason})`);
    expect(again).toEqual([]);
    expectAppliedOnce(log);
  }, 180_000);
});
