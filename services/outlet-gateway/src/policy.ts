import { Audience, ItemKind, type OutletPolicy } from "@herald/contracts";
import { type ChannelPolicy, kindName } from "@herald/channel-kit";

/** An outlet's registered policy: empty `kinds` means every kind, empty `audiences` the public only. */
export interface OutletPolicyData {
  readonly kinds: readonly ItemKind[];
  readonly audiences: readonly Audience[];
  readonly keepsWithdrawn: boolean;
  readonly keepsExpired: boolean;
}

/** The channel name an outlet's receipts and announcement carry. */
export function channelOf(outlet: string): string {
  return `outlet-${outlet}`;
}

const KINDS = Object.values(ItemKind).filter(
  (v): v is ItemKind => typeof v === "number" && v !== ItemKind.ITEM_KIND_UNSPECIFIED,
);
const AUDIENCES = [Audience.AUDIENCE_PUBLIC, Audience.AUDIENCE_INTERNAL];

/** "news" → ITEM_KIND_NEWS, as the admin API and the CLI spell kinds. */
export function kindFromName(name: string): ItemKind | undefined {
  return KINDS.find((k) => kindName(k) === name);
}

export function audienceFromName(name: string): Audience | undefined {
  return AUDIENCES.find((a) => Audience[a].replace("AUDIENCE_", "").toLowerCase() === name);
}

export const KIND_NAMES = KINDS.map(kindName);
export const AUDIENCE_NAMES = AUDIENCES.map((a) =>
  Audience[a].replace("AUDIENCE_", "").toLowerCase(),
);

export class PolicyError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export function checkPolicy(policy: OutletPolicyData): void {
  for (const kind of policy.kinds) {
    if (!KINDS.includes(kind)) throw new PolicyError("policy.kinds", `unknown kind ${kind}`);
  }
  for (const audience of policy.audiences) {
    if (!AUDIENCES.includes(audience)) {
      throw new PolicyError("policy.audiences", `unknown audience ${audience}`);
    }
  }
}

/** The registered policy as channel-kit's {@link ChannelPolicy}, evaluated with `expectedPresence`. */
export function channelPolicyOf(outlet: string, policy: OutletPolicyData): ChannelPolicy {
  return {
    name: channelOf(outlet),
    ...(policy.kinds.length > 0 ? { kinds: [...policy.kinds] } : {}),
    ...(policy.audiences.length > 0 ? { audiences: [...policy.audiences] } : {}),
    keepsWithdrawn: policy.keepsWithdrawn,
    keepsExpired: policy.keepsExpired,
  };
}

export function toWirePolicy(policy: OutletPolicyData): OutletPolicy {
  return {
    kinds: [...policy.kinds],
    audiences: [...policy.audiences],
    keepsWithdrawn: policy.keepsWithdrawn,
    keepsExpired: policy.keepsExpired,
  };
}

/**
 * Refuses a Hello whose policy asks for more than the registration. The policy in force is always the registered one: it is what the
 * gateway announces and what the reconciler audits, and all instances of an
 * outlet share one feed. A request within it (fewer kinds) is accepted, and the
 * Welcome states the registered policy so the outlet knows what it will receive.
 */
export function checkRequestedPolicy(requested: OutletPolicy, registered: OutletPolicyData): void {
  const registeredKinds = registered.kinds.length > 0 ? registered.kinds : KINDS;
  const outsideKinds = requested.kinds.filter((k) => !registeredKinds.includes(k));
  if (outsideKinds.length > 0) {
    throw new PolicyError(
      "hello.policy.kinds",
      `${outsideKinds.map((k) => kindName(k)).join(", ")} not among the kinds the outlet is registered for (${registeredKinds.map((k) => kindName(k)).join(", ")})`,
    );
  }
  const registeredAudiences =
    registered.audiences.length > 0 ? registered.audiences : [Audience.AUDIENCE_PUBLIC];
  const outsideAudiences = requested.audiences.filter((a) => !registeredAudiences.includes(a));
  if (outsideAudiences.length > 0) {
    throw new PolicyError(
      "hello.policy.audiences",
      `${outsideAudiences.map((a) => Audience[a] ?? String(a)).join(", ")} not among the audiences the outlet is registered for`,
    );
  }
  for (const [field, wire, stored] of [
    ["keeps_withdrawn", requested.keepsWithdrawn, registered.keepsWithdrawn],
    ["keeps_expired", requested.keepsExpired, registered.keepsExpired],
  ] as const) {
    // false is what an outlet that says nothing sends (proto3 has no absent bool): not a conflict.
    if (wire && !stored) {
      throw new PolicyError(
        `hello.policy.${field}`,
        `is true but the outlet is registered with false; an operator changes it by registering the outlet anew`,
      );
    }
  }
}
