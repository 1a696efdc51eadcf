import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

/** Roles the reconciler knows. Every API, page and gRPC call needs `operator`. */
export const RECONCILER_ROLES = ["operator"] as const;
export type ReconcilerRole = (typeof RECONCILER_ROLES)[number];

const tokenFileSchema = z.strictObject({
  tokens: z.array(
    z.strictObject({
      name: z.string().min(1).max(100),
      roles: z.array(z.enum(RECONCILER_ROLES)).min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "lower-case hex SHA-256 of the token"),
    }),
  ),
});

export type OperatorTokenFile = z.output<typeof tokenFileSchema>;

/** Who called, once their token was recognised. */
export interface Operator {
  readonly name: string;
  readonly roles: readonly ReconcilerRole[];
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Bearer tokens of the people (and systems) allowed to operate the reconciler.
 * Only SHA-256 hashes are kept, in a file an operator writes or `herald up` makes.
 */
export class OperatorTokens {
  private readonly entries: { hash: Buffer; operator: Operator }[];

  constructor(file: OperatorTokenFile) {
    this.entries = file.tokens.map((t) => ({
      hash: Buffer.from(t.sha256, "hex"),
      operator: { name: t.name, roles: t.roles },
    }));
  }

  static load(path: string): OperatorTokens {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(
        `cannot read the operator token file ${path}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const parsed = tokenFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
      throw new Error(`invalid operator token file ${path}: ${problems.join("; ")}`);
    }
    return new OperatorTokens(parsed.data);
  }

  /** The operator a raw token belongs to, or undefined. Compares in constant time. */
  identify(token: string): Operator | undefined {
    const hash = createHash("sha256").update(token, "utf8").digest();
    return this.entries.find((e) => timingSafeEqual(e.hash, hash))?.operator;
  }

  /** The operator of an `Authorization: Bearer …` header value, or undefined. */
  authenticate(authorization: string | undefined): Operator | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "");
    return match?.[1] ? this.identify(match[1]) : undefined;
  }
}
