/**
 * The reconciler benchmark's surroundings: names of its own for topics, groups
 * and databases and removing them, whether the stack answers, what else runs on
 * the machine, and watching the database process — FerretDB's CPU, to know when
 * the reconciler's first ledger writes are done, and its open SQLite connections
 * per database, to see when they are not and never will be (see `sqliteConnections`).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "@herald/test-harness";
import type { Kafka } from "kafkajs";
import type { MongoClient } from "mongodb";
import { cpuSecondsOf } from "./portal-process";

export const note = (text: string) => process.stderr.write(`${text}\n`);
export const failure = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Topic, group and database names of this run only, and removing them. */
export class Names {
  readonly id = randomBytes(3).toString("hex");
  readonly prefix: string;
  readonly dbPrefix: string;
  private readonly databases = new Set<string>();

  /** `kind` starts every name, so each benchmark's leftovers say whose they are. */
  constructor(kind = "rbench") {
    this.prefix = `${kind}${this.id}.`;
    this.dbPrefix = `${kind}_${this.id}_`;
  }

  dbName(name: string): string {
    const db = `${this.dbPrefix}${name}`;
    this.databases.add(db);
    return db;
  }

  /** Drops this run's databases, by name: FerretDB's listDatabases can hang while other runs write. */
  async dropDatabases(mongo: MongoClient): Promise<void> {
    for (const db of this.databases) {
      await mongo
        .db(db)
        .dropDatabase()
        .catch((error: unknown) => note(`clean-up: dropping ${db} failed: ${failure(error)}`));
    }
  }

  /** Deletes this run's topics and consumer groups and drops its databases. */
  async remove(kafka: Kafka, mongo: MongoClient): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(this.prefix));
      if (topics.length) await admin.deleteTopics({ topics });
      const { groups } = await admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(this.prefix));
      if (ours.length) await admin.deleteGroups(ours).catch(() => undefined);
    } catch (error) {
      note(`clean-up: deleting the topics ${this.prefix}* failed: ${failure(error)}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await this.dropDatabases(mongo);
  }
}

/** Says how to start the stack when Kafka or the database does not answer. */
export async function checkStack(
  kafka: Kafka,
  mongo: MongoClient,
  brokers: string,
  mongoUrl: string,
) {
  const hint = "start the local stack with `./herald stack up`, or set KAFKA_BROKERS and MONGO_URL";
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    throw new Error(`Kafka does not answer at ${brokers} (${failure(error)}): ${hint}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  try {
    const info = await mongo.db("admin").command({ buildInfo: 1 });
    return typeof info.ferretdbVersion === "string"
      ? `FerretDB ${info.ferretdbVersion}`
      : `MongoDB ${String(info.version)}`;
  } catch (error) {
    throw new Error(`the database does not answer at ${mongoUrl} (${failure(error)}): ${hint}`);
  }
}

/** The commit measured, and whether the reconciler and the packages differ from it. */
export function codeState(): string {
  const git = (...command: string[]) =>
    spawnSync("git", command, { cwd: ROOT, encoding: "utf8" }).stdout?.trim() ?? "";
  const head = git("rev-parse", "--short", "HEAD") || "?";
  const changed = git("status", "--porcelain", "--", "services/reconciler", "packages")
    .split("\n")
    .filter(Boolean).length;
  return changed
    ? `${head} with ${changed} files changed or added under services/reconciler/ and packages/ (run from the working tree)`
    : `${head}, no uncommitted changes under services/reconciler/ and packages/`;
}

/** Other jest runs make every figure slower: say so before starting. */
export function warnAboutOtherRuns(): void {
  const others: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (/\bjest\b/.test(cmd) && Number(pid) !== process.pid) others.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  if (others.length) {
    note(
      `warning: jest is running (pids ${others.join(", ")}); the figures will be slower than the machine can do`,
    );
  }
}

/** Waits until FerretDB uses under 5% of a core for two seconds running; returns how long that took. */
export async function waitForQuiet(
  pid: number,
  signal: AbortSignal,
  limitMs = 600_000,
): Promise<number> {
  const began = performance.now();
  let quiet = 0;
  let last = cpuSecondsOf(pid);
  while (quiet < 2 && performance.now() - began < limitMs && !signal.aborted) {
    await sleep(1000);
    const now = cpuSecondsOf(pid);
    quiet = now - last < 0.05 ? quiet + 1 : 0;
    last = now;
  }
  return performance.now() - began;
}

/** The process listening on TCP `port` on this machine (from /proc), if any can be seen. */
export function listeningPid(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local address, state 0A = LISTEN, inode
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === "0A" && fields[9]) inodes.add(fields[9]);
    }
  }
  if (!inodes.size) return undefined;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? "")) return Number(pid);
      }
    } catch {
      // not ours to read, or gone
    }
  }
  return undefined;
}

/**
 * How many SQLite connections FerretDB (`pid`) holds open on database `db`:
 * 0 for any other database server. FerretDB 1.24 opens at most 100 per
 * database; at 100, with FerretDB idle, the database is deadlocked (an update
 * command of 100 or more statements matching existing documents keeps each
 * statement's read open until the command ends, and the next statement waits
 * for a connection for ever).
 */
export function sqliteConnections(pid: number, db: string): number {
  let open = 0;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith(`/${db}.sqlite`)) open += 1;
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return 0;
  }
  return open;
}

/** Resolves true when `work` finished within `ms`, false when it was still running. */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
