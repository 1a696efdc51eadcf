import {
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from "@opentelemetry/api";
import type { IHeaders } from "kafkajs";

/** The tracer Herald's shared packages use for the spans they create. */
export function heraldTracer(): Tracer {
  return trace.getTracer("herald");
}

function headerValue(value: IHeaders[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === "string" ? first : first.toString("utf8");
}

const kafkaHeaderGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => headerValue(carrier[key]),
};

const stringHeaderSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Writes the W3C trace context of `ctx` (traceparent, tracestate) into `headers`. */
export function injectTraceContext(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): void {
  propagation.inject(ctx, headers, stringHeaderSetter);
}

/** The context carried by a Kafka message's headers, on top of the active one. */
export function extractTraceContext(headers: IHeaders, base: Context = context.active()): Context {
  return propagation.extract(base, headers, kafkaHeaderGetter);
}

/** Awaits `work`, marks `span` failed if it throws, and always ends the span. */
export async function endSpanAfter<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    throw error;
  } finally {
    span.end();
  }
}
