import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { TokenFile } from "@herald/content";
import { CommandError } from "./errors";
import { type ContentSettings, contentUrl } from "./settings";

/**
 * The local users `herald up` makes tokens for. WARNING: the names are the actors
 * recorded in every item's audit trail; renaming one orphans what it published.
 */
export type LocalUser = "admin" | "editor" | "reviewer" | "penalty-system";

type TokenEntry = TokenFile["tokens"][number];

export const LOCAL_USERS: Readonly<Record<LocalUser, Pick<TokenEntry, "roles" | "kinds">>> = {
  admin: { roles: ["admin"] },
  editor: { roles: ["editor"] },
  reviewer: { roles: ["reviewer"] },
  /** An upstream system limited to one kind, as a penalty case system would be. */
  "penalty-system": { roles: ["upstream"], kinds: ["administrative-penalty"] },
};

/** `.herald/secrets/tokens.json`: what the CLI and tests read to call the local content service. */
export interface LocalTokens {
  contentUrl: string;
  tokens: Record<LocalUser, string>;
}

const USERS = Object.keys(LOCAL_USERS) as LocalUser[];

/** Reads and checks a tokens file; names the file, never its contents, when it is wrong. */
export function readLocalTokens(path: string): LocalTokens {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CommandError(
        `no local credentials: ${path} does not exist; run \`./herald up\` first (or set HERALD_CONTENT_URL and HERALD_TOKEN)`,
      );
    }
    throw new CommandError(`cannot read ${path}; delete it and run \`./herald up\` to recreate it`);
  }
  const file = raw as Partial<LocalTokens> | null;
  const tokens = (file?.tokens ?? {}) as Partial<Record<string, unknown>>;
  if (typeof file?.contentUrl !== "string" || typeof tokens !== "object") {
    throw new CommandError(
      `${path} is not a Herald tokens file; delete it and run \`./herald up\``,
    );
  }
  const missing = USERS.filter((user) => typeof tokens[user] !== "string");
  if (missing.length > 0) {
    throw new CommandError(
      `${path} has no token for ${missing.join(", ")}; delete it and run \`./herald up\``,
    );
  }
  return file as LocalTokens;
}

/** Writes a secret file with mode 0600 (atomically), unless it already holds `text`. */
function writeSecret(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) {
    chmodSync(path, 0o600);
    return;
  }
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, text, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, path);
}

export interface LocalCredentials {
  /** True when this call made new tokens (the first `herald up` of this home). */
  created: boolean;
  tokensFile: string;
  serviceTokensFile: string;
}

/**
 * Makes the local credentials once: a token per local user in `tokens.json`, and
 * the service's token file of their SHA-256 hashes and roles beside it. Later
 * calls keep the tokens and only bring the service URL and the hashes up to date.
 */
export async function ensureLocalCredentials(settings: ContentSettings): Promise<LocalCredentials> {
  // Loaded here, not at start-up: the content package is large and only `up` needs it.
  const { hashToken, newToken } = await import("@herald/content");
  const { dir, tokensFile, serviceTokensFile } = settings.secrets;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const existing = existsSync(tokensFile) ? readLocalTokens(tokensFile) : undefined;
  const local: LocalTokens = {
    contentUrl: contentUrl(settings),
    tokens: existing?.tokens ?? {
      admin: newToken(),
      editor: newToken(),
      reviewer: newToken(),
      "penalty-system": newToken(),
    },
  };
  writeSecret(tokensFile, `${JSON.stringify(local, null, 2)}\n`);
  const serviceFile: TokenFile = {
    tokens: USERS.map((name) => {
      const { roles, kinds } = LOCAL_USERS[name];
      return {
        name,
        roles: [...roles],
        ...(kinds ? { kinds: [...kinds] } : {}),
        sha256: hashToken(local.tokens[name]),
      };
    }),
  };
  writeSecret(serviceTokensFile, `${JSON.stringify(serviceFile, null, 2)}\n`);
  return { created: existing === undefined, tokensFile, serviceTokensFile };
}
