import { type ChannelPolicy, policyFromAnnouncement } from "@herald/channel-kit";
import { type ChannelAnnouncement, isValidChannelName } from "@herald/contracts";
import { ChannelCells, type AuditMark } from "./evidence";
import type { AuditRun } from "./model";

/** A channel the reconciler holds to account. */
export interface ChannelEntry {
  readonly name: string;
  policy: ChannelPolicy;
  /** Whether the channel has announced itself (a configured one may not have yet). */
  announced: boolean;
  inventoryAddress: string | undefined;
  /** From when the channel owes items: its first announcement, or when it was configured. */
  joinedAt: number;
  readonly cells: ChannelCells;
  audit: AuditMark;
  lastRun: AuditRun | undefined;
}

/** One configured channel: `name` or `name=host:port`. */
export interface ConfiguredChannel {
  readonly name: string;
  readonly inventoryAddress?: string;
}

/** Parses RECONCILER_CHANNELS, naming the entry that is wrong. */
export function parseChannelList(value: string): ConfiguredChannel[] {
  return value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name = "", address] = part.split("=", 2).map((s) => s.trim());
      if (!isValidChannelName(name)) {
        throw new Error(
          `RECONCILER_CHANNELS: ${JSON.stringify(name)} is not a channel name (lower-case letters, digits and dashes)`,
        );
      }
      if (address !== undefined && !/^[^\s:]+:\d{1,5}$/.test(address)) {
        throw new Error(
          `RECONCILER_CHANNELS: the inventory address of ${name} must be host:port, got ${JSON.stringify(address)}`,
        );
      }
      return { name, ...(address ? { inventoryAddress: address } : {}) };
    });
}

/**
 * The channel set: configuration plus every channel that announced itself on
 * herald.channels.v1. A channel's policy is the one it announced, so expected
 * presence is evaluated with exactly the rules the channel applies.
 */
export class ChannelRegistry {
  private readonly entries = new Map<string, ChannelEntry>();

  constructor(
    configured: readonly ConfiguredChannel[],
    private readonly joined: ReadonlyMap<string, number>,
    private readonly now: () => number,
    private readonly onJoin: (name: string, joinedAt: number) => void,
  ) {
    for (const c of configured) {
      this.add(c.name, joined.get(c.name), { name: c.name }, false, c.inventoryAddress);
    }
  }

  private add(
    name: string,
    joinedAt: number | undefined,
    policy: ChannelPolicy,
    announced: boolean,
    address: string | undefined,
  ): ChannelEntry {
    const at = joinedAt ?? this.now();
    if (joinedAt === undefined) this.onJoin(name, at);
    const entry: ChannelEntry = {
      name,
      policy,
      announced,
      inventoryAddress: address,
      joinedAt: at,
      cells: new ChannelCells(),
      audit: { seq: 0, startedAt: 0 },
      lastRun: undefined,
    };
    this.entries.set(name, entry);
    return entry;
  }

  /** Takes an announcement; returns the entry when it is new or its policy changed. */
  announce(announcement: ChannelAnnouncement): ChannelEntry | undefined {
    if (!isValidChannelName(announcement.name)) return undefined;
    const policy = policyFromAnnouncement(announcement);
    const existing = this.entries.get(announcement.name);
    if (!existing) {
      return this.add(
        announcement.name,
        this.joined.get(announcement.name),
        policy,
        true,
        announcement.inventoryAddress || undefined,
      );
    }
    const changed =
      !existing.announced || JSON.stringify(existing.policy) !== JSON.stringify(policy);
    existing.policy = policy;
    existing.announced = true;
    if (announcement.inventoryAddress) existing.inventoryAddress = announcement.inventoryAddress;
    return changed ? existing : undefined;
  }

  /** A channel that sent a receipt before any announcement was read still counts. */
  ensure(name: string): ChannelEntry | undefined {
    if (!isValidChannelName(name)) return undefined;
    return (
      this.entries.get(name) ?? this.add(name, this.joined.get(name), { name }, false, undefined)
    );
  }

  get(name: string): ChannelEntry | undefined {
    return this.entries.get(name);
  }

  all(): ChannelEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  names(): string[] {
    return this.all().map((c) => c.name);
  }
}
