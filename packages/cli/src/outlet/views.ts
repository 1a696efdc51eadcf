import { formatColumns } from "../ui/table";
import type { OutletCredential, OutletList, OutletView } from "./client";

/** "connected (2 instances)", "not connected" or "revoked". */
export function connectionOf(outlet: OutletView): string {
  if (outlet.revokedAt) return "revoked";
  const n = outlet.connected.length;
  if (n === 0) return "not connected";
  return `connected (${n} instance${n === 1 ? "" : "s"})`;
}

const lagOf = (outlet: OutletView): string =>
  outlet.revokedAt
    ? "-"
    : outlet.lag === undefined || outlet.lag === null
      ? "?"
      : String(outlet.lag);

const kindsOf = (outlet: OutletView): string =>
  outlet.policy.kinds.length === 0 ? "all" : outlet.policy.kinds.join(",");

/** `herald outlet list`: one row an outlet, with what it is doing now. */
export function formatOutletList(list: OutletList): string[] {
  if (list.outlets.length === 0) {
    return ["no outlets yet; `./herald outlet add <name> --kinds …` registers one"];
  }
  const rows = [
    ["outlet", "connection", "in flight", "pending", "backfilling", "lag", "kinds"],
    ...list.outlets.map((o) => [
      o.name,
      connectionOf(o),
      String(o.inFlight),
      String(o.pending),
      o.backfilling ? "yes" : "no",
      lagOf(o),
      kindsOf(o),
    ]),
  ];
  return [
    ...formatColumns(rows),
    "",
    `lag: messages on herald.items.v1 the outlet has yet to settle${list.gateway ? `; outlets connect to ${list.gateway}` : ""}`,
  ];
}

/** The lines `herald status` adds for the outlets: connection state and lag. */
export function formatOutletStatus(list: OutletList): string[] {
  const live = list.outlets.filter((o) => !o.revokedAt);
  if (live.length === 0) return [];
  const rows = [
    ["outlet", "channel", "connection", "lag"],
    ...live.map((o) => [o.name, o.channel, connectionOf(o), lagOf(o)]),
  ];
  return ["", "outlets (from the outlet gateway):", ...formatColumns(rows)];
}

/**
 * What add and rotate print: the credential once, and how an outlet connects
 * with it (the variables the example outlets read).
 */
export function formatCredential(
  result: OutletCredential,
  what: "registered" | "rotated",
  fallbackGateway: string,
): string[] {
  const gateway = result.gateway ?? fallbackGateway;
  const policy = result.policy;
  const head =
    what === "registered"
      ? [
          `outlet ${result.name} registered; the reconciler audits it as channel ${result.channel}`,
          `  kinds            ${kindsOf(result)}`,
          // The gateway stores no audiences for "the public only".
          `  audiences        ${policy.audiences.length > 0 ? policy.audiences.join(",") : "public"}`,
          `  keeps withdrawn  ${policy.keepsWithdrawn ? "yes" : "no"}`,
          `  keeps expired    ${policy.keepsExpired ? "yes" : "no"}`,
        ]
      : [
          `outlet ${result.name} has a new credential; streams on the old one were cut and it is refused from now on`,
        ];
  return [
    ...head,
    "",
    "credential (shown once; the gateway keeps only its hash):",
    `  ${result.credential}`,
    "",
    `connect the outlet named ${result.name} to the gateway with:`,
    `  HERALD_GATEWAY=${gateway}`,
    `  HERALD_OUTLET_TOKEN=${result.credential}`,
  ];
}
