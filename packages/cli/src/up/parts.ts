import { ferretdbFiles, ferretdbStatus, startFerretdb } from "../stack/ferretdb";
import { kafkaFiles, kafkaStatus, startKafka } from "../stack/kafka";
import { stopProcess } from "../stack/processes";
import type { StackSettings } from "../stack/settings";

export type PartState = "ready" | "starting" | "stopped";

export interface PartStatus {
  state: PartState;
  address: string;
  version: string | null;
}

/**
 * One thing `herald up` runs: a server of the stack or, as Herald grows, one of its
 * services. Parts start in order and stop in reverse order.
 */
export interface Part {
  name: string;
  /** Starts it unless it runs already, and waits until it is ready. */
  start(): Promise<"started" | "running">;
  stop(): Promise<void>;
  status(): Promise<PartStatus>;
}

function stateOf(s: { running: boolean; ready: boolean }): PartState {
  if (s.ready) return "ready";
  return s.running ? "starting" : "stopped";
}

/** Everything `herald up` runs, in start order. */
export function heraldParts(settings: StackSettings): Part[] {
  return [
    {
      name: "ferretdb",
      start: () => startFerretdb(settings),
      stop: async () => void (await stopProcess(ferretdbFiles(settings).pidFile)),
      status: async () => {
        const s = await ferretdbStatus(settings);
        return { state: stateOf(s), address: s.address, version: s.version };
      },
    },
    {
      name: "kafka",
      start: () => startKafka(settings),
      stop: async () => void (await stopProcess(kafkaFiles(settings).pidFile)),
      status: async () => {
        const s = await kafkaStatus(settings);
        return { state: stateOf(s), address: s.address, version: s.version };
      },
    },
  ];
}
