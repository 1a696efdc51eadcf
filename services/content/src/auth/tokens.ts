import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { UnauthenticatedError } from "../domain/errors";
import { type Actor, KINDS, ROLES } from "../domain/item";

/**
 * Bearer tokens. The service keeps only SHA-256 hashes of tokens (a file an
 * operator writes, or `herald up` for the local stack), never the tokens.
 */
const tokenFileSchema = z.strictObject({
  tokens: z.array(
    z.strictObject({
      name: z.string().min(1).max(100),
      roles: z.array(z.enum(ROLES)).min(1),
      /** Kinds an upstream client may act on; absent means all. */
      kinds: z.array(z.enum(KINDS)).optional(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "lower-case hex SHA-256 of the token"),
    }),
  ),
});

export type TokenFile = z.output<typeof tokenFileSchema>;

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new random token: 32 bytes, URL-safe. */
export function newToken(): string {
  return `hrld_${randomBytes(32).toString("base64url")}`;
}

export class TokenRegistry {
  private readonly byHash = new Map<string, Actor>();

  constructor(file: TokenFile) {
    for (const entry of file.tokens) {
      this.byHash.set(entry.sha256, {
        name: entry.name,
        roles: entry.roles,
        ...(entry.kinds ? { kinds: entry.kinds } : {}),
      });
    }
  }

  static load(path: string): TokenRegistry {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(
        `cannot read the token file ${path}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const parsed = tokenFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
      throw new Error(`invalid token file ${path}: ${problems.join("; ")}`);
    }
    return new TokenRegistry(parsed.data);
  }

  /** The actor of an `Authorization: Bearer …` value; throws UnauthenticatedError otherwise. */
  authenticate(authorization: string | undefined): Actor {
    if (!authorization) {
      throw new UnauthenticatedError("missing credentials: send Authorization: Bearer <token>");
    }
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match)
      throw new UnauthenticatedError("malformed Authorization header: use Bearer <token>");
    const actor = this.byHash.get(hashToken(match[1]!));
    if (!actor) throw new UnauthenticatedError("unknown or revoked token");
    return actor;
  }
}
