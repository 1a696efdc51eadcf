import { createHash, randomBytes } from "node:crypto";
import { chmodSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";

/**
 * A token file: who may call a service, as SHA-256 hashes of bearer tokens, never
 * the tokens. One format for every service: the content service's users (roles,
 * and kinds for upstream systems), the reconciler's operators (role `operator`) and
 * the channels' inventory readers (a name and a hash; roles unused).
 */
export interface TokenEntry {
  name: string;
  /** Lower-case hex SHA-256 of the token. */
  sha256: string;
  roles?: string[];
  /** Kinds an upstream caller may act on; absent means all. */
  kinds?: string[];
}

export interface TokenFile {
  tokens: TokenEntry[];
}

/** What a service accepts in its token file, and how messages name the file. */
export interface TokenFileRules {
  /** How errors name the file, e.g. "content token file". */
  label: string;
  /** Every entry needs at least one role, each among these. Absent: roles are optional and not checked. */
  roles?: readonly string[];
  /** Kinds an entry may name. Absent: kinds are not checked. */
  kinds?: readonly string[];
}

export const DEFAULT_TOKEN_RULES: TokenFileRules = { label: "token file" };

/** A token file that cannot be read or breaks a rule; the message names the field and the rule. */
export class TokenFileError extends Error {
  override readonly name = "TokenFileError";
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function entrySchema(rules: TokenFileRules) {
  const roles = rules.roles
    ? z
        .array(
          z.string().refine((r) => rules.roles!.includes(r), `one of ${rules.roles.join(", ")}`),
        )
        .min(1, "at least one role")
    : z.array(z.string()).optional();
  const kinds = rules.kinds
    ? z.array(
        z.string().refine((k) => rules.kinds!.includes(k), `one of ${rules.kinds.join(", ")}`),
      )
    : z.array(z.string());
  return z.strictObject({
    name: z.string().min(1, "not empty").max(100, "at most 100 characters"),
    roles,
    kinds: kinds.optional(),
    sha256: z.string().regex(SHA256_HEX, "lower-case hex SHA-256 of the token"),
  });
}

function fileSchema(rules: TokenFileRules) {
  return z.strictObject({ tokens: z.array(entrySchema(rules)) }).superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.tokens.forEach((entry, index) => {
      if (seen.has(entry.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["tokens", index, "name"],
          message: "names are unique",
        });
      }
      seen.add(entry.name);
    });
  });
}

/** Checks `raw` (a parsed JSON value) against `rules`; throws TokenFileError naming each bad field. */
export function parseTokenFile(raw: unknown, path: string, rules: TokenFileRules): TokenFile {
  const parsed = fileSchema(rules).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join(".") || "(file)"}: ${i.message}`,
    );
    throw new TokenFileError(`invalid ${rules.label} ${path}: ${problems.join("; ")}`);
  }
  const tokens = parsed.data.tokens.map(({ name, sha256, roles, kinds }): TokenEntry => ({
    name,
    sha256,
    ...(roles ? { roles } : {}),
    ...(kinds ? { kinds } : {}),
  }));
  return { tokens };
}

/** Reads and checks a token file. */
export function readTokenFile(
  path: string,
  rules: TokenFileRules = DEFAULT_TOKEN_RULES,
): TokenFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TokenFileError(`cannot read the ${rules.label} ${path}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return parseTokenFile(raw, path, rules);
}

/** An error's message; `instanceof Error` fails for Node's errors under jest's realms. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(error);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new random token: 32 bytes, URL-safe. */
export function newToken(): string {
  return `hrld_${randomBytes(32).toString("base64url")}`;
}

/**
 * Writes `text` to `path` with mode 0600 through a rename, so a service that
 * reloads the file reads the old or the new file, never half of one.
 */
export function writeSecretFile(path: string, text: string): void {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, text, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, path);
}

/** Writes a token file (mode 0600, atomically) in the one format every service reads. */
export function writeTokenFile(path: string, file: TokenFile): void {
  writeSecretFile(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** A token file for `tokens` (name → token and what it may do). */
export function tokenFileOf(
  tokens: Record<string, { token: string; roles?: readonly string[]; kinds?: readonly string[] }>,
): TokenFile {
  return {
    tokens: Object.entries(tokens).map(([name, { token, roles, kinds }]) => ({
      name,
      ...(roles ? { roles: [...roles] } : {}),
      ...(kinds?.length ? { kinds: [...kinds] } : {}),
      sha256: hashToken(token),
    })),
  };
}

/** Throws TokenFileError, listing the names there are, unless the file names `name`. */
export function requireTokenName(
  file: TokenFile,
  path: string,
  name: string,
  rules: TokenFileRules,
): TokenEntry {
  const entry = file.tokens.find((t) => t.name === name);
  if (!entry) {
    const names = file.tokens.map((t) => t.name).join(", ") || "none";
    throw new TokenFileError(
      `${rules.label} ${path} has no token named ${name} (it has: ${names})`,
    );
  }
  return entry;
}

/**
 * Gives `name` in the token file at `path` a new token (`token`, or a random
 * one) and writes the file: the token is returned (the file keeps only its
 * hash), the old one is refused once each service has reloaded the file.
 */
export function rotateToken(
  path: string,
  name: string,
  rules: TokenFileRules = DEFAULT_TOKEN_RULES,
  token: string = newToken(),
): string {
  const file = readTokenFile(path, rules);
  requireTokenName(file, path, name, rules).sha256 = hashToken(token);
  writeTokenFile(path, file);
  return token;
}
