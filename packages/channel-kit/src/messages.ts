import type { ItemState } from "@herald/contracts";
import { decodePayload, headersToStrings } from "@herald/runtime";
import type { KafkaMessage } from "kafkajs";
import type { ApplyOutcome } from "./applier";

/** A message decoded as its topic's schema, or why it could not be. */
export type Decoded<T> =
  | { value: T; headers: Record<string, string> }
  | { poison: string; headers: Record<string, string> };

export function decodeMessage<T>(
  message: KafkaMessage,
  schema: Parameters<typeof decodePayload<T>>[0],
): Decoded<T> {
  const headers = headersToStrings(message.headers);
  const decoded = decodePayload(schema, message.value, headers);
  return decoded.ok ? { value: decoded.value, headers } : { poison: decoded.reason, headers };
}

export function rejectedReason(outcome: ApplyOutcome): string {
  return outcome.kind === "rejected" ? outcome.reason : outcome.kind;
}

/** Why a decoded item state can never be applied, if it cannot. */
export function invalidState(state: ItemState, key: Buffer | null): string | undefined {
  if (!state.id) return "item state has no id";
  if (!Number.isSafeInteger(state.version) || state.version < 1) {
    return `item ${state.id} has version ${state.version}; versions start at 1`;
  }
  const keyText = key?.toString("utf8");
  if (keyText !== undefined && keyText !== state.id) {
    return `message key ${JSON.stringify(keyText)} is not the item id ${JSON.stringify(state.id)}`;
  }
  return undefined;
}
