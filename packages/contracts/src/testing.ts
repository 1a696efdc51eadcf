/**
 * Test support shared by producers and consumers: the example payloads that sit
 * next to the schemas in proto/examples/<schema name>/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { MessageSchema } from "./topics";

const EXAMPLES_DIR = resolve(__dirname, "../../../proto/examples");

/** The JSON parser ts-proto generates for every message. */
export interface JsonCodec<T> {
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
}

export interface Example<T> {
  /** File name without `.json`, e.g. "policy-document". */
  readonly name: string;
  readonly message: T;
}

/** Every example payload of `schema`, parsed with the message's JSON codec. */
export function loadExamples<T>(schema: MessageSchema<T>, json: JsonCodec<T>): Example<T>[] {
  const dir = join(EXAMPLES_DIR, schema.name);
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({
      name: basename(file, ".json"),
      message: json.fromJSON(JSON.parse(readFileSync(join(dir, file), "utf8"))),
    }));
}

/** The schema names that have an examples folder. */
export function exampleSchemaNames(): string[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
