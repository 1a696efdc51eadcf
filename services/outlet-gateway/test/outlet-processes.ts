/**
 * The gateway (`src/main.ts`) and the file outlet (`test/file-outlet.ts`) as
 * production runs them, each in a process of its own, so a test can kill either
 * with SIGKILL: no shutdown hook runs, nothing is flushed or committed, and the
 * gateway's consumer group membership lapses only when the broker stops hearing
 * from it. Their output goes to a log file under the test artifacts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tokenFileOf, writeTokenFile } from "@herald/runtime";
import { ROOT, artifactPath, waitFor } from "@herald/test-harness";

export const PROCESS_ADMIN_TOKEN = "outlet-process-admin-token";
export const PROCESS_INVENTORY_TOKEN = "outlet-process-inventory-token";

/** One child process run with tsx from the workspace's sources. */
export class ChildService {
  private exit: Promise<void>;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exit = new Promise((resolve) =>
      child.once("exit", () => {
        this.exited = true;
        resolve();
      }),
    );
  }

  static spawn(script: string, name: string, env: Record<string, string>): ChildService {
    const logFile = artifactPath(`${name}-${Date.now()}.log`);
    const log = openSync(logFile, "w");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=herald-source", join(ROOT, script)],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", log, log] },
    );
    closeSync(log);
    return new ChildService(child, logFile);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** SIGKILL, as a crash or the OOM killer would; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill("SIGKILL");
    await this.exit;
  }

  /** SIGTERM and wait (SIGKILL after 10 s): for clean-up. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exit;
    clearTimeout(timer);
  }
}

export interface GatewayPlace {
  brokers: readonly string[];
  mongoUrl: string;
  topicPrefix: string;
  dbName: string;
  groupPrefix: string;
  grpcPort: number;
  httpPort: number;
}

/** Token files for the admin API and the inventory, written once per test file. */
export function processTokenFiles(): { admin: string; inventory: string } {
  const dir = mkdtempSync(join(tmpdir(), "herald-outlet-process-"));
  const files = { admin: join(dir, "admin.json"), inventory: join(dir, "inventory.json") };
  writeTokenFile(
    files.admin,
    tokenFileOf({ "test-admin": { token: PROCESS_ADMIN_TOKEN, roles: ["admin"] } }),
  );
  writeTokenFile(files.inventory, tokenFileOf({ auditor: { token: PROCESS_INVENTORY_TOKEN } }));
  return files;
}

/** Starts the gateway process on fixed ports (a restart reuses them) and waits until it is ready. */
export async function spawnGateway(
  place: GatewayPlace,
  tokens: { admin: string; inventory: string },
  env: Record<string, string> = {},
): Promise<ChildService> {
  const gateway = ChildService.spawn("services/outlet-gateway/src/main.ts", "outlet-gateway", {
    KAFKA_BROKERS: place.brokers.join(","),
    MONGO_URL: place.mongoUrl,
    HERALD_TOPIC_PREFIX: place.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "3",
    OUTLET_DB: place.dbName,
    OUTLET_GRPC_PORT: String(place.grpcPort),
    OUTLET_HTTP_PORT: String(place.httpPort),
    OUTLET_GROUP_PREFIX: place.groupPrefix,
    OUTLET_ADMIN_TOKENS_FILE: tokens.admin,
    OUTLET_INVENTORY_TOKENS_FILE: tokens.inventory,
    OUTLET_ACK_DEADLINE_MS: "2000",
    OUTLET_HEARTBEAT_MS: "500",
    OUTLET_RETRY_INITIAL_MS: "200",
    OUTLET_RETRY_MAX_MS: "1000",
    OUTLET_IDLE_LEAVE_MS: "0",
    OUTLET_REGISTRY_POLL_MS: "500",
    // The broker's minimum: the partitions of a killed gateway come back soonest.
    OUTLET_SESSION_TIMEOUT_MS: "6000",
    LOG_LEVEL: "info",
    ...env,
  });
  await waitFor(
    async () => {
      if (!gateway.running) throw new Error(`the gateway exited; see ${gateway.logFile}`);
      const response = await fetch(`http://127.0.0.1:${place.httpPort}/readyz`).catch(
        () => undefined,
      );
      return response?.ok === true;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `the gateway ready (${gateway.logFile})` },
  );
  return gateway;
}

/** Registers an outlet through the gateway's admin API; returns its credential. */
export async function addOutlet(
  httpPort: number,
  body: { name: string; kinds?: string[] },
): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/admin/outlets`, {
    method: "POST",
    headers: { authorization: `Bearer ${PROCESS_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { credential?: string };
  if (response.status !== 201 || !answer.credential) {
    throw new Error(`adding outlet ${body.name}: ${response.status} ${JSON.stringify(answer)}`);
  }
  return answer.credential;
}

/** Starts the file outlet process; it connects (and reconnects) by itself. */
export function spawnFileOutlet(env: {
  gateway: string;
  outlet: string;
  credential: string;
  log: string;
  credit?: number;
  applyDelayMs?: number;
  answerDelayMs?: number;
}): ChildService {
  return ChildService.spawn("services/outlet-gateway/test/file-outlet.ts", `outlet-${env.outlet}`, {
    OUTLET_GATEWAY: env.gateway,
    OUTLET_NAME: env.outlet,
    OUTLET_CREDENTIAL: env.credential,
    OUTLET_LOG: env.log,
    OUTLET_CREDIT: String(env.credit ?? 10),
    OUTLET_APPLY_DELAY_MS: String(env.applyDelayMs ?? 0),
    OUTLET_ANSWER_DELAY_MS: String(env.answerDelayMs ?? 0),
    OUTLET_INSTANCE: `${env.outlet}-1`,
  });
}
