import { z } from "zod";

/**
 * Parsers for environment variables. Each takes the raw string (or undefined when
 * unset) and produces a typed value, with a rule message that `loadConfig` prints
 * next to the variable's name.
 */

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

export const env = {
  string(): z.ZodString {
    return z.string({ error: "expected a non-empty string" }).min(1, "expected a non-empty string");
  },

  /** Comma-separated host:port pairs, e.g. Kafka bootstrap servers. */
  hostPorts() {
    return z.string({ error: "expected host:port[,host:port...]" }).transform((value, ctx) => {
      const parts = value
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p.length > 0);
      const bad = parts.filter((p) => {
        const m = HOST_PORT.exec(p);
        return !m || !isPort(Number(m[2]));
      });
      if (parts.length === 0 || bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `expected host:port[,host:port...] with ports 1-65535${bad.length > 0 ? `; not a host:port: ${bad.join(", ")}` : ""}`,
        });
        return z.NEVER;
      }
      return parts;
    });
  },

  /** A URL whose scheme is one of `protocols` (without the colon). */
  url(protocols: readonly string[]) {
    const rule = `expected a URL starting with ${protocols.map((p) => `${p}://`).join(" or ")}`;
    return z.string({ error: rule }).refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ""));
      } catch {
        return false;
      }
    }, rule);
  },

  port() {
    return z.string({ error: "expected a TCP port number 0-65535" }).transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !(isPort(n) || n === 0)) {
        ctx.addIssue({
          code: "custom",
          message: "expected a TCP port number 0-65535 (0 picks a free one)",
        });
        return z.NEVER;
      }
      return n;
    });
  },

  int(options: { min?: number; max?: number } = {}) {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
    const rule = `expected a whole number from ${min} to ${max}`;
    return z.string({ error: rule }).transform((value, ctx) => {
      const n = Number(value);
      if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: rule });
        return z.NEVER;
      }
      return n;
    });
  },

  boolean() {
    const rule = "expected true or false (also 1/0, yes/no, on/off)";
    return z.string({ error: rule }).transform((value, ctx) => {
      const v = value.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(v)) return true;
      if (["false", "0", "no", "off"].includes(v)) return false;
      ctx.addIssue({ code: "custom", message: rule });
      return z.NEVER;
    });
  },

  oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `expected one of ${values.join(", ")}` });
  },

  /** A name usable inside Kafka topic, consumer group and database names. */
  identifier() {
    const rule = "expected letters, digits, '.', '_' or '-' (at most 100)";
    return z.string({ error: rule }).regex(/^[A-Za-z0-9._-]{1,100}$/, rule);
  },
};
