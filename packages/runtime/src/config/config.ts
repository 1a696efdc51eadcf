import { type z } from "zod";

/** One environment variable: a zod schema that parses its raw string value. */
export type EnvVar<T> = z.ZodType<T, string | undefined>;
export type EnvSchema = Record<string, z.ZodType<unknown, string | undefined>>;
export type ConfigOf<S extends EnvSchema> = { [K in keyof S]: z.output<S[K]> };

/** A configuration problem with one line per variable, naming it and the rule it breaks. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const CREDENTIALS = /\/\/([^/:@]+):([^/@]+)@/g;

function show(value: string): string {
  const redacted = value.replace(CREDENTIALS, "//$1:***@");
  return JSON.stringify(redacted.length > 120 ? `${redacted.slice(0, 117)}...` : redacted);
}

/**
 * Parses `env` against `schema`, one key per environment variable. Empty values
 * count as unset. Every problem is collected before failing, so one run names
 * every variable to fix.
 */
export function loadConfig<S extends EnvSchema>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConfigOf<S> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, varSchema] of Object.entries(schema)) {
    const raw = env[name] === "" ? undefined : env[name];
    const result = varSchema.safeParse(raw);
    if (result.success) {
      config[name] = result.data;
      continue;
    }
    const expected = varSchema.description ? ` (${varSchema.description})` : "";
    if (raw === undefined) {
      problems.push(`${name} is required${expected}`);
    } else {
      const rule = result.error.issues.map((issue) => issue.message).join("; ");
      problems.push(`${name}=${show(raw)} is invalid: ${rule}${expected}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigOf<S>;
}
