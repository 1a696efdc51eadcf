import { MessageHeaders, PROTOBUF_CONTENT_TYPE, type MessageSchema } from "@herald/contracts";
import type { IHeaders } from "kafkajs";

/** The headers every Herald message carries besides the trace context. */
export function schemaHeaders(schema: MessageSchema<unknown>): Record<string, string> {
  return {
    [MessageHeaders.contentType]: PROTOBUF_CONTENT_TYPE,
    [MessageHeaders.schema]: schema.name,
  };
}

export function encodePayload<T>(schema: MessageSchema<T>, value: T): Buffer {
  const bytes = schema.codec.encode(value).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Header values as strings; kafkajs hands them over as Buffers. */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key] = typeof first === "string" ? first : first.toString("utf8");
  }
  return out;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Decodes a payload after checking that its headers announce `schema`. A failure
 * says why in words an operator can act on; it never throws.
 */
export function decodePayload<T>(
  schema: MessageSchema<T>,
  value: Buffer | null,
  headers: Record<string, string>,
): DecodeResult<T> {
  if (value === null) return { ok: false, reason: "message has no value (tombstone)" };
  const contentType = headers[MessageHeaders.contentType];
  if (contentType !== PROTOBUF_CONTENT_TYPE) {
    return {
      ok: false,
      reason: `header ${MessageHeaders.contentType} is ${JSON.stringify(contentType ?? null)}, expected ${JSON.stringify(PROTOBUF_CONTENT_TYPE)}`,
    };
  }
  const schemaName = headers[MessageHeaders.schema];
  if (schemaName !== schema.name) {
    return {
      ok: false,
      reason: `header ${MessageHeaders.schema} is ${JSON.stringify(schemaName ?? null)}, expected ${JSON.stringify(schema.name)}`,
    };
  }
  try {
    return { ok: true, value: schema.codec.decode(value) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `payload is not a valid ${schema.name}: ${detail}` };
  }
}
