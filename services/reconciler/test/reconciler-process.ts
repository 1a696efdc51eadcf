/**
 * A reconciler as production runs it, `src/main.ts` in a process of its own, so
 * a test can kill it with SIGKILL: no shutdown hook runs, the lease is not
 * given up, and its consumer group membership lapses only when the broker stops
 * hearing from it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { ROOT, artifactPath, freePorts } from "@herald/test-harness";

export interface Health {
  readonly status: number;
  readonly detail: string;
}

export class ReconcilerProcess {
  private exitCode: number | null | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
    readonly httpPort: number,
    readonly healthPort: number,
    readonly logFile: string,
  ) {
    child.once("exit", (code, signal) => {
      this.exitCode = code ?? (signal ? -1 : null);
    });
  }

  /** Spawns `src/main.ts` with `env`, on ports of its own, named `name`. */
  static async spawn(name: string, env: Record<string, string>): Promise<ReconcilerProcess> {
    const ports = await freePorts(3);
    const [httpPort, grpcPort, healthPort] = [ports[0] ?? 0, ports[1] ?? 0, ports[2] ?? 0];
    const logFile = artifactPath(`reconciler-${name}-${Date.now()}.log`);
    const log = openSync(logFile, "w");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=herald-source",
        join(ROOT, "services/reconciler/src/main.ts"),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ...env,
          RECONCILER_INSTANCE: name,
          RECONCILER_HTTP_PORT: String(httpPort),
          RECONCILER_GRPC_PORT: String(grpcPort),
          HEALTH_PORT: String(healthPort),
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", log, log],
      },
    );
    closeSync(log);
    return new ReconcilerProcess(child, name, httpPort, healthPort, logFile);
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** /readyz: its status code and the reconciler's detail ("leader (term 2)", "standing by; …"). */
  async health(): Promise<Health> {
    if (!this.running) throw new Error(`${this.name} exited; see ${this.logFile}`);
    const response = await fetch(`http://127.0.0.1:${this.healthPort}/readyz`);
    const body = (await response.json()) as {
      checks: Record<string, { detail?: string }>;
    };
    return { status: response.status, detail: body.checks.reconciler?.detail ?? "" };
  }

  /** GET from its HTTP API with an operator token. */
  api(path: string, token: string): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.httpPort}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  }

  /** SIGKILL: the process ends at once, as in a crash. Resolves once it is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGKILL");
    await exited;
  }

  /** SIGTERM and wait: for clean-up. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
