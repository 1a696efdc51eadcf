import type { ItemState } from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import { type ChannelAdapter, errorMessage } from "./adapter";
import type { ApplyOutcome } from "./applier";
import type { Holding } from "./holdings";
import type { ChannelMetrics } from "./metrics";
import { failureReceipt, holdingReceipt } from "./receipts";

/** Whether `held` is exactly `state`: the same version with the same checksum, on the channel. */
export function holdsExactly(held: Holding, state: ItemState): boolean {
  return (
    held.status === "held" && held.version === state.version && held.checksum === state.checksum
  );
}

/**
 * For a redelivered version the database says the channel holds: the receipt again
 * when the channel (its adapter's `verify`, if it has one) still has it; undefined
 * when it lost it and must apply it again. Applying twice would publish twice on a
 * platform (a second WeChat article), so a check that fails applies nothing.
 */
export async function confirmStillHeld(
  options: { channel: string; adapter: ChannelAdapter; metrics: ChannelMetrics; logger: Logger },
  held: Holding,
  state: ItemState,
): Promise<ApplyOutcome | undefined> {
  const { adapter, channel, metrics, logger } = options;
  let presence: "present" | "absent" = "present";
  if (adapter.verify) {
    try {
      presence = await adapter.verify(held);
    } catch (error) {
      metrics.count("failed");
      logger.warn(
        { err: error, itemId: state.id, version: state.version },
        "redelivery: cannot check whether the channel still has the item; nothing applied",
      );
      const cause = Object.assign(
        new Error(`cannot check whether the channel still has it: ${errorMessage(error)}`),
        { code: "channel.verify_failed" },
      );
      return { kind: "unverified", receipt: failureReceipt(channel, state, cause, 1, false) };
    }
  }
  if (presence === "absent") return undefined;
  metrics.count("reconfirmed");
  return { kind: "duplicate", receipt: holdingReceipt(channel, held, state.version, 1) };
}
