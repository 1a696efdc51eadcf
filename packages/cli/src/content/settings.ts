import { join } from "node:path";
import { loadConfig } from "@herald/runtime";
import type { StackSettings } from "../stack/settings";
import { fixedPort, serviceFiles } from "../up/service-settings";

const localContentEnv = {
  HERALD_CONTENT_HTTP_PORT: fixedPort(4000, "content service HTTP API port"),
  HERALD_CONTENT_GRPC_PORT: fixedPort(50051, "content service gRPC port"),
  HERALD_CONTENT_HEALTH_PORT: fixedPort(4001, "content service /livez and /readyz port"),
};

/** The local credentials `herald up` makes, all in `.herald/secrets/` (0700, files 0600). */
export interface LocalSecrets {
  dir: string;
  /** Plaintext tokens for the CLI and tests, with the content service's URL. */
  tokensFile: string;
  /** The content service's token file: hashes and roles only. */
  serviceTokensFile: string;
  /** The channels' inventory token file: the hash of the operators' inventory token. */
  inventoryTokensFile: string;
  /** The portal's content token (role `channel`), alone, for the portal process. */
  portalContentTokenFile: string;
  /** The reconciler's content token (role `channel`), alone: it asks which versions are announced. */
  reconcilerContentTokenFile: string;
  /** The outlet gateway's content token (role `channel`), alone: it reads what it redelivers. */
  outletGatewayContentTokenFile: string;
  /** The newmedia channel's content token (role `channel`), alone: it reads what it redelivers. */
  newmediaContentTokenFile: string;
  /** The reconciler's operator token file: the hash of the operators' token. */
  reconcilerTokensFile: string;
  /** The inventory token, alone, for the reconciler's audits of every channel. */
  reconcilerInventoryTokenFile: string;
  /** The key that signs the reconciler's dashboard sessions (random, made once). */
  reconcilerSessionSecretFile: string;
  /** The outlet gateway's admin token file: the hash of the operators' outlet admin token. */
  outletAdminTokensFile: string;
}

export function localSecrets(stack: StackSettings): LocalSecrets {
  const dir = join(stack.home, "secrets");
  return {
    dir,
    tokensFile: join(dir, "tokens.json"),
    serviceTokensFile: join(dir, "content-tokens.json"),
    inventoryTokensFile: join(dir, "inventory-tokens.json"),
    portalContentTokenFile: join(dir, "portal-content-token"),
    reconcilerContentTokenFile: join(dir, "reconciler-content-token"),
    outletGatewayContentTokenFile: join(dir, "outlet-gateway-content-token"),
    newmediaContentTokenFile: join(dir, "newmedia-content-token"),
    reconcilerTokensFile: join(dir, "reconciler-tokens.json"),
    reconcilerInventoryTokenFile: join(dir, "reconciler-inventory-token"),
    reconcilerSessionSecretFile: join(dir, "reconciler-session-secret"),
    outletAdminTokensFile: join(dir, "outlet-admin-tokens.json"),
  };
}

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
  secrets: LocalSecrets;
}

export function contentSettings(
  stack: StackSettings,
  environment: NodeJS.ProcessEnv = process.env,
): ContentSettings {
  const config = loadConfig(localContentEnv, environment);
  return {
    host: stack.host,
    httpPort: config.HERALD_CONTENT_HTTP_PORT,
    grpcPort: config.HERALD_CONTENT_GRPC_PORT,
    healthPort: config.HERALD_CONTENT_HEALTH_PORT,
    ...serviceFiles(stack, "content"),
    main: join(stack.root, "services", "content", "src", "main.ts"),
    secrets: localSecrets(stack),
  };
}

export function contentUrl(settings: ContentSettings): string {
  return `http://${settings.host}:${settings.httpPort}`;
}

export function contentGrpcAddress(settings: ContentSettings): string {
  return `${settings.host}:${settings.grpcPort}`;
}
