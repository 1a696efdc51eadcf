import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

const tokenFileSchema = z.strictObject({
  tokens: z.array(
    z.strictObject({
      name: z.string().min(1).max(100),
      roles: z.array(z.enum(["admin"])).min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "lower-case hex SHA-256 of the token"),
    }),
  ),
});

/**
 * Bearer tokens of who may manage outlets (role `admin`), loaded as the
 * reconciler loads its operator tokens: only SHA-256 hashes, in a file an
 * operator writes or `herald up` makes.
 */
export class AdminTokens {
  private constructor(private readonly entries: { name: string; hash: Buffer }[]) {}

  static load(path: string): AdminTokens {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(
        `cannot read the admin token file ${path}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const parsed = tokenFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
      throw new Error(`invalid admin token file ${path}: ${problems.join("; ")}`);
    }
    return new AdminTokens(
      parsed.data.tokens.map((t) => ({ name: t.name, hash: Buffer.from(t.sha256, "hex") })),
    );
  }

  /** The admin an `Authorization: Bearer …` header belongs to, or undefined. Compares in constant time. */
  authenticate(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "");
    if (!match?.[1]) return undefined;
    const hash = createHash("sha256").update(match[1], "utf8").digest();
    return this.entries.find((e) => timingSafeEqual(e.hash, hash))?.name;
  }
}
