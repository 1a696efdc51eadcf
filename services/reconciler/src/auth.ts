import { createHash } from "node:crypto";
import {
  type Logger,
  type TokenEntry,
  type TokenFileRules,
  type TokenStoreOptions,
  TokenStore,
} from "@herald/runtime";

export { hashToken } from "@herald/runtime";

/** Roles the reconciler knows. Every API, page and gRPC call needs `operator`. */
export const RECONCILER_ROLES = ["operator"] as const;
export type ReconcilerRole = (typeof RECONCILER_ROLES)[number];

/** What the reconciler's token file may hold: the runtime's one format, role `operator`. */
export const OPERATOR_TOKEN_RULES: TokenFileRules = {
  label: "operator token file",
  roles: RECONCILER_ROLES,
};

export interface OperatorTokenFile {
  tokens: { name: string; roles: ReconcilerRole[]; sha256: string }[];
}

/** Who called, once their token was recognised. */
export interface Operator {
  readonly name: string;
  readonly roles: readonly ReconcilerRole[];
}

const toOperator = (entry: TokenEntry): Operator => ({
  name: entry.name,
  roles: (entry.roles ?? []) as ReconcilerRole[],
});

/**
 * Bearer tokens of the people (and systems) allowed to operate the reconciler.
 * Only SHA-256 hashes are kept, in a file an operator writes or `herald up` makes;
 * a file given to `load` is read again when it changes, so a rotated token is
 * refused without a restart.
 */
export class OperatorTokens {
  private readonly store: TokenStore<Operator>;

  /** Fixed tokens (`file`), or a store that follows a file (see `load`). */
  constructor(file: OperatorTokenFile | TokenStore<Operator>) {
    this.store = file instanceof TokenStore ? file : TokenStore.of(file, toOperator);
  }

  static load(path: string, logger?: Logger, options: TokenStoreOptions = {}): OperatorTokens {
    return new OperatorTokens(
      TokenStore.open(path, OPERATOR_TOKEN_RULES, toOperator, { logger, ...options }),
    );
  }

  /** The operator a raw token belongs to, or undefined. Compares in constant time. */
  identify(token: string): Operator | undefined {
    return this.store.identify(token);
  }

  /** The operator of an `Authorization: Bearer …` header value, or undefined. */
  authenticate(authorization: string | undefined): Operator | undefined {
    return this.store.authenticate(authorization);
  }

  /**
   * A fingerprint of the token `name` holds now (not the token, nor its stored
   * hash), or undefined when the file no longer names it: a session that keeps
   * the fingerprint it signed in with can tell that the token was rotated or removed.
   */
  fingerprint(name: string): string | undefined {
    const entry = this.store.entries().find((e) => e.name === name);
    return (
      entry && createHash("sha256").update(`session:${entry.sha256}`).digest("hex").slice(0, 32)
    );
  }
}
