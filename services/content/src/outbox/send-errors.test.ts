import {
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from "kafkajs";
import { classifySendError, setAsideReason } from "./send-errors";

/** The error kafkajs raises for a broker's error code. */
const protocol = (type: string, code: number) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable: false }));

describe("classifySendError", () => {
  it("finds a record's own error under kafkajs's wrapping", () => {
    const wrapped = new KafkaJSNonRetriableError(protocol("MESSAGE_TOO_LARGE", 10));
    Object.assign(wrapped, { cause: protocol("MESSAGE_TOO_LARGE", 10) });
    expect(classifySendError(wrapped)).toMatchObject({ kind: "record", type: "MESSAGE_TOO_LARGE" });
    expect(classifySendError(protocol("INVALID_RECORD", 87))).toMatchObject({ kind: "record" });
  });

  it("tells stuck producer states, and which of them are fences", () => {
    expect(classifySendError(protocol("OUT_OF_ORDER_SEQUENCE_NUMBER", 45))).toEqual({
      kind: "producer",
      type: "OUT_OF_ORDER_SEQUENCE_NUMBER",
      fenced: false,
    });
    expect(classifySendError(protocol("INVALID_PRODUCER_EPOCH", 47))).toMatchObject({
      kind: "producer",
      fenced: true,
    });
    const retried = new KafkaJSNumberOfRetriesExceeded(protocol("UNKNOWN_PRODUCER_ID", 59), {
      retryCount: 5,
      retryTime: 100,
    });
    Object.assign(retried, { originalError: protocol("UNKNOWN_PRODUCER_ID", 59) });
    expect(classifySendError(retried)).toMatchObject({ kind: "producer", fenced: false });
  });

  it("leaves anything else to the next pass", () => {
    expect(classifySendError(new Error("connection closed"))).toEqual({ kind: "other" });
    expect(classifySendError(protocol("REQUEST_TIMED_OUT", 7))).toEqual({ kind: "other" });
  });

  it("words a reason for operators with the broker's error and the size", () => {
    expect(setAsideReason({ type: "MESSAGE_TOO_LARGE", message: "x" }, 90_000)).toBe(
      "the broker refused the message as larger than the topic's max.message.bytes (MESSAGE_TOO_LARGE; the message is 90000 bytes)",
    );
  });
});
