/**
 * The reconciler's audit against its requirement: "the audit of 100,000 items
 * across 6 channels finishes in under 30 seconds on this machine, with memory
 * that does not grow with the number of audits run".
 *
 *   pnpm bench:reconciler [--items 100000] [--audits 7] [--faults 0.005]
 *                         [--profile] [--quick] [--json]
 *
 * On the real stack (KAFKA_BROKERS, MONGO_URL; default the local `herald stack`):
 * produces the items onto a herald.items.v1 of its own, serves six channels'
 * ChannelInventory over gRPC from a child process (each wrong on a planted
 * `--faults` share of items, plus a few ids it should not have) and announces
 * them, starts the reconciler in this process (`startTestReconciler`, audits and
 * evaluations only when asked, repairs at the service's default pace) and times
 * its start, then runs `--audits` audits with `actions.runAudit()`, measuring
 * each one's time and this process's heap and RSS after two full collections.
 * Exits 1 when an audit takes 30 s or more, when the heap grows by 1 MiB an
 * audit or more (least-squares slope), or when the findings differ from what was
 * planted. It watches FerretDB's SQLite connections on the reconciler's database
 * and says when its ledger writes are deadlocked, and stops a reconciler whose
 * ledger flush never ends by dropping that database. `--profile` writes a CPU profile of the audits (which slows them) and
 * prints where their time goes. RECONCILER_* variables from the environment
 * reach the reconciler, e.g. RECONCILER_AUDIT_PAGE_SIZE=5000. Topics, groups and
 * databases are named rbench<id>… and removed at the end.
 */
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Topics } from "@herald/contracts";
import type { ReconcilerService } from "@herald/reconciler";
import { startTestReconciler } from "@herald/reconciler/testing";
import { createKafkaClient, createLogger, ensureTopics, topicName } from "@herald/runtime";
import { artifactPath } from "@herald/test-harness";
import { MongoClient } from "mongodb";
import { cpuPercent, cpuSnapshot, stackPids } from "./portal-process";
import { CHANNELS, type Planted, SyntheticChannels, announceChannels } from "./reconciler-channels";
import { produceItems } from "./reconciler-items";
import { AuditProfiler } from "./reconciler-profile";
import { type AuditFigures, type Report, renderReport, verdicts } from "./reconciler-report";
import {
  Names,
  checkStack,
  codeState,
  failure,
  listeningPid,
  note,
  sqliteConnections,
  waitForQuiet,
  warnAboutOtherRuns,
  within,
} from "./reconciler-stack";

const { values: args } = parseArgs({
  options: {
    items: { type: "string" },
    audits: { type: "string" },
    faults: { type: "string", default: "0.005" },
    profile: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});

function count(name: string, value: string | undefined, full: number, quick: number): number {
  if (value === undefined) return args.quick ? quick : full;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`--${name} must be a whole number ≥ 1`);
  return number;
}

const ITEMS = count("items", args.items, 100_000, 10_000);
const AUDITS = count("audits", args.audits, 7, 3);
const FAULTS = Number(args.faults);
if (!(FAULTS >= 0 && FAULTS < 1)) throw new Error("--faults must be a share between 0 and 1");
const PARTITIONS = 3; // what startTestReconciler gives the reconciler
const SEED = 2016;
const INVENTORY_TOKEN = `rbench-${randomBytes(12).toString("hex")}`;
const MiB = 2 ** 20;

const gc = (globalThis as { gc?: () => void }).gc;

function figuresOf(
  result: Awaited<ReturnType<ReconcilerService["actions"]["runAudit"]>>,
  wallMs: number,
  cpu: Record<string, number>,
): Omit<AuditFigures, "heapUsed" | "rss"> {
  const findingsByKind: Record<string, number> = {};
  for (const f of result.findings) findingsByKind[f.kind] = (findingsByKind[f.kind] ?? 0) + 1;
  return {
    wallMs,
    channelMs: Object.fromEntries(result.runs.map((r) => [r.channel, r.durationMs])),
    holdings: result.runs.reduce((a, r) => a + r.holdings, 0),
    errors: result.runs.flatMap((r) => (r.error ? [`${r.channel}: ${r.error}`] : [])),
    findings: result.findings.length,
    findingsByKind,
    cpu,
  };
}

