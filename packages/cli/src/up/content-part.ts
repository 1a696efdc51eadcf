import { mkdirSync } from "node:fs";
import { ensureLocalCredentials } from "../content/secrets";
import {
  contentGrpcAddress,
  contentSettings,
  contentUrl,
  type ContentSettings,
} from "../content/settings";
import { StackError } from "../stack/errors";
import { ferretdbUrl } from "../stack/ferretdb";
import { kafkaAddress } from "../stack/kafka";
import {
  portInUse,
  runningPid,
  startDetached,
  stopProcess,
  waitUntilAnswers,
} from "../stack/processes";
import type { StackSettings } from "../stack/settings";
import { startProgress } from "../ui/progress";
import type { Part, PartStatus } from "./parts";

/** Whether the service's /readyz answers 200: connected, and its outbox relay without errors. */
async function contentReady(settings: ContentSettings, timeoutMs = 1_000): Promise<boolean> {
  try {
    const response = await fetch(`http://${settings.host}:${settings.healthPort}/readyz`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.text(); // read to the end, so the connection is released
    return response.status === 200;
  } catch {
    return false;
  }
}

async function checkPorts(settings: ContentSettings): Promise<void> {
  const ports = [
    [settings.httpPort, "HTTP API", "HERALD_CONTENT_HTTP_PORT"],
    [settings.grpcPort, "gRPC", "HERALD_CONTENT_GRPC_PORT"],
    [settings.healthPort, "health endpoint", "HERALD_CONTENT_HEALTH_PORT"],
  ] as const;
  for (const [port, what, variable] of ports) {
    if (await portInUse(settings.host, port)) {
      throw new StackError(
        `port ${port} (content service ${what}) is taken by another program; stop it, or choose another port with ${variable}`,
      );
    }
  }
}

/** What the service process gets: the local stack's addresses, its ports and token file. */
function serviceEnv(
  stack: StackSettings,
  settings: ContentSettings,
  environment: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  return {
    ...environment,
    KAFKA_BROKERS: kafkaAddress(stack),
    MONGO_URL: ferretdbUrl(stack),
    CONTENT_TOKENS_FILE: settings.secrets.serviceTokensFile,
    CONTENT_HTTP_HOST: settings.host,
    CONTENT_HTTP_PORT: String(settings.httpPort),
    CONTENT_GRPC_HOST: settings.host,
    CONTENT_GRPC_PORT: String(settings.grpcPort),
    HEALTH_HOST: settings.host,
    HEALTH_PORT: String(settings.healthPort),
  };
}

/**
 * The content service as a part of `herald up`: a detached process from the
 * sources (like the stack's servers, with a pid file and a log), started once the
 * local credentials exist, ready when its /readyz answers 200.
 */
export function contentPart(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): Part {
  const settings = contentSettings(stack, environment);
  const url = contentUrl(settings);
  return {
    name: "content",
    async start() {
      const running = runningPid(settings.pidFile) !== undefined;
      if (running && (await contentReady(settings))) return "running";
      if (!running) {
        await checkPorts(settings);
        await ensureLocalCredentials(settings);
        mkdirSync(settings.dir, { recursive: true });
      }
      const progress = startProgress("content");
      if (!running) {
        progress.update("starting");
        try {
          startDetached({
            command: process.execPath,
            args: ["--import", "tsx", "--conditions=herald-source", settings.main],
            cwd: stack.root,
            env: serviceEnv(stack, settings, environment),
            logFile: settings.logFile,
            pidFile: settings.pidFile,
            marker: settings.main,
          });
        } catch (error) {
          progress.fail("could not start");
          throw error;
        }
      }
      await waitUntilAnswers({
        name: "The content service",
        address: url,
        pidFile: settings.pidFile,
        logFile: settings.logFile,
        timeoutMs: 90_000,
        answers: () => contentReady(settings),
        progress,
      });
      return "started";
    },
    stop: async () => void (await stopProcess(settings.pidFile)),
    async status(): Promise<PartStatus> {
      const running = runningPid(settings.pidFile) !== undefined;
      const ready = running && (await contentReady(settings));
      return {
        state: ready ? "ready" : running ? "starting" : "stopped",
        address: `${url}, gRPC ${contentGrpcAddress(settings)}`,
        version: null,
      };
    },
    details: () => [
      `content HTTP API  ${url}/api`,
      `content gRPC      ${contentGrpcAddress(settings)}`,
      `tokens            ${settings.secrets.tokensFile}`,
      `content log       ${settings.logFile}`,
    ],
  };
}
