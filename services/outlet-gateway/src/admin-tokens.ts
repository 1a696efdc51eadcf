import { type Logger, type TokenFileRules, TokenStore } from "@herald/runtime";

/** Who may manage outlets: the runtime's one token-file format, role `admin`. */
export const ADMIN_TOKEN_RULES: TokenFileRules = {
  label: "outlet gateway admin token file",
  roles: ["admin"],
};

/**
 * Bearer tokens of who may manage outlets. Only SHA-256 hashes are kept, in a file
 * an operator writes or `herald up` makes; it is read again when it changes, so a
 * rotated token is refused without a restart.
 */
export class AdminTokens {
  private constructor(private readonly store: TokenStore<string>) {}

  static load(path: string, logger?: Logger): AdminTokens {
    return new AdminTokens(
      TokenStore.open(path, ADMIN_TOKEN_RULES, (entry) => entry.name, { logger }),
    );
  }

  /** The admin an `Authorization: Bearer …` header belongs to, or undefined. Compares in constant time. */
  authenticate(authorization: string | undefined): string | undefined {
    return this.store.authenticate(authorization);
  }
}
