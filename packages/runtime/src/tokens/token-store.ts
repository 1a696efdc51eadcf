import { createHash, timingSafeEqual } from "node:crypto";
import { statSync } from "node:fs";
import type { Logger } from "../logging/logger";
import { type TokenEntry, type TokenFile, type TokenFileRules, readTokenFile } from "./token-file";

/**
 * How often a service looks at its token file at most. A rotated token is refused
 * at most this long after the file is written; a stat per request would cost a
 * system call on every call for nothing.
 */
export const TOKEN_RELOAD_INTERVAL_MS = 2_000;

export interface TokenStoreOptions {
  /** Look at the file at most this often; default TOKEN_RELOAD_INTERVAL_MS. */
  checkIntervalMs?: number;
  /** Where reloads and refused changes are logged, besides the callbacks below. */
  logger?: Logger | undefined;
  /** The file was read again (a token was added, rotated or removed). */
  onReload?: (file: TokenFile) => void;
  /**
   * The changed file cannot be read or breaks a rule. The store keeps the tokens
   * it had, so an operator's typo does not lock every caller out; it tries again
   * when the file changes next.
   */
  onError?: (error: Error) => void;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/** What identifies a version of a file: a rename (an atomic write) changes the inode. */
interface FileVersion {
  ino: number;
  size: number;
  mtimeMs: number;
}

function versionOf(path: string): FileVersion | undefined {
  try {
    const { ino, size, mtimeMs } = statSync(path);
    return { ino, size, mtimeMs };
  } catch {
    return undefined;
  }
}

const sameVersion = (a: FileVersion | undefined, b: FileVersion | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.ino === b.ino &&
  a.size === b.size &&
  a.mtimeMs === b.mtimeMs;

interface Known<A> {
  hash: Buffer;
  entry: TokenEntry;
  actor: A;
}

/**
 * The tokens a service accepts, from its token file, read again when the file
 * changes (checked on use, at most every few seconds), so a rotated or removed
 * token stops working without a restart. `toActor` turns an entry into what the
 * service calls its caller.
 */
export class TokenStore<A> {
  private known: Known<A>[] = [];
  private version: FileVersion | undefined;
  private checkedAt = 0;
  private failedVersion: FileVersion | undefined;

  private constructor(
    private readonly toActor: (entry: TokenEntry) => A,
    private readonly source?: {
      path: string;
      rules: TokenFileRules;
      options: TokenStoreOptions;
    },
  ) {}

  /** Reads the token file at `path` (throws TokenFileError when it is unreadable or invalid). */
  static open<A>(
    path: string,
    rules: TokenFileRules,
    toActor: (entry: TokenEntry) => A,
    options: TokenStoreOptions = {},
  ): TokenStore<A> {
    const store = new TokenStore(toActor, { path, rules, options });
    const version = versionOf(path);
    store.replace(readTokenFile(path, rules));
    store.version = version;
    store.checkedAt = store.now();
    return store;
  }

  /** Fixed tokens, not read from a file (tests, and services given their tokens in code). */
  static of<A>(file: TokenFile, toActor: (entry: TokenEntry) => A): TokenStore<A> {
    const store = new TokenStore(toActor);
    store.replace(file);
    return store;
  }

  /** The caller a raw token belongs to, or undefined. Compares every hash in constant time. */
  identify(token: string): A | undefined {
    this.refresh();
    const hash = createHash("sha256").update(token, "utf8").digest();
    let found: Known<A> | undefined;
    for (const known of this.known) {
      if (timingSafeEqual(known.hash, hash) && !found) found = known;
    }
    return found?.actor;
  }

  /** The caller of an `Authorization: Bearer <token>` value, or undefined. */
  authenticate(authorization: string | undefined): A | undefined {
    const token = bearerToken(authorization);
    return token === undefined ? undefined : this.identify(token);
  }

  /** The entries in force now. */
  entries(): readonly TokenEntry[] {
    this.refresh();
    return this.known.map((k) => k.entry);
  }

  /** Reads the file again now if it changed, without waiting for the interval. */
  reloadNow(): void {
    this.checkedAt = 0;
    this.refresh();
  }

  private now(): number {
    return (this.source?.options.now ?? Date.now)();
  }

  private replace(file: TokenFile): void {
    this.known = file.tokens.map((entry) => ({
      hash: Buffer.from(entry.sha256, "hex"),
      entry,
      actor: this.toActor(entry),
    }));
  }

  private refresh(): void {
    if (!this.source) return;
    const now = this.now();
    const interval = this.source.options.checkIntervalMs ?? TOKEN_RELOAD_INTERVAL_MS;
    if (now - this.checkedAt < interval) return;
    this.checkedAt = now;
    const version = versionOf(this.source.path);
    if (sameVersion(version, this.version) || sameVersion(version, this.failedVersion)) return;
    try {
      const file = readTokenFile(this.source.path, this.source.rules);
      this.replace(file);
      this.version = version;
      this.failedVersion = undefined;
      this.source.options.logger?.info(
        { path: this.source.path, tokens: file.tokens.length },
        "token file reloaded",
      );
      this.source.options.onReload?.(file);
    } catch (error) {
      // Reported once per version of the file, not on every call.
      this.failedVersion = version;
      const reason = error instanceof Error ? error : new Error(String(error));
      this.source.options.logger?.error(
        { path: this.source.path, err: reason.message },
        "token file not reloaded; the previous tokens stay",
      );
      this.source.options.onError?.(reason);
    }
  }
}

/** The token of an `Authorization: Bearer <token>` value, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "");
  return match?.[1];
}
