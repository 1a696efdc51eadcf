import { rmSync } from "node:fs";
import { join } from "node:path";
import { ferretdbFiles, ferretdbStatus, startFerretdb } from "./ferretdb";
import { kafkaFiles, kafkaStatus, startKafka } from "./kafka";
import { withLock } from "./lock";
import { stopProcess } from "./processes";
import type { StackSettings } from "./settings";
import type { StackStatus } from "./types";

export interface StackUpResult {
  kafka: "started" | "running";
  ferretdb: "started" | "running";
  status: StackStatus;
}

function lockFile(settings: StackSettings): string {
  return join(settings.home, "stack", ".lock");
}

/** Provisions (once) and starts Kafka and FerretDB, and waits until both answer. A no-op when both run. */
export async function stackUp(settings: StackSettings): Promise<StackUpResult> {
  return withLock(lockFile(settings), async () => {
    // FerretDB first: its first build is the long step, and Kafka's start-up overlaps nothing else.
    const ferretdb = await startFerretdb(settings);
    const kafka = await startKafka(settings);
    return { kafka, ferretdb, status: await stackStatus(settings) };
  });
}

/** Stops the servers Herald started (by their pid files); their data stays. */
export async function stackDown(
  settings: StackSettings,
): Promise<{ kafka: boolean; ferretdb: boolean }> {
  return withLock(lockFile(settings), async () => {
    const kafka = await stopProcess(kafkaFiles(settings).pidFile);
    const ferretdb = await stopProcess(ferretdbFiles(settings).pidFile);
    return { kafka, ferretdb };
  });
}

/** Stops the servers and deletes their data, logs and configuration (downloads stay cached). */
export async function stackReset(settings: StackSettings): Promise<void> {
  await stackDown(settings);
  await withLock(lockFile(settings), () => {
    rmSync(kafkaFiles(settings).dir, { recursive: true, force: true });
    rmSync(ferretdbFiles(settings).dir, { recursive: true, force: true });
    return Promise.resolve();
  });
}

export async function stackStatus(settings: StackSettings): Promise<StackStatus> {
  const [kafka, ferretdb] = await Promise.all([kafkaStatus(settings), ferretdbStatus(settings)]);
  return { kafka, ferretdb };
}
