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
  /**
   * The outlet behind the inventory address, for a channel the outlet gateway
   * announced: sent as `outlet_id` in its audits and redelivery requests. Today
   * one channel is one outlet (`outlet-<name>`); a channel with several outlets
   * would keep a set of them here, each audited apart (ADR 007).
   */
  outletId: string | undefined;
  /**
   * Set while the last audit of an outlet found it unreachable (the gateway
   * answered UNAVAILABLE): since when, and what the gateway said. Absences the
   * audit cannot check are then pending, never missing.
   */
  unreachable: { readonly since: number; readonly error: string } | undefined;
  /** When the channel was retired (its announcement tombstoned): it is owed nothing since. */
  retiredAt: number | undefined;
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
      outletId: undefined,
      unreachable: undefined,
      retiredAt: undefined,
      joinedAt: at,
      cells: new ChannelCells(),
      audit: { seq: 0, startedAt: 0 },
      lastRun: undefined,
    };
    this.entries.set(name, entry);
    return entry;
  }

  /**
   * Takes an announcement; returns the entry when it is new, its policy changed
   * or it comes back after a retirement.
   */
  announce(announcement: ChannelAnnouncement): ChannelEntry | undefined {
    if (!isValidChannelName(announcement.name)) return undefined;
    const policy = policyFromAnnouncement(announcement);
    const existing = this.entries.get(announcement.name);
    if (!existing) {
      const added = this.add(
        announcement.name,
        this.joined.get(announcement.name),
        policy,
        true,
        announcement.inventoryAddress || undefined,
      );
      added.outletId = announcement.outletId || undefined;
      return added;
    }
    const changed =
      !existing.announced ||
      existing.retiredAt !== undefined ||
      JSON.stringify(existing.policy) !== JSON.stringify(policy);
    existing.policy = policy;
    existing.announced = true;
    existing.retiredAt = undefined;
    if (announcement.inventoryAddress) existing.inventoryAddress = announcement.inventoryAddress;
    existing.outletId = announcement.outletId || undefined;
    return changed ? existing : undefined;
  }

  /**
   * Retires a channel whose announcement was tombstoned (a revoked outlet): it
   * leaves the set that is owed items, but its entry stays for the summary.
   * Returns the entry when it was active.
   */
  retire(name: string, at: number): ChannelEntry | undefined {
    const entry = this.entries.get(name);
    if (!entry || entry.retiredAt !== undefined) return undefined;
    entry.retiredAt = at;
    entry.unreachable = undefined;
    return entry;
  }

  /** Channels retired since this process started reading herald.channels.v1. */
  retired(): ChannelEntry[] {
    return [...this.entries.values()]
      .filter((c) => c.retiredAt !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
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

  /** The channels owed items: every one not retired. */
  all(): ChannelEntry[] {
    return [...this.entries.values()]
      .filter((c) => c.retiredAt === undefined)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  names(): string[] {
    return this.all().map((c) => c.name);
  }
}
