import { Audience, ItemKind, ItemStatus, TakedownKind, type ItemState } from "@herald/contracts";
import type { FreshnessRule } from "./freshness";

/**
 * What a channel takes and how it shows a taken-down item. Declarative on
 * purpose: the channel runtime and the reconciler evaluate the same policy with
 * the same function, so what a channel is expected to hold never drifts from
 * what it does.
 */
export interface ChannelPolicy {
  /** The channel's name: its consumer group, its DLQ and its receipts carry it. */
  readonly name: string;
  /** Kinds the channel takes; absent means every kind. */
  readonly kinds?: readonly ItemKind[];
  /** Audiences the channel serves; absent means the public only. */
  readonly audiences?: readonly Audience[];
  /** Whether a withdrawn item stays on the channel as a notice with its public explanation. */
  readonly keepsWithdrawn?: boolean;
  /** Whether an expired item stays on the channel, marked as no longer in force. */
  readonly keepsExpired?: boolean;
  /**
   * For one outlet of a channel with several (newmedia: `wechat:<account>`): the
   * outlet. Targeting may then name the channel, the outlet or the outlet's
   * platform (`wechat`).
   */
  readonly outletId?: string;
  /** Categories (the portal's columns) the channel takes; absent means every category. */
  readonly categories?: readonly string[];
  /**
   * An account that must be updated regularly: a warning from `warningDays` with
   * no post, a finding from `findingDays`, judged by `judgeFreshness`.
   */
  readonly freshness?: FreshnessRule;
  /**
   * The first publication date the channel takes: an item published before it is
   * declined (`published-before`), so an account added today is not owed years of
   * history. Judged on the item's own `dates.publishedAt`, which the content
   * service keeps at the first publication on every later version; an item that
   * states no published date is taken, since nothing else both the channel and the
   * reconciler read says when it was first published. Absent means no limit.
   */
  readonly publishedFrom?: Date;
}

/** Why a channel does not take an item: a stable code and a sentence for operators. */
export interface Decline {
  readonly code: "targeting.channel" | "audience" | "kind" | "category" | "published-before";
  readonly reason: string;
}

/** The fields of an item state a policy decides on. */
export interface PresenceInput {
  readonly kind: ItemState["kind"];
  readonly status: ItemState["status"];
  readonly category?: string;
  readonly targeting?:
    { readonly channels: readonly string[]; readonly audience: Audience } | undefined;
  readonly takedown?: { readonly kind: TakedownKind } | undefined;
  /** The item's dates; only `publishedAt` is read, against the policy's `publishedFrom`. */
  readonly dates?: { readonly publishedAt?: Date | undefined } | undefined;
}

/** What a channel should do with one item state. */
export type Presence =
  | { readonly kind: "hold" }
  | { readonly kind: "remove"; readonly why: "retracted" | "expired" }
  | { readonly kind: "decline"; readonly decline: Decline };

const KIND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ItemKind)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [
      v,
      k
        .replace(/^ITEM_KIND_/, "")
        .toLowerCase()
        .replace(/_/g, "-"),
    ]),
);

/** The kebab-case name of a kind, as the APIs spell it ("policy-document"). */
export function kindName(kind: ItemKind): string {
  return KIND_NAMES[kind] ?? `kind-${kind}`;
}

/**
 * Whether `policy`'s channel should hold `state`, remove it, or decline it.
 * Targeting comes first: an item aimed at other channels is declined whatever
 * its status, so a channel never shows what was not meant for it.
 */
export function expectedPresence(policy: ChannelPolicy, state: PresenceInput): Presence {
  const decline = declineOf(policy, state);
  if (decline) return { kind: "decline", decline };
  if (state.status === ItemStatus.ITEM_STATUS_EXPIRED) {
    return policy.keepsExpired ? { kind: "hold" } : { kind: "remove", why: "expired" };
  }
  if (state.status === ItemStatus.ITEM_STATUS_RETRACTED) {
    const withdrawn = state.takedown?.kind === TakedownKind.TAKEDOWN_KIND_WITHDRAWN;
    return withdrawn && policy.keepsWithdrawn
      ? { kind: "hold" }
      : { kind: "remove", why: "retracted" };
  }
  return { kind: "hold" };
}

function declineOf(policy: ChannelPolicy, state: PresenceInput): Decline | undefined {
  const channels = state.targeting?.channels ?? [];
  const names = targetNames(policy);
  if (channels.length > 0 && !channels.some((name) => names.includes(name))) {
    return {
      code: "targeting.channel",
      reason: `the item targets ${channels.join(", ")}, not ${names.join(" or ")}`,
    };
  }
  const audience = state.targeting?.audience ?? Audience.AUDIENCE_UNSPECIFIED;
  const audiences = policy.audiences ?? [Audience.AUDIENCE_PUBLIC];
  const effective =
    audience === Audience.AUDIENCE_UNSPECIFIED ? Audience.AUDIENCE_PUBLIC : audience;
  if (!audiences.includes(effective)) {
    return {
      code: "audience",
      reason: `${policy.name} does not serve the ${Audience[effective].replace("AUDIENCE_", "").toLowerCase()} audience`,
    };
  }
  if (policy.kinds && !policy.kinds.includes(state.kind)) {
    return { code: "kind", reason: `${names.at(-1)} does not take ${kindName(state.kind)} items` };
  }
  if (policy.categories && !policy.categories.includes(state.category ?? "")) {
    return {
      code: "category",
      reason: `${names.at(-1)} does not take the category ${JSON.stringify(state.category ?? "")}`,
    };
  }
  const publishedAt = state.dates?.publishedAt;
  if (policy.publishedFrom && publishedAt && publishedAt < policy.publishedFrom) {
    return {
      code: "published-before",
      reason: `发布于 ${beijingIso(publishedAt)}，早于 ${names.at(-1)} 的起始时间 ${beijingIso(policy.publishedFrom)}，不补发（published-before：publishedFrom）`,
    };
  }
  return undefined;
}

/** The names targeting may give this channel: the channel, and for an outlet its platform and itself. */
function targetNames(policy: ChannelPolicy): string[] {
  if (!policy.outletId) return [policy.name];
  const platform = policy.outletId.split(":")[0]!;
  return [...new Set([policy.name, platform, policy.outletId])];
}

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** An instant as operators read it: ISO 8601 in Beijing time ("2026-12-01T00:00:00+08:00"). */
function beijingIso(at: Date): string {
  return `${new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}
