import {
  type Logger,
  type TokenEntry,
  type TokenFileRules,
  type TokenStoreOptions,
  TokenStore,
  bearerToken,
} from "@herald/runtime";
import { UnauthenticatedError } from "../domain/errors";
import { type Actor, KINDS, type Kind, ROLES, type Role } from "../domain/item";

export { hashToken, newToken } from "@herald/runtime";

/** What the content service's token file may hold: its roles and kinds. */
export const CONTENT_TOKEN_RULES: TokenFileRules = {
  label: "content token file",
  roles: ROLES,
  kinds: KINDS,
};

/** The content service's token file: the runtime's one format, with the service's roles and kinds. */
export interface TokenFile {
  tokens: {
    name: string;
    roles: Role[];
    /** Kinds an upstream client may act on; absent means all. */
    kinds?: Kind[];
    sha256: string;
  }[];
}

/** The file was checked against CONTENT_TOKEN_RULES, so its roles and kinds are known ones. */
function toActor(entry: TokenEntry): Actor {
  return {
    name: entry.name,
    roles: (entry.roles ?? []) as Role[],
    ...(entry.kinds ? { kinds: entry.kinds as Kind[] } : {}),
  };
}

/**
 * Bearer tokens. The service keeps only SHA-256 hashes of tokens (a file an
 * operator writes, or `herald up` for the local stack), never the tokens, and
 * reads the file again when it changes, so a rotated token is refused without a
 * restart.
 */
export class TokenRegistry {
  private readonly store: TokenStore<Actor>;

  /** Fixed tokens (`file`), or a store that follows a file (see `load`). */
  constructor(file: TokenFile | TokenStore<Actor>) {
    this.store = file instanceof TokenStore ? file : TokenStore.of(file, toActor);
  }

  static load(path: string, logger?: Logger, options: TokenStoreOptions = {}): TokenRegistry {
    return new TokenRegistry(
      TokenStore.open(path, CONTENT_TOKEN_RULES, toActor, { logger, ...options }),
    );
  }

  /** The actor of an `Authorization: Bearer …` value; throws UnauthenticatedError otherwise. */
  authenticate(authorization: string | undefined): Actor {
    if (!authorization) {
      throw new UnauthenticatedError("missing credentials: send Authorization: Bearer <token>");
    }
    const token = bearerToken(authorization);
    if (token === undefined) {
      throw new UnauthenticatedError("malformed Authorization header: use Bearer <token>");
    }
    const actor = this.store.identify(token);
    if (!actor) throw new UnauthenticatedError("unknown or revoked token");
    return actor;
  }
}
