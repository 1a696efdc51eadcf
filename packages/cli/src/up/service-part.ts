import { mkdirSync } from "node:fs";
import { StackError } from "../stack/errors";
import {
  portInUse,
  runningPid,
  startDetached,
  stopProcess,
  waitUntilAnswers,
} from "../stack/processes";
import { startProgress } from "../ui/progress";
import type { Part, PartStatus } from "./parts";
import type { ServiceFiles } from "./service-settings";

/** A port a service listens on, and the variable that moves it. */
export interface ServicePort {
  port: number;
  /** What listens there, e.g. "HTTP API"; messages say "<title> <what>". */
  what: string;
  variable: string;
}

/** A Herald service that `herald up` runs from the sources as a detached process. */
export interface ServiceSpec extends ServiceFiles {
  /** The part's name in the status table and the progress line, e.g. "content". */
  name: string;
  /** How messages name it, e.g. "content service". */
  title: string;
  /** The repository root, where tsx resolves the sources from. */
  cwd: string;
  /** The entry point, e.g. `services/content/src/main.ts`; also the pid file's marker. */
  main: string;
  host: string;
  /** Every port it listens on, checked before it starts. */
  ports: readonly ServicePort[];
  /** Where its /readyz answers. */
  healthPort: number;
  /**
   * The path that answers 200 once it serves; default `/readyz`. A process that is
   * not a Herald service (an emulator) may only have a page.
   */
  healthPath?: string;
  /** The address the progress line waits for, e.g. its HTTP URL. */
  url: string;
  /** The address the status table shows. */
  address: string;
  /** The environment of the process. */
  env(): NodeJS.ProcessEnv;
  /** Runs before the process starts (not when it runs already), e.g. to write its credentials. */
  prepare?(): Promise<void>;
  /** Lines `herald up` prints once everything is ready. */
  details(): string[];
  /** How long it may take to answer /readyz; default 90 s. */
  timeoutMs?: number;
}

/**
 * Whether the service's /readyz (or its `healthPath`) answers 200. A request that fails is tried once
 * more: fetch reuses idle connections, and one the server closed while this
 * process was busy fails with "other side closed" although the service is fine.
 */
async function serviceReady(spec: ServiceSpec, timeoutMs = 1_000): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      const path = spec.healthPath ?? "/readyz";
      const response = await fetch(`http://${spec.host}:${spec.healthPort}${path}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.text(); // read to the end, so the connection is released
      return response.status === 200;
    } catch {
      if (attempt === 2) return false;
    }
  }
}

async function checkPorts(spec: ServiceSpec): Promise<void> {
  for (const { port, what, variable } of spec.ports) {
    if (await portInUse(spec.host, port)) {
      throw new StackError(
        `port ${port} (${spec.title} ${what}) is taken by another program; stop it, or choose another port with ${variable}`,
      );
    }
  }
}

/**
 * A service as a part of `herald up`: a detached process run with tsx from the
 * sources (like the stack's servers, with a pid file and a log), started once its
 * `prepare` step is done, ready when its /readyz answers 200.
 */
export function servicePart(spec: ServiceSpec): Part {
  return {
    name: spec.name,
    async start() {
      const running = runningPid(spec.pidFile) !== undefined;
      if (running && (await serviceReady(spec))) return "running";
      if (!running) {
        await checkPorts(spec);
        await spec.prepare?.();
        mkdirSync(spec.dir, { recursive: true });
      }
      const progress = startProgress(spec.name);
      if (!running) {
        progress.update("starting");
        try {
          startDetached({
            command: process.execPath,
            args: ["--import", "tsx", "--conditions=herald-source", spec.main],
            cwd: spec.cwd,
            env: spec.env(),
            logFile: spec.logFile,
            pidFile: spec.pidFile,
            marker: spec.main,
          });
        } catch (error) {
          progress.fail("could not start");
          throw error;
        }
      }
      await waitUntilAnswers({
        name: `The ${spec.title}`,
        address: spec.url,
        pidFile: spec.pidFile,
        logFile: spec.logFile,
        timeoutMs: spec.timeoutMs ?? 90_000,
        answers: () => serviceReady(spec),
        progress,
      });
      return "started";
    },
    stop: async () => void (await stopProcess(spec.pidFile)),
    async status(): Promise<PartStatus> {
      const running = runningPid(spec.pidFile) !== undefined;
      const ready = running && (await serviceReady(spec));
      return {
        state: ready ? "ready" : running ? "starting" : "stopped",
        address: spec.address,
        version: null,
      };
    },
    details: () => spec.details(),
  };
}
