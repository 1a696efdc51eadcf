import { type ChannelAnnouncement, Topics } from "@herald/contracts";
import type { HeraldProducer } from "@herald/runtime";
import type { ChannelPolicy } from "./policy";

/**
 * Refuses a policy the announcement cannot carry. On the wire an empty `kinds`
 * means every kind and an empty `audiences` the public only, as an absent list
 * does in a {@link ChannelPolicy}; a present but empty list (a channel that takes
 * nothing) would come back to the reconciler as its opposite.
 */
export function checkAnnounceable(policy: ChannelPolicy): void {
  for (const field of ["kinds", "audiences"] as const) {
    if (policy[field]?.length === 0) {
      throw new RangeError(
        `channel ${policy.name}: policy.${field} is empty, so the channel would take nothing; leave it out to mean ${field === "kinds" ? "every kind" : "the public only"}`,
      );
    }
  }
}

/**
 * The announcement a channel instance sends on `herald.channels.v1`: its policy
 * as data, where its ChannelInventory answers, and which instance spoke.
 */
export function announcementOf(
  policy: ChannelPolicy,
  inventoryAddress: string,
  instance: string,
  at: Date,
): ChannelAnnouncement {
  checkAnnounceable(policy);
  return {
    name: policy.name,
    kinds: [...(policy.kinds ?? [])],
    audiences: [...(policy.audiences ?? [])],
    keepsWithdrawn: policy.keepsWithdrawn ?? false,
    keepsExpired: policy.keepsExpired ?? false,
    inventoryAddress,
    instance,
    announcedAt: at,
    outletId: policy.outletId ?? "",
    categories: [...(policy.categories ?? [])],
    freshnessWarningDays: policy.freshness?.warningDays ?? 0,
    freshnessFindingDays: policy.freshness?.findingDays ?? 0,
    publishedFrom: policy.publishedFrom,
  };
}

/**
 * The policy a channel announced, for evaluating `expectedPresence` exactly as
 * the channel does. Empty lists become absent ones (every kind; the public only).
 */
export function policyFromAnnouncement(announcement: ChannelAnnouncement): ChannelPolicy {
  return {
    name: announcement.name,
    ...(announcement.kinds.length > 0 ? { kinds: [...announcement.kinds] } : {}),
    ...(announcement.audiences.length > 0 ? { audiences: [...announcement.audiences] } : {}),
    keepsWithdrawn: announcement.keepsWithdrawn,
    keepsExpired: announcement.keepsExpired,
    ...(announcement.outletId ? { outletId: announcement.outletId } : {}),
    ...(announcement.categories.length > 0 ? { categories: [...announcement.categories] } : {}),
    ...(announcement.freshnessFindingDays > 0
      ? {
          freshness: {
            warningDays: announcement.freshnessWarningDays,
            findingDays: announcement.freshnessFindingDays,
          },
        }
      : {}),
    ...(announcement.publishedFrom ? { publishedFrom: announcement.publishedFrom } : {}),
  };
}

/**
 * `host:port` for a gRPC client. The advertised host defaults to the bind host,
 * or to 127.0.0.1 when that is a wildcard (which no client can dial); an IPv6
 * literal is bracketed.
 */
export function inventoryAddress(
  bindHost: string,
  advertisedHost: string | undefined,
  port: number,
) {
  const wildcard = ["0.0.0.0", "::", "[::]"].includes(bindHost);
  const host = advertisedHost ?? (wildcard ? "127.0.0.1" : bindHost);
  return `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

/**
 * Sends an announcement keyed by the channel name (`<channel>/<outlet>` for one of
 * several outlets), so compaction keeps each one's latest.
 */
export async function sendAnnouncement(
  producer: HeraldProducer,
  announcement: ChannelAnnouncement,
): Promise<void> {
  const key = announcement.outletId
    ? `${announcement.name}/${announcement.outletId}`
    : announcement.name;
  await producer.send(Topics.channels, [{ key, value: announcement }]);
}
