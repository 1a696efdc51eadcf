/**
 * The portal as production runs it: `services/portal/src/main.ts` in a process of
 * its own, on free ports, with the environment the channel tests use. Reads its
 * memory and CPU (and Kafka's and FerretDB's, when `herald stack` runs them) from
 * /proc, and asks its website for pages.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { Agent, get } from "node:http";
import { createServer } from "node:net";
import { cpus } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { testChannelEnv, writeInventoryTokenFile } from "@herald/channel-kit/testing";
import { ROOT, artifactPath, herald } from "@herald/test-harness";
import type { Namespace, PortalBench } from "./portal-stack";

/** Settings a reader may change for an experiment, e.g. CHANNEL_APPLY_CONCURRENCY=16. */
const PASSED_THROUGH =
  /^(CHANNEL_CHUNK_SIZE|CHANNEL_APPLY_CONCURRENCY|CHANNEL_RETRY_INLINE|HERALD_TOPIC_PARTITIONS)$/;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** GET `path` from 127.0.0.1:`port`; resolves with the status code (the body is read and dropped). */
export function status(port: number, path: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get({ agent, host: "127.0.0.1", port, path, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
  });
}

/** VmRSS and VmHWM (peak RSS) of a process, in bytes. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
  return { rss: kib("VmRSS") * 1024, hwm: kib("VmHWM") * 1024 };
}

const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** User and system CPU seconds a process (all its threads) has used; NaN once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Kafka's and FerretDB's process ids when `herald stack` runs the stack in use. */
export function stackPids(brokers: readonly string[], mongoUrl: string): Record<string, number> {
  try {
    const result = herald(["stack", "status", "--json"]);
    if (result.status !== 0) return {};
    const json = JSON.parse(result.stdout) as Record<
      "kafka" | "ferretdb",
      { running: boolean; address: string; pid?: number }
    >;
    const pids: Record<string, number> = {};
    if (json.kafka.running && json.kafka.pid && brokers.includes(json.kafka.address)) {
      pids.kafka = json.kafka.pid;
    }
    if (json.ferretdb.running && json.ferretdb.pid && mongoUrl.startsWith(json.ferretdb.address)) {
      pids.ferretdb = json.ferretdb.pid;
    }
    return pids;
  } catch {
    return {};
  }
}

/** CPU seconds all processes on the machine have used (every core), from /proc/stat. */
function machineBusySeconds(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const ticks = fields.slice(1, 9).map(Number);
  const idle = ticks[3]! + ticks[4]!;
  return (ticks.reduce((a, b) => a + b, 0) - idle) / TICKS;
}

/** CPU seconds of the named processes, of this one and of the whole machine, at one moment. */
export type CpuSnapshot = { at: number; machine: number; seconds: Record<string, number> };

export function cpuSnapshot(pids: Record<string, number>): CpuSnapshot {
  const own = process.cpuUsage();
  const seconds: Record<string, number> = { bench: (own.user + own.system) / 1e6 };
  for (const [name, pid] of Object.entries(pids)) seconds[name] = cpuSecondsOf(pid);
  return { at: Date.now(), machine: machineBusySeconds(), seconds };
}

/**
 * Each process's CPU between two snapshots, in % of one core, with `others`
 * (every other process on the machine: other people's tests, the kernel) and
 * `idle` (what was left of all cores).
 */
export function cpuPercent(from: CpuSnapshot, to: CpuSnapshot): Record<string, number> {
  const wall = (to.at - from.at) / 1000;
  const named = Object.fromEntries(
    Object.keys(to.seconds).map((name) => [
      name,
      ((to.seconds[name]! - from.seconds[name]!) / wall) * 100,
    ]),
  );
  const busy = ((to.machine - from.machine) / wall) * 100;
  const ours = Object.values(named).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return {
    ...named,
    others: Math.max(0, busy - ours),
    idle: Math.max(0, cpus().length * 100 - busy),
  };
}

const profileDirOf = (logFile: string) => logFile.replace(/\.log$/, "-profile");

