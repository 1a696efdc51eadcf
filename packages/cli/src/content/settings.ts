import { join } from "node:path";
import { env, loadConfig } from "@herald/runtime";
import type { StackSettings } from "../stack/settings";

/** A fixed port: `herald up` and the commands must know where the service listens. */
const fixedPort = (fallback: number, what: string) =>
  env
    .port()
    .refine((port) => port > 0, "expected a fixed port 1-65535; herald up cannot use 0 here")
    .default(fallback)
    .describe(what);

const localContentEnv = {
  HERALD_CONTENT_HTTP_PORT: fixedPort(4000, "content service HTTP API port"),
  HERALD_CONTENT_GRPC_PORT: fixedPort(50051, "content service gRPC port"),
  HERALD_CONTENT_HEALTH_PORT: fixedPort(4001, "content service /livez and /readyz port"),
};

/** Where `herald up` runs the content service, and where its local credentials live. */
export interface ContentSettings {
  host: string;
  httpPort: number;
  grpcPort: number;
  healthPort: number;
  /** Its pid file and log. */
  dir: string;
  pidFile: string;
  logFile: string;
  /** The service's entry point, run with tsx from the repository root. */
  main: string;
  secrets: {
    dir: string;
    /** Plaintext tokens for the CLI and tests, with the service's URL. */
    tokensFile: string;
    /** The service's token file: hashes and roles only. */
    serviceTokensFile: string;
  };
}

export function contentSettings(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): ContentSettings {
  const config = loadConfig(localContentEnv, environment);
  const dir = join(stack.home, "services", "content");
  const secrets = join(stack.home, "secrets");
  return {
    host: stack.host,
    httpPort: config.HERALD_CONTENT_HTTP_PORT,
    grpcPort: config.HERALD_CONTENT_GRPC_PORT,
    healthPort: config.HERALD_CONTENT_HEALTH_PORT,
    dir,
    pidFile: join(dir, "content.pid"),
    logFile: join(dir, "content.log"),
    main: join(stack.root, "services", "content", "src", "main.ts"),
    secrets: {
      dir: secrets,
      tokensFile: join(secrets, "tokens.json"),
      serviceTokensFile: join(secrets, "content-tokens.json"),
    },
  };
}

export function contentUrl(settings: ContentSettings): string {
  return `http://${settings.host}:${settings.httpPort}`;
}

export function contentGrpcAddress(settings: ContentSettings): string {
  return `${settings.host}:${settings.grpcPort}`;
}
