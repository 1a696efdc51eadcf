import { join } from "node:path";
import { loadConfig } from "@herald/runtime";
import { type LocalSecrets, localSecrets } from "../content/settings";
import type { StackSettings } from "../stack/settings";
import { fixedPort, serviceFiles } from "../up/service-settings";

const localReconcilerEnv = {
  HERALD_RECONCILER_PORT: fixedPort(4500, "reconciler HTTP API and dashboard port"),
  HERALD_RECONCILER_HEALTH_PORT: fixedPort(4501, "reconciler /livez and /readyz port"),
  HERALD_RECONCILER_GRPC_PORT: fixedPort(50070, "reconciler gRPC port"),
};

/** Where `herald up` runs the reconciler. */
export interface ReconcilerSettings {
  host: string;
  httpPort: number;
  healthPort: number;
  grpcPort: number;
  /** Its pid file and log. */
  dir: string;
  pidFile: string;
  logFile: string;
  /** The service's entry point, run with tsx from the repository root. */
  main: string;
  secrets: LocalSecrets;
}

export function reconcilerSettings(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): ReconcilerSettings {
  const config = loadConfig(localReconcilerEnv, environment);
  return {
    host: stack.host,
    httpPort: config.HERALD_RECONCILER_PORT,
    healthPort: config.HERALD_RECONCILER_HEALTH_PORT,
    grpcPort: config.HERALD_RECONCILER_GRPC_PORT,
    ...serviceFiles(stack, "reconciler"),
    main: join(stack.root, "services", "reconciler", "src", "main.ts"),
    secrets: localSecrets(stack),
  };
}

/** The HTTP API (under /api/v1) and the operators' dashboard (at /). */
export function reconcilerUrl(settings: ReconcilerSettings): string {
  return `http://${settings.host}:${settings.httpPort}`;
}

export function reconcilerGrpcAddress(settings: ReconcilerSettings): string {
  return `${settings.host}:${settings.grpcPort}`;
}
