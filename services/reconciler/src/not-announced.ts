import type { Verdict } from "./evaluate";
import type { ExpectedItem } from "./expected";

/**
 * A version the content service accepted that is not on herald.items.v1 past the
 * announce grace period, as its ListAnnouncements says.
 */
export interface PendingAnnouncement {
  readonly itemId: string;
  readonly version: number;
  readonly acceptedAt: number;
  readonly state: "queued" | "set-aside";
  /** The relay's error for a set-aside item. */
  readonly reason: string;
}

/**
 * The verdict of a pair whose item has a version the content service accepted
 * and did not announce in time, newer than the stream carries: no channel can
 * hold it, whatever the evidence says, so it is not announced, with the content
 * service's reason. Otherwise `verdict` stands.
 */
export function notAnnouncedVerdict(
  pending: PendingAnnouncement,
  item: ExpectedItem | undefined,
  verdict: Verdict | undefined,
): Verdict | undefined {
  if (item && item.version >= pending.version) return verdict;
  const why =
    pending.state === "set-aside"
      ? `the content service set it aside: ${pending.reason || "no reason given"}`
      : "it is still queued for the content service's relay";
  return {
    state: "not_announced",
    expectedVersion: pending.version,
    heldVersion: verdict?.heldVersion ?? 0,
    issue: {
      kind: "not_announced",
      reason: `v${pending.version}, accepted ${new Date(pending.acceptedAt).toISOString()}, is not on herald.items.v1: ${why}`,
      // Redelivery sends what the stream carries; only the content service can announce it.
      repairable: false,
    },
  };
}
