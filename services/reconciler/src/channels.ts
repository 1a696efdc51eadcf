import { type ChannelPolicy, policyFromAnnouncement } from "@herald/channel-kit";
import { type ChannelAnnouncement, isValidChannelName } from "@herald/contracts";
import type { ChannelConsuming } from "./consuming";
import { ChannelCells, type AuditMark } from "./evidence";
import type { LastPost } from "./freshness";
import type { AuditRun } from "./model";

/**
 * What the reconciler holds to account as one channel: a channel, or one outlet
 * of a channel with several (newmedia's `wechat:<account>`), keyed
 * `<channel>/<outlet>`. The outlet gateway names each outlet's channel after it
 * (`outlet-<name>`), so there the outlet adds nothing to the key.
 */
export function channelKey(channel: string, outletId: string | undefined): string {
  return outletId && channel !== `outlet-${outletId}` ? `${channel}/${outletId}` : channel;
}

/** A channel the reconciler holds to account. */
export interface ChannelEntry {
  /** The key: the channel, or `<channel>/<outlet>` (see {@link channelKey}). */
  readonly name: string;
  /** The channel's own name, as its receipts and redelivery requests carry it. */
  readonly channel: string;
  policy: ChannelPolicy;
  /** Whether the channel has announced itself (a configured one may not have yet). */
  announced: boolean;
  inventoryAddress: string | undefined;
  /**
   * The outlet behind the inventory address (an outlet of the gateway, or one of a
   * channel's several outlets): sent as `outlet_id` in its audits and redelivery
   * requests.
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
  /** The newest holding the last completed audit listed: an account's last post. */
  lastPost: LastPost | undefined;
  /**
   * How the channel consumed the item stream, as the last completed audit read it
   * from the inventory; undefined when the channel did not say (`not_consuming`
   * needs a report).
   */
  consuming: ChannelConsuming | undefined;
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
      this.add(c.name, c.name, joined.get(c.name), { name: c.name }, false, c.inventoryAddress);
    }
  }

  private add(
    name: string,
    channel: string,
    joinedAt: number | undefined,
    policy: ChannelPolicy,
    announced: boolean,
    address: string | undefined,
  ): ChannelEntry {
    const at = joinedAt ?? this.now();
    if (joinedAt === undefined) this.onJoin(name, at);
    const entry: ChannelEntry = {
      name,
      channel,
      policy,
      announced,
      inventoryAddress: address,
      outletId: undefined,
      unreachable: undefined,
      retiredAt: undefined,
      lastPost: undefined,
      consuming: undefined,
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
    const key = channelKey(announcement.name, announcement.outletId);
    const existing = this.entries.get(key);
    if (!existing) {
      const added = this.add(
        key,
        announcement.name,
        this.joined.get(key),
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
  /** The entry receipts of `channel` (and `outletId`) count for, made when first seen. */
  ensure(channel: string, outletId = ""): ChannelEntry | undefined {
    if (!isValidChannelName(channel)) return undefined;
    const key = channelKey(channel, outletId);
    const existing = this.entries.get(key);
    if (existing) return existing;
    const added = this.add(
      key,
      channel,
      this.joined.get(key),
      outletId ? { name: channel, outletId } : { name: channel },
      false,
      undefined,
    );
    added.outletId = outletId || undefined;
    return added;
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