/** Ctrl-C stops after the step in hand; the run then cleans up. */
const interrupt = new AbortController();
const { signal } = interrupt;

async function main(): Promise<number> {
  if (!gc) throw new Error("run with --expose-gc (pnpm bench:reconciler does)");
  const began = performance.now();
  const brokers = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
  const mongoUrl = process.env.MONGO_URL ?? "mongodb://127.0.0.1:27017";
  const names = new Names();
  const logger = createLogger({ service: "reconciler-bench", level: "warn" }, process.stderr);
  const kafka = createKafkaClient({
    brokers: brokers.split(","),
    clientId: "herald-reconciler-bench",
    logger: createLogger({ service: "reconciler-bench", level: "error" }, process.stderr),
    overrides: { connectionTimeout: 3000, retry: { retries: 2 } },
  });
  const mongo = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  process.on("SIGINT", () => {
    if (!signal.aborted) {
      note(
        "interrupted: stopping after the step in hand, then cleaning up (Ctrl-C again to leave now)",
      );
      interrupt.abort();
      return;
    }
    note(
      `left without cleaning up: topics, groups and databases named ${names.prefix}* / ${names.dbPrefix}*`,
    );
    process.exit(130);
  });

  const database = await checkStack(kafka, mongo, brokers, mongoUrl);
  warnAboutOtherRuns();
  const cpu = cpus();
  const known = stackPids(brokers.split(","), mongoUrl);
  const portOf = (address: string, fallback: number) =>
    Number(/:(\d+)(\/|$)/.exec(address)?.[1] ?? fallback);
  const kafkaPid = known.kafka ?? listeningPid(portOf(brokers.split(",")[0]!, 9092));
  const dbPid = known.ferretdb ?? listeningPid(portOf(mongoUrl, 27017));
  note(
    `reconciler audit benchmark: ${ITEMS} items × ${CHANNELS.length} channels, ${AUDITS} audits, ` +
      `against Kafka ${brokers} and ${database}${args.quick ? " (QUICK)" : ""}`,
  );
  let channels: SyntheticChannels | undefined;
  let reconciler: ReconcilerService | undefined;
  let report: Report | undefined;
  try {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [Topics.items, Topics.channels], {
        prefix: names.prefix,
        partitions: PARTITIONS,
      });
    } finally {
      await admin.disconnect();
    }
    note(`producing ${ITEMS} items onto ${topicName(Topics.items, names.prefix)}…`);
    const produced = await produceItems(kafka, names.prefix, { count: ITEMS, seed: SEED }, signal);
    if (signal.aborted) return 130;

    note(`starting ${CHANNELS.length} channel inventories in a child process…`);
    channels = await SyntheticChannels.start({
      items: produced.summaries,
      faults: FAULTS,
      token: INVENTORY_TOKEN,
    });
    produced.summaries.length = 0;
    await announceChannels(kafka, names.prefix, channels);
    const planted: Record<string, Planted> = Object.fromEntries(
      channels.channels.map((c) => [c.name, c.planted]),
    );
    const watched: Record<string, number> = {
      ...(kafkaPid ? { kafka: kafkaPid } : {}),
      ...(dbPid ? { database: dbPid } : {}),
      channels: channels.pid,
    };
    gc();

    note("starting the reconciler (it reads the item stream and runs one audit)…");
    const pageSize = Number(process.env.RECONCILER_AUDIT_PAGE_SIZE ?? 2000);
    const startedAt = performance.now();
    reconciler = await startTestReconciler({
      brokers: brokers.split(","),
      mongoUrl,
      topicPrefix: names.prefix,
      dbName: names.dbName("reconciler"),
      groupId: `${names.prefix}reconciler`,
      inventoryToken: INVENTORY_TOKEN,
      logger,
      env: {
        RECONCILER_AUDIT_INTERVAL_MS: "86400000",
        RECONCILER_EVALUATE_INTERVAL_MS: "600000",
        RECONCILER_GRACE_MS: "0",
        // The service's own repair pace; the test helper shortens it for tests.
        RECONCILER_REPAIR_INITIAL_MS: "30000",
        RECONCILER_REPAIR_MAX_MS: "1800000",
        ...Object.fromEntries(
          Object.entries(process.env).filter(
            (entry): entry is [string, string] =>
              entry[0].startsWith("RECONCILER_") && entry[1] !== undefined,
          ),
        ),
      },
    });
    const startMs = performance.now() - startedAt;
    note(`  ready in ${(startMs / 1000).toFixed(1)} s`);
    const reconcilerDb = names.dbName("reconciler");
    let settleMs: number | undefined;
    if (dbPid) {
      note("waiting for the ledger's first writes to finish (the database process quiet for 2 s)…");
      settleMs = await waitForQuiet(dbPid, signal);
      note(`  quiet after ${(settleMs / 1000).toFixed(1)} s`);
    }
    const ledgerAfterStart = dbPid ? sqliteConnections(dbPid, reconcilerDb) : 0;
    if (ledgerAfterStart >= 100) {
      note(
        `  but FerretDB holds ${ledgerAfterStart} SQLite connections on ${reconcilerDb}: ` +
          "the ledger's writes are deadlocked, not done (see the report)",
      );
    }
    gc();
    gc();
    const before = process.memoryUsage();

    const profiler = args.profile ? new AuditProfiler() : undefined;
    await profiler?.start();
    const audits: AuditFigures[] = [];
    for (let k = 1; k <= AUDITS && !signal.aborted; k += 1) {
      const from = cpuSnapshot(watched);
      const t = performance.now();
      const result = await reconciler.actions.runAudit();
      const wallMs = performance.now() - t;
      const figures = figuresOf(result, wallMs, cpuPercent(from, cpuSnapshot(watched)));
      gc();
      gc();
      const memory = process.memoryUsage();
      audits.push({ ...figures, heapUsed: memory.heapUsed, rss: memory.rss });
      note(
        `  audit ${k}/${AUDITS}: ${(wallMs / 1000).toFixed(2)} s, ${figures.findings} findings, ` +
          `heap ${(memory.heapUsed / MiB).toFixed(1)} MiB, RSS ${(memory.rss / MiB).toFixed(0)} MiB`,
      );
    }
    const profile = await profiler?.stop(artifactPath(`reconciler-bench-${names.id}.cpuprofile`));
    if (signal.aborted) return 130;
    const ledgerAfterAudits = dbPid ? sqliteConnections(dbPid, reconcilerDb) : 0;
    report = {
      machine:
        `${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
        `${process.platform} ${process.arch}, node ${process.version}`,
      code: codeState(),
      stack: `Kafka ${brokers} (${PARTITIONS} partitions per topic), ${database} at ${mongoUrl}`,
      settings: {
        items: ITEMS,
        audits: AUDITS,
        faults: FAULTS,
        pageSize,
        channels: CHANNELS.map((c) => c.name),
      },
      produced: { seconds: produced.seconds, bytes: produced.bytes },
      planted,
      startMs,
      settleMs,
      ledgerConnections: dbPid
        ? { database: reconcilerDb, afterStart: ledgerAfterStart, afterAudits: ledgerAfterAudits }
        : undefined,
      before: { heapUsed: before.heapUsed, rss: before.rss },
      audits,
      profile,
      tookS: (performance.now() - began) / 1000,
    };
    // Before the clean-up, which a blocked reconciler can hold up.
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  } finally {
    note("cleaning up…");
    await stopReconciler(reconciler, names, mongo);
    await channels?.stop();
    await names.remove(kafka, mongo);
    await mongo.close().catch(() => undefined);
  }
  return verdicts(report).every((v) => v.ok) ? 0 : 1;
}

/**
 * Stops the reconciler, which flushes its ledger first. A ledger write blocked in
 * the database would hold that up for ever; after a minute, dropping the database
 * releases it (FerretDB then fails the blocked write).
 */
async function stopReconciler(
  reconciler: ReconcilerService | undefined,
  names: Names,
  mongo: MongoClient,
): Promise<void> {
  if (!reconciler) return;
  const stopping = reconciler
    .stop()
    .catch((error: unknown) => note(`stopping the reconciler failed: ${failure(error)}`));
  if (await within(stopping, 60_000)) return;
  note(
    "the reconciler has not stopped after 60 s: its ledger's last flush is blocked in the " +
      "database; dropping the database to release it",
  );
  await names.dropDatabases(mongo);
  if (!(await within(stopping, 60_000))) note("it has still not stopped; leaving it behind");
}

main().then(
  (code) => {
    if (code === 130) {
      process.stderr.write("bench interrupted; its topics, groups and databases are removed\n");
    }
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
