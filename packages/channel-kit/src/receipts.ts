import { DeliveryOutcome, type DeliveryReceipt, Topics } from "@herald/contracts";
import type { HeraldProducer } from "@herald/runtime";
import { errorCode, errorMessage } from "./adapter";
import type { Holding } from "./holdings";

const OUTCOME_OF_STATUS = {
  held: DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
  removed: DeliveryOutcome.DELIVERY_OUTCOME_REMOVED,
  declined: DeliveryOutcome.DELIVERY_OUTCOME_DECLINED,
  absent: DeliveryOutcome.DELIVERY_OUTCOME_UNSPECIFIED,
} as const;

/** The receipt for what a channel now holds of an item: DELIVERED, REMOVED or DECLINED (with why). */
export function holdingReceipt(
  channel: string,
  holding: Holding,
  version: number,
  attempt: number,
): DeliveryReceipt {
  return {
    itemId: holding.itemId,
    version,
    channel,
    outletId: "",
    outcome: OUTCOME_OF_STATUS[holding.status],
    checksum: holding.checksum,
    externalRef: holding.externalRef,
    attempt,
    ...(holding.decline
      ? {
          error: {
            code: `declined.${holding.decline.code}`,
            message: holding.decline.reason,
            retryable: false,
          },
        }
      : {}),
    at: new Date(),
  };
}

/** The receipt for a version a channel could not apply: FAILED (retryable) or REJECTED. */
export function failureReceipt(
  channel: string,
  item: { id: string; version: number },
  error: unknown,
  attempt: number,
  permanent: boolean,
): DeliveryReceipt {
  return {
    itemId: item.id,
    version: item.version,
    channel,
    outletId: "",
    outcome: permanent
      ? DeliveryOutcome.DELIVERY_OUTCOME_REJECTED
      : DeliveryOutcome.DELIVERY_OUTCOME_FAILED,
    checksum: "",
    externalRef: "",
    attempt,
    error: {
      code: errorCode(error),
      message: errorMessage(error).slice(0, 1000),
      retryable: !permanent,
    },
    at: new Date(),
  };
}

/** Sends receipts keyed by item id, so each item's receipts stay in order. */
export async function sendReceipts(
  producer: HeraldProducer,
  receipts: readonly DeliveryReceipt[],
  /** The outlet the receipts are of, for a channel with several outlets. */
  outletId = "",
): Promise<void> {
  if (receipts.length === 0) return;
  await producer.send(
    Topics.receipts,
    receipts.map((receipt) => ({ key: receipt.itemId, value: { ...receipt, outletId } })),
  );
}
