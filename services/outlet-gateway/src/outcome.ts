import {
  Action,
  DeliveryOutcome,
  type DeliveryReceipt,
  type ItemState,
  type Result,
} from "@herald/contracts";
import { channelOf } from "./policy";
import type { RecordedResult } from "./results";

/** A message of the stream that breaks the contract; the session ends with INVALID_ARGUMENT. */
export class ContractError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** What a result answers: the delivery as it was sent. */
export interface AnsweredDelivery {
  readonly state: ItemState;
  readonly action: Action;
  readonly attempt: number;
}

export type Settled =
  | { kind: "retry"; reason: string; receipt: DeliveryReceipt }
  | { kind: "final"; recorded: RecordedResult; receipt: DeliveryReceipt };

/**
 * The receipt an outlet's result becomes, and what the gateway records of it:
 * delivered (APPLY) or removed (REMOVE), declined, rejected (a failure that is
 * not retryable), or a retryable failure, which is sent again after a backoff
 * and recorded as nothing.
 */
export function outcomeOf(
  outlet: string,
  delivery: AnsweredDelivery,
  result: Result,
  at: Date,
): Settled {
  const { state } = delivery;
  const base = {
    itemId: state.id,
    version: state.version,
    channel: channelOf(outlet),
    outletId: outlet,
    attempt: delivery.attempt,
    at,
  };
  const outcome = result.outcome;
  if (!outcome) throw new ContractError("result.outcome", "is required");
  if (outcome.$case === "failed" && outcome.value.retryable) {
    return {
      kind: "retry",
      reason: `failed: ${outcome.value.code}`,
      receipt: {
        ...base,
        outcome: DeliveryOutcome.DELIVERY_OUTCOME_FAILED,
        checksum: "",
        externalRef: "",
        error: { code: outcome.value.code, message: outcome.value.message, retryable: true },
      },
    };
  }
  if (outcome.$case === "delivered") {
    const removed = delivery.action === Action.ACTION_REMOVE;
    const checksum = removed ? "" : outcome.value.checksum;
    const externalRef = removed ? "" : outcome.value.externalRef;
    return {
      kind: "final",
      recorded: {
        itemId: state.id,
        version: state.version,
        outcome: removed ? "removed" : "delivered",
        checksum,
        externalRef,
        at,
      },
      receipt: {
        ...base,
        outcome: removed
          ? DeliveryOutcome.DELIVERY_OUTCOME_REMOVED
          : DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
        checksum,
        externalRef,
      },
    };
  }
  const declined = outcome.$case === "declined";
  const code = declined ? outcome.value.rule : outcome.value.code;
  if (!code) {
    throw new ContractError(
      declined ? "result.declined.rule" : "result.failed.code",
      "is required: a stable, machine-readable id",
    );
  }
  return {
    kind: "final",
    recorded: {
      itemId: state.id,
      version: state.version,
      outcome: declined ? "declined" : "rejected",
      checksum: "",
      externalRef: "",
      at,
    },
    receipt: {
      ...base,
      outcome: declined
        ? DeliveryOutcome.DELIVERY_OUTCOME_DECLINED
        : DeliveryOutcome.DELIVERY_OUTCOME_REJECTED,
      checksum: "",
      externalRef: "",
      error: { code, message: outcome.value.message, retryable: false },
    },
  };
}
