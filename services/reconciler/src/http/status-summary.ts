import type { DeliveryState, ItemStatus } from "../model";

/** One channel's line of `herald status`: its state and the version that state is about. */
export interface ChannelSummaryLine {
  readonly state: DeliveryState;
  readonly version: number;
  /** Present (true) while the channel's outlet is unreachable: the state could not be checked. */
  readonly unreachable?: true;
}

/**
 * The exact shape the CLI prints for an item (and GET /api/v1/items/:id/summary
 * returns). WARNING: scripts parse this; add fields, never rename or remove one.
 */
export interface StatusSummary {
  readonly id: string;
  readonly version: number;
  readonly channels: Readonly<Record<string, ChannelSummaryLine>>;
}

/**
 * An item's status reduced to what an operator reads at a glance. Each
 * channel's `version` is the version it holds when it holds one, else the
 * version it should hold: "stale v2" then says what is there, "missing v3"
 * what is owed, and "removed v4" the takedown the channel carried out.
 */
export function statusSummary(status: ItemStatus): StatusSummary {
  return {
    id: status.itemId,
    version: status.version,
    // fromEntries defines own properties, so even a channel named "__proto__" keeps its entry.
    channels: Object.fromEntries(
      status.channels.map((c) => [
        c.channel,
        {
          state: c.state,
          version:
            c.heldVersion > 0
              ? c.heldVersion
              : c.state === "removed"
                ? status.version
                : c.expectedVersion,
          ...(c.unreachable ? { unreachable: true as const } : {}),
        },
      ]),
    ),
  };
}
