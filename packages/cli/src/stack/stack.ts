import { rmSync } from "node:fs";
import { join } from "node:path";
import { ferretdbServer } from "./ferretdb";
import { kafkaServer } from "./kafka";
import { withLock } from "./lock";
import type { StackSettings } from "./settings";
import type { ServerStatus, StackServer, StackStatus } from "./types";

export interface StackUpResult {
  kafka: "started" | "running";
  ferretdb: "started" | "running";
  /** Servers that were running already, but not as a start now would run them, and why. */
  outdated: Array<{ name: StackServer["name"]; reason: string }>;
  status: StackStatus;
}

/**
 * The servers of the local stack in start order. FerretDB comes first: its first
 * build is the long step, and Kafka's start-up overlaps nothing else.
 */
export function stackServers(settings: StackSettings): StackServer[] {
  return [ferretdbServer(settings), kafkaServer(settings)];
}

/** The lock every command that starts or stops the stack holds. */
export function stackLockFile(settings: StackSettings): string {
  return join(settings.home, "stack", ".lock");
}

/** Provisions (once) and starts Kafka and FerretDB, and waits until both answer. A no-op when both run. */
export async function stackUp(settings: StackSettings): Promise<StackUpResult> {
  return withLock(stackLockFile(settings), async () => {
    const outcomes: Partial<Record<StackServer["name"], "started" | "running">> = {};
    const outdated: StackUpResult["outdated"] = [];
    for (const server of stackServers(settings)) {
      outcomes[server.name] = await server.start();
      const reason = outcomes[server.name] === "running" ? server.outdated() : undefined;
      if (reason !== undefined) outdated.push({ name: server.name, reason });
    }
    return {
      kafka: outcomes.kafka ?? "running",
      ferretdb: outcomes.ferretdb ?? "running",
      outdated,
      status: await stackStatus(settings),
    };
  });
}

/** Stops the servers Herald started (by their pid files), in reverse start order; their data stays. */
export async function stackDown(
  settings: StackSettings,
): Promise<Record<StackServer["name"], boolean>> {
  return withLock(stackLockFile(settings), async () => {
    const stopped = { kafka: false, ferretdb: false };
    for (const server of stackServers(settings).reverse())
      stopped[server.name] = await server.stop();
    return stopped;
  });
}

/** Stops the servers and deletes their data, logs and configuration (downloads stay cached). */
export async function stackReset(settings: StackSettings): Promise<void> {
  await stackDown(settings);
  await withLock(stackLockFile(settings), () => {
    for (const server of stackServers(settings))
      rmSync(server.stateDir, { recursive: true, force: true });
    return Promise.resolve();
  });
}

export async function stackStatus(settings: StackSettings): Promise<StackStatus> {
  const entries = await Promise.all(
    stackServers(settings).map(async (server) => [server.name, await server.status()] as const),
  );
  const status = Object.fromEntries(entries) as Record<StackServer["name"], ServerStatus>;
  return { kafka: status.kafka, ferretdb: status.ferretdb };
}
