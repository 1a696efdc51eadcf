/**
 * What a failed send means for the relay, from the broker's error type. kafkajs
 * wraps protocol errors (retries, aggregates), so the whole chain is read.
 */

/**
 * Producer states kafkajs does not leave on its own: every later send fails the
 * same way until the producer is recreated (a new producer id and epoch, fresh
 * sequence numbers). Fenced states are among them when this instance still holds
 * the lease.
 */
const PRODUCER_STATES: ReadonlySet<string> = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
  "PRODUCER_FENCED",
  "INVALID_TXN_STATE",
  "INVALID_PRODUCER_ID_MAPPING",
]);

/** Errors about a record itself: sending it again the same way fails the same way. */
const RECORD_ERRORS: ReadonlySet<string> = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
]);

const FENCED: ReadonlySet<string> = new Set(["INVALID_PRODUCER_EPOCH", "PRODUCER_FENCED"]);

export type SendFailure =
  /** The producer is stuck; with the lease still ours, a new producer resumes. */
  | { kind: "producer"; type: string; fenced: boolean }
  /** One of the records is unsendable; the batch is split to find which. */
  | { kind: "record"; type: string; message: string }
  /** Anything else (broker away, timeouts): the pass fails and is tried again. */
  | { kind: "other" };

/** The broker error types and kafkajs error names found in an error and what it wraps. */
function chain(error: unknown): Array<{ type?: string; name?: string; message?: string }> {
  const found: Array<{ type?: string; name?: string; message?: string }> = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && found.length < 20) {
    const e = queue.shift();
    if (!e || typeof e !== "object") continue;
    const { type, name, message, originalError, cause, errors } = e as {
      type?: unknown;
      name?: unknown;
      message?: unknown;
      originalError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    found.push({
      ...(typeof type === "string" ? { type } : {}),
      ...(typeof name === "string" ? { name } : {}),
      ...(typeof message === "string" ? { message } : {}),
    });
    queue.push(originalError, cause, ...(Array.isArray(errors) ? (errors as unknown[]) : []));
  }
  return found;
}

export function classifySendError(error: unknown): SendFailure {
  for (const { type, name, message } of chain(error)) {
    if (name === "KafkaJSProducerFencedError") {
      return { kind: "producer", type: "PRODUCER_FENCED", fenced: true };
    }
    if (!type) continue;
    if (PRODUCER_STATES.has(type)) return { kind: "producer", type, fenced: FENCED.has(type) };
    if (RECORD_ERRORS.has(type)) return { kind: "record", type, message: message ?? type };
  }
  return { kind: "other" };
}

const RECORD_REASONS: Record<string, string> = {
  MESSAGE_TOO_LARGE: "the broker refused the message as larger than the topic's max.message.bytes",
  RECORD_LIST_TOO_LARGE: "the broker refused the message as larger than the topic's segment size",
  INVALID_RECORD: "the broker refused the message as invalid",
  CORRUPT_MESSAGE: "the broker found the message corrupt",
};

/** A set-aside item's reason, as a sentence for operators. */
export function setAsideReason(failure: { type: string; message: string }, bytes: number): string {
  const what = RECORD_REASONS[failure.type] ?? failure.message;
  return `${what} (${failure.type}; the message is ${bytes} bytes)`;
}
