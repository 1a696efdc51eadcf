import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { TokenFile } from "@herald/content";
import { CommandError } from "./errors";
import { type ContentSettings, contentUrl } from "./settings";

/**
 * The local users `herald up` makes tokens for. WARNING: the names are the actors
 * recorded in every item's audit trail; renaming one orphans what it published.
 */
export type LocalUser = "admin" | "editor" | "reviewer" | "penalty-system" | "portal";

type TokenEntry = TokenFile["tokens"][number];

export const LOCAL_USERS: Readonly<Record<LocalUser, Pick<TokenEntry, "roles" | "kinds">>> = {
  admin: { roles: ["admin"] },
  editor: { roles: ["editor"] },
  reviewer: { roles: ["reviewer"] },
  /** An upstream system limited to one kind, as a penalty case system would be. */
  "penalty-system": { roles: ["upstream"], kinds: ["administrative-penalty"] },
  /** The portal, reading the current state of items it must redeliver (read-only). */
  portal: { roles: ["channel"] },
};

/** `.herald/secrets/tokens.json`: what the CLI and tests read to call the local services. */
export interface LocalTokens {
  contentUrl: string;
  tokens: Record<LocalUser, string>;
  /** Lets operators and the reconciler call the channels' ChannelInventory. */
  inventoryToken: string;
}

/** Who the inventory token file names as the holder of `inventoryToken`. */
const INVENTORY_TOKEN_NAME = "operator";

const USERS = Object.keys(LOCAL_USERS) as LocalUser[];

/** What a tokens file holds before its tokens are checked. */
interface TokensFileContent {
  contentUrl: string;
  tokens: Partial<Record<string, unknown>>;
  inventoryToken?: unknown;
}

/** Reads a tokens file's outline; names the file, never its contents, when it is wrong. */
function readTokensFile(path: string): TokensFileContent {
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
  const file = raw as { contentUrl?: unknown; tokens?: unknown; inventoryToken?: unknown } | null;
  const tokens = file?.tokens ?? {};
  if (typeof file?.contentUrl !== "string" || typeof tokens !== "object" || tokens === null) {
    throw new CommandError(
      `${path} is not a Herald tokens file; delete it and run \`./herald up\``,
    );
  }
  return {
    contentUrl: file.contentUrl,
    tokens,
    inventoryToken: file.inventoryToken,
  };
}

const isToken = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * Reads and checks a tokens file: every local user's token and the inventory token
 * must be there (`herald up` adds what an older `herald up` did not make).
 */
export function readLocalTokens(path: string): LocalTokens {
  const file = readTokensFile(path);
  const missing: string[] = USERS.filter((user) => !isToken(file.tokens[user]));
  if (!isToken(file.inventoryToken)) missing.push("inventory");
  if (missing.length > 0) {
    throw new CommandError(
      `${path} has no token for ${missing.join(", ")}; run \`./herald up\` to add the missing ones`,
    );
  }
  return {
    contentUrl: file.contentUrl,
    tokens: file.tokens as Record<LocalUser, string>,
    inventoryToken: file.inventoryToken as string,
  };
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
  /**
   * Tokens this call added to an existing `tokens.json` that an older `herald up`
   * wrote: local users' names, and `inventory` for the inventory token.
   */
  added: string[];
  tokensFile: string;
  serviceTokensFile: string;
  inventoryTokensFile: string;
  portalContentTokenFile: string;
}

/**
 * Makes the local credentials once: a token per local user and an inventory token
 * in `tokens.json`; beside it the content service's token file of their SHA-256
 * hashes and roles, the channels' inventory token file (the inventory token's
 * hash), and the portal's content token alone for the portal process. Later calls
 * keep the tokens, add the ones a file from an older `herald up` lacks, and bring
 * the service URL and the derived files up to date.
 */
export async function ensureLocalCredentials(settings: ContentSettings): Promise<LocalCredentials> {
  // Loaded here, not at start-up: the content package is large and only `up` needs it.
  const { hashToken, newToken } = await import("@herald/content");
  const { dir, tokensFile, serviceTokensFile, inventoryTokensFile, portalContentTokenFile } =
    settings.secrets;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const existing = existsSync(tokensFile) ? readTokensFile(tokensFile) : undefined;
  const added: string[] = [];
  const keepOrMake = (name: string, token: unknown): string => {
    if (isToken(token)) return token;
    if (existing) added.push(name);
    return newToken();
  };
  const tokens = Object.fromEntries(
    USERS.map((user) => [user, keepOrMake(user, existing?.tokens[user])]),
  ) as Record<LocalUser, string>;
  const local: LocalTokens = {
    contentUrl: contentUrl(settings),
    tokens,
    inventoryToken: keepOrMake("inventory", existing?.inventoryToken),
  };
  writeSecret(tokensFile, `${JSON.stringify(local, null, 2)}\n`);
  const serviceFile: TokenFile = {
    tokens: USERS.map((name) => {
      const { roles, kinds } = LOCAL_USERS[name];
      return {
        name,
        roles: [...roles],
        ...(kinds ? { kinds: [...kinds] } : {}),
        sha256: hashToken(tokens[name]),
      };
    }),
  };
  writeSecret(serviceTokensFile, `${JSON.stringify(serviceFile, null, 2)}\n`);
  // The format of InventoryTokens.fromFile in @herald/channel-kit.
  const inventoryFile = {
    tokens: [{ name: INVENTORY_TOKEN_NAME, sha256: hashToken(local.inventoryToken) }],
  };
  writeSecret(inventoryTokensFile, `${JSON.stringify(inventoryFile, null, 2)}\n`);
  writeSecret(portalContentTokenFile, tokens.portal);
  return {
    created: existing === undefined,
    added,
    tokensFile,
    serviceTokensFile,
    inventoryTokensFile,
    portalContentTokenFile,
  };
}
