import type { StackSettings } from "../stack/settings";
import { stackServers } from "../stack/stack";
import type { StackServer } from "../stack/types";
import { contentPart } from "./content-part";
import { newmediaPart } from "./newmedia-part";
import { outletGatewayPart } from "./outlet-gateway-part";
import { platformsPart } from "./platforms-part";
import { portalPart } from "./portal-part";
import { reconcilerPart } from "./reconciler-part";

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
  /** Lines `herald up` prints once everything is ready (where to reach it, its files). */
  details?(): string[];
}

function stateOf(s: { running: boolean; ready: boolean }): PartState {
  if (s.ready) return "ready";
  return s.running ? "starting" : "stopped";
}

function serverPart(server: StackServer): Part {
  return {
    name: server.name,
    start: () => server.start(),
    stop: async () => void (await server.stop()),
    status: async () => {
      const s = await server.status();
      return { state: stateOf(s), address: s.address, version: s.version };
    },
  };
}

/**
 * Everything `herald up` runs, in start order: the stack, the content service, the
 * portal (which reads from both), the outlet gateway (which announces its outlets),
 * the WeChat and Weibo emulator, the newmedia channel (which publishes to it and
 * announces its accounts), then the reconciler (which audits the portal, the
 * outlets and the accounts).
 * `herald down` stops them in reverse order.
 */
export function heraldParts(settings: StackSettings): Part[] {
  return [
    ...stackServers(settings).map(serverPart),
    contentPart(settings),
    portalPart(settings),
    outletGatewayPart(settings),
    platformsPart(settings),
    newmediaPart(settings),
    reconcilerPart(settings),
  ];
}