export class PortalProcess {
  /** When the process was spawned (ms since the epoch). */
  readonly spawnedAt = Date.now();
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly httpPort: number,
    readonly healthPort: number,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  /** Where --cpu-prof writes when the process was started with `profile`. */
  get profileDir(): string {
    return profileDirOf(this.logFile);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Starts a portal on `ns`'s topics with database `db` and group `group`; two
   * starts with the same names are the same portal restarted.
   */
  static async start(
    bench: PortalBench,
    ns: Namespace,
    options: {
      db: string;
      group: string;
      run: string;
      profile?: boolean;
      /** A sampling heap profile (--heap-prof) of what is live at exit, next to the log. */
      heapProfile?: boolean;
    },
  ): Promise<PortalProcess> {
    const [httpPort, healthPort] = [await freePort(), await freePort()];
    const overrides = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => PASSED_THROUGH.test(name)),
    );
    const env = {
      ...process.env,
      ...testChannelEnv({
        brokers: bench.brokers,
        mongoUrl: bench.mongoUrl,
        topicPrefix: ns.prefix,
        dbName: ns.dbName(options.db),
        inventoryTokensFile: writeInventoryTokenFile({ reconciler: "portal-bench" }),
      }),
      HERALD_TOPIC_PARTITIONS: String(bench.partitions),
      ...overrides,
      CHANNEL_GROUP: ns.groupId(options.group),
      CHANNEL_INSTANCE_ID: `bench-${ns.label}-${options.run}`,
      PORTAL_HTTP_PORT: String(httpPort),
      HEALTH_PORT: String(healthPort),
      LOG_LEVEL: "info",
    };
    const logFile = artifactPath(`portal-bench-${bench.id}-${ns.label}-${options.run}.log`);
    const log = openSync(logFile, "w");
    // CPU profiles (one per thread: the main one and tsx's loader) are written at exit.
    const profileDir = profileDirOf(logFile);
    if (options.profile || options.heapProfile) mkdirSync(profileDir, { recursive: true });
    const profile = [
      ...(options.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
      ...(options.heapProfile
        ? ["--heap-prof", `--heap-prof-dir=${profileDir}`, "--heap-prof-interval=65536"]
        : []),
    ];
    const child = spawn(
      process.execPath,
      [
        ...profile,
        "--import",
        "tsx",
        "--conditions=herald-source",
        join(ROOT, "services/portal/src/main.ts"),
      ],
      { cwd: ROOT, env, stdio: ["ignore", log, log] },
    );
    closeSync(log);
    const portal = new PortalProcess(child, httpPort, healthPort, logFile);
    ns.onClean(() => portal.stop());
    return portal;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Waits for /readyz to answer 200; returns when it did (ms since the epoch). */
  async ready(timeoutMs = 300_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`the portal exited with ${this.exitCode}; see ${this.logFile}`);
      }
      const code = await status(this.healthPort, "/readyz", 2000).catch(() => 0);
      if (code === 200) return Date.now();
      await sleep(25);
    }
    throw new Error(`the portal was not ready after ${timeoutMs / 1000} s; see ${this.logFile}`);
  }

  /**
   * Waits until the readiness detail no longer counts items not yet searchable (the
   * search index is built in the background after a restart); returns when (ms since
   * the epoch).
   */
  async searchBuilt(timeoutMs = 600_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`the portal exited with ${this.exitCode}; see ${this.logFile}`);
      }
      const body = await fetch(`http://127.0.0.1:${this.healthPort}/readyz`)
        .then((res) => res.text())
        .catch(() => "");
      if (body && !body.includes("not yet searchable")) return Date.now();
      await sleep(250);
    }
    throw new Error(`search was not built after ${timeoutMs / 1000} s; see ${this.logFile}`);
  }

  memory(): { rss: number; hwm: number } {
    return memoryOf(this.pid);
  }

  /** How many of `ids` answer 200 at /items/<id>. */
  async pagesAnswering(ids: readonly string[]): Promise<number> {
    let ok = 0;
    for (const id of ids) {
      if ((await status(this.httpPort, `/items/${encodeURIComponent(id)}`)) === 200) ok += 1;
    }
    return ok;
  }

  /** SIGTERM (SIGKILL after 30 s); resolves once it has exited, with how long that took. */
  async stop(): Promise<number> {
    const started = Date.now();
    if (!this.running) return 0;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    await this.exited;
    clearTimeout(timer);
    return Date.now() - started;
  }
}
