/**
 * Figure 1: how fast one portal process applies a backlog, from the item stream
 * to pages, against the database's raw rate for the one write it makes per item
 * and a bare consumer's rate for reading the same topic, in the same run.
 */
import { performance } from "node:perf_hooks";
import { ItemState, ItemStatus, Topics } from "@herald/contracts";
import { decodePayload, headersToStrings, topicName } from "@herald/runtime";
import type { Db } from "mongodb";
import { pool } from "./content-load";
import { type CpuSnapshot, PortalProcess, cpuPercent, cpuSnapshot } from "./portal-process";
import { profileParts } from "./portal-profile";
import type { ApplyRun } from "./portal-figures";
import { type Namespace, type PortalBench, ReceiptLog, note, waitForCount } from "./portal-stack";

export interface ThroughputOptions {
  items: readonly ItemState[];
  /** Upserts in flight for the raw rate: what the portal may have in flight. */
  inFlight: number;
  stallMs: number;
  /** Writes a CPU profile of each portal process next to its log. */
  profile: boolean;
  /** Kafka's and FerretDB's pids, for their CPU. */
  pids: Record<string, number>;
  signal: AbortSignal;
}

/**
 * Upserts by _id of documents shaped as HoldingStore.save writes them (the
 * encoded ItemState inside), `inFlight` at a time, into a collection of its own.
 */
async function rawUpserts(
  db: Db,
  states: readonly ItemState[],
  inFlight: number,
  signal: AbortSignal,
) {
  const encoded = states.map((state) => Buffer.from(ItemState.encode(state).finish()));
  const holdings = db.collection<{ _id: string }>("holdings");
  await db.createCollection("holdings");
  const started = performance.now();
  await pool(
    states.length,
    inFlight,
    async (n) => {
      const state = states[n]!;
      await holdings.replaceOne(
        { _id: state.id },
        {
          version: state.version,
          checksum: state.checksum,
          externalRef: `http://127.0.0.1:4100/items/${encodeURIComponent(state.id)}`,
          status: "held",
          itemStatus: state.status,
          appliedAt: new Date(),
          applies: 1,
          state: encoded[n]!,
        },
        { upsert: true },
      );
    },
    signal,
  );
  const elapsed = performance.now() - started;
  await db.dropDatabase();
  return (states.length * 1000) / elapsed;
}

/** Reads every item of the stream of `ns` with a bare consumer and decodes it; items/s from the first to the last. */
async function kafkaRead(bench: PortalBench, ns: Namespace, count: number, signal: AbortSignal) {
  const consumer = bench.kafka.consumer({
    groupId: ns.groupId("bare-reader"),
    maxWaitTimeInMs: 100,
  });
  ns.onClean(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(Topics.items, ns.prefix), fromBeginning: true });
  let read = 0;
  let first = 0;
  let last = 0;
  await consumer.run({
    eachBatch: ({ batch }) => {
      for (const message of batch.messages) {
        const decoded = decodePayload(
          Topics.items.schema,
          message.value,
          headersToStrings(message.headers),
        );
        if (decoded.ok) read += 1;
      }
      first ||= performance.now();
      last = performance.now();
      return Promise.resolve();
    },
  });
  await waitForCount(() => read, count, { stallMs: 30_000, everyMs: 60_000, signal });
  await consumer.disconnect();
  return read === count ? (count * 1000) / (last - first) : Number.NaN;
}

export async function applyRun(
  bench: PortalBench,
  run: number,
  options: ThroughputOptions,
): Promise<ApplyRun> {
  const { items, signal } = options;
  const label = `apply run ${run}`;
  const ns = bench.namespace(`apply${run}`);
  try {
    await bench.createTopics(ns);
    note(`${label}: producing ${items.length} items…`);
    await bench.produce(ns, items.length, (n) => items[n]!, signal);
    note(`${label}: database raw upserts (${items.length}, ${options.inFlight} in flight)…`);
    const rawUpsertsPerS = await rawUpserts(
      bench.mongo.db(ns.dbName("raw")),
      items,
      options.inFlight,
      signal,
    );
    note(`${label}: ${rawUpsertsPerS.toFixed(0)} raw upserts/s; starting the portal…`);
    const receipts = await ReceiptLog.start(bench, ns);
    const portal = await PortalProcess.start(bench, ns, {
      db: "portal",
      group: "portal",
      run: "1",
      profile: options.profile,
    });
    const pids = { ...options.pids, portal: portal.pid };
    const readyAt = await portal.ready();
    let atFirst: CpuSnapshot | undefined;
    let atLast = cpuSnapshot(pids);
    let lastCount = 0;
    let lastTick = Date.now();
    let tickCount = 0;
    const missing = await waitForCount(
      () => {
        const count = receipts.count;
        if (count > 0 && !atFirst) atFirst = cpuSnapshot(pids);
        if (count > lastCount) atLast = cpuSnapshot(pids);
        lastCount = count;
        return count;
      },
      items.length,
      {
        stallMs: options.stallMs,
        everyMs: 3000,
        signal,
        tick: () => {
          const now = Date.now();
          const rate = ((receipts.count - tickCount) * 1000) / (now - lastTick);
          tickCount = receipts.count;
          lastTick = now;
          note(
            `  ${label}: applied ${receipts.count}/${items.length}, ${rate.toFixed(0)}/s, ` +
              `portal RSS ${(portal.memory().rss / 2 ** 20).toFixed(0)} MiB`,
          );
        },
      },
    );
    const { first, last } = receipts.span();
    const seconds = (last - first) / 1000;
    const itemsPerS = receipts.count / seconds;
    const sample = Array.from(
      { length: 20 },
      (_, i) => items[Math.floor((i * items.length) / 20)]!,
    ).filter((s) => s.status === ItemStatus.ITEM_STATUS_PUBLISHED);
    const pagesOk = await portal.pagesAnswering(sample.map((s) => s.id));
    const memory = portal.memory();
    await portal.stop();
    const profile = options.profile ? profileParts(portal.profileDir) : undefined;
    note(`${label}: ${itemsPerS.toFixed(0)} items/s; reading the topic with a bare consumer…`);
    const kafkaReadPerS = await kafkaRead(bench, ns, items.length, signal);
    return {
      items: items.length,
      readyMs: readyAt - portal.spawnedAt,
      firstReceiptMs: first - portal.spawnedAt,
      seconds,
      itemsPerS,
      missing,
      otherReceipts: receipts.others,
      ...(receipts.firstOther ? { firstOther: receipts.firstOther } : {}),
      pagesOk,
      pagesSampled: sample.length,
      rawUpsertsPerS,
      kafkaReadPerS,
      cpu: atFirst ? cpuPercent(atFirst, atLast) : {},
      rss: memory.rss,
      hwm: memory.hwm,
      ...(profile ? { profile } : {}),
    };
  } finally {
    await bench.clean(ns);
  }
}
