import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { type TokenFile, newToken, tokenFileOf, writeSecretFile } from "@herald/runtime";
import { CommandError } from "./errors";
import { type ContentSettings, contentUrl } from "./settings";

/**
 * The local users `herald up` makes tokens for. WARNING: the names are the actors
 * recorded in every item's audit trail; renaming one orphans what it published.
 */
export type LocalUser =
  | "admin"
  | "editor"
  | "reviewer"
  | "penalty-system"
  | "portal"
  | "reconciler"
  | "outlet-gateway"
  | "newmedia";

/** What a local user may do in the content service: its roles, and kinds for an upstream system. */
interface LocalUserRights {
  roles: readonly string[];
  kinds?: readonly string[];
}

export const LOCAL_USERS: Readonly<Record<LocalUser, LocalUserRights>> = {
  admin: { roles: ["admin"] },
  editor: { roles: ["editor"] },
  reviewer: { roles: ["reviewer"] },
  /** An upstream system limited to one kind, as a penalty case system would be. */
  "penalty-system": { roles: ["upstream"], kinds: ["administrative-penalty"] },
  /** The portal, reading the current state of items it must redeliver (read-only). */
  portal: { roles: ["channel"] },
  /** The reconciler, asking which accepted versions are announced (read-only). */
  reconciler: { roles: ["channel"] },
  /** The outlet gateway, reading the current state of items an outlet must get again (read-only). */
  "outlet-gateway": { roles: ["channel"] },
  /** The newmedia channel, reading the current state of items it must redeliver (read-only). */
  newmedia: { roles: ["channel"] },
};

/**
 * Local users whose token only a service's own process reads, from a file of its
 * own: a tokens file from an older `herald up` may lack them and still serve every
 * command until the next `herald up` adds them.
 */
const SERVICE_ONLY_USERS = ["outlet-gateway", "newmedia"] as const;
type ServiceOnlyUser = (typeof SERVICE_ONLY_USERS)[number];
const isServiceOnly = (user: LocalUser): user is ServiceOnlyUser =>
  (SERVICE_ONLY_USERS as readonly string[]).includes(user);

/** `.herald/secrets/tokens.json`: what the CLI and tests read to call the local services. */
export interface LocalTokens {
  contentUrl: string;
  tokens: Record<Exclude<LocalUser, ServiceOnlyUser>, string> &
    Partial<Record<ServiceOnlyUser, string>>;
  /** Lets operators and the reconciler call the channels' ChannelInventory. */
  inventoryToken: string;
  /**
   * Lets operators call the reconciler's API and sign in to its dashboard (role
   * `operator`). Absent from a file an older `herald up` wrote, until the next one.
   */
  operatorToken?: string;
  /**
   * Lets operators manage outlets through the outlet gateway's admin API (role
   * `admin` there). Absent from a file an older `herald up` wrote, until the next one.
   */
  outletAdminToken?: string;
}

/** Who the inventory token file names as the holder of `inventoryToken`. */
const INVENTORY_TOKEN_NAME = "operator";

/**
 * Who the reconciler's token file names as the holder of `operatorToken`; the
 * reconciler records this name as the actor of every operator action.
 */
const OPERATOR_TOKEN_NAME = "operator";

/** Who the outlet gateway's admin token file names as the holder of `outletAdminToken`. */
const OUTLET_ADMIN_TOKEN_NAME = "operator";

/** Bytes of randomness in the reconciler's session secret (the reconciler needs 32 characters). */
const SESSION_SECRET_BYTES = 32;

const USERS = Object.keys(LOCAL_USERS) as LocalUser[];

/** What a tokens file holds before its tokens are checked. */
interface TokensFileContent {
  contentUrl: string;
  tokens: Partial<Record<string, unknown>>;
  inventoryToken?: unknown;
  operatorToken?: unknown;
  outletAdminToken?: unknown;
}

/** The variables that let the content commands do without the tokens file. */
const CONTENT_OVERRIDES = "HERALD_CONTENT_URL and HERALD_TOKEN";

/**
 * Reads a tokens file's outline; names the file, never its contents, when it is
 * wrong. `overrides` names the variables that make the file unnecessary.
 */
function readTokensFile(path: string, overrides = CONTENT_OVERRIDES): TokensFileContent {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CommandError(
        `no local credentials: ${path} does not exist; run \`./herald up\` first (or set ${overrides})`,
      );
    }
    throw new CommandError(`cannot read ${path}; delete it and run \`./herald up\` to recreate it`);
  }
  const file = raw as {
    contentUrl?: unknown;
    tokens?: unknown;
    inventoryToken?: unknown;
    operatorToken?: unknown;
    outletAdminToken?: unknown;
  } | null;
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
    operatorToken: file.operatorToken,
    outletAdminToken: file.outletAdminToken,
  };
}

const isToken = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * Reads and checks a tokens file: every local user's token (but those only a
 * service reads) and the inventory token must be there (`herald up` adds what an
 * older `herald up` did not make). The
 * operator token is checked only by the commands that use it ({@link readOperatorToken}),
 * so the item commands go on working in a home made before the reconciler.
 */
export function readLocalTokens(path: string): LocalTokens {
  const file = readTokensFile(path);
  const missing: string[] = USERS.filter(
    (user) => !isServiceOnly(user) && !isToken(file.tokens[user]),
  );
  if (!isToken(file.inventoryToken)) missing.push("inventory");
  if (missing.length > 0) {
    throw new CommandError(
      `${path} has no token for ${missing.join(", ")}; run \`./herald up\` to add the missing ones`,
    );
  }
  return {
    contentUrl: file.contentUrl,
    tokens: file.tokens as LocalTokens["tokens"],
    inventoryToken: file.inventoryToken as string,
    ...(isToken(file.operatorToken) ? { operatorToken: file.operatorToken } : {}),
    ...(isToken(file.outletAdminToken) ? { outletAdminToken: file.outletAdminToken } : {}),
  };
}

/** The operator token of a tokens file, for the reconciler commands. */
export function readOperatorToken(path: string): string {
  const { operatorToken } = readTokensFile(path, "HERALD_OPERATOR_TOKEN");
  if (!isToken(operatorToken)) {
    throw new CommandError(
      `${path} has no operator token; run \`./herald up\` to add it (or set HERALD_OPERATOR_TOKEN)`,
    );
  }
  return operatorToken;
}

/** The outlet admin token of a tokens file, for the outlet commands. */
export function readOutletAdminToken(path: string): string {
  const { outletAdminToken } = readTokensFile(path, "HERALD_OUTLET_ADMIN_TOKEN");
  if (!isToken(outletAdminToken)) {
    throw new CommandError(
      `${path} has no outlet admin token; run \`./herald up\` to add it (or set HERALD_OUTLET_ADMIN_TOKEN)`,
    );
  }
  return outletAdminToken;
}

/**
 * Writes a secret file with mode 0600 (atomically), unless it already holds `text`:
 * a rewrite with the same text would make every service read its token file again.
 */
export function writeSecret(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) {
    chmodSync(path, 0o600);
    return;
  }
  writeSecretFile(path, text);
}

/** A token file's text as @herald/runtime's `writeTokenFile` writes it, for `writeSecret`. */
const tokenFileText = (file: TokenFile): string => `${JSON.stringify(file, null, 2)}\n`;

/** The session secret in `path` when it is long enough, else a new one. */
function keepOrMakeSessionSecret(path: string): string {
  const existing = existsSync(path) ? readFileSync(path, "utf8").trim() : "";
  if (existing.length >= SESSION_SECRET_BYTES) return existing;
  return randomBytes(SESSION_SECRET_BYTES).toString("base64url");
}

export interface LocalCredentials {
  /** True when this call made new tokens (the first `herald up` of this home). */
  created: boolean;
  /**
   * Tokens this call added to an existing `tokens.json` that an older `herald up`
   * wrote: local users' names, `inventory` for the inventory token, `operator`
   * for the operator token and `outlet-admin` for the outlet admin token.
   */
  added: string[];
  tokensFile: string;
  serviceTokensFile: string;
  inventoryTokensFile: string;
  portalContentTokenFile: string;
  reconcilerContentTokenFile: string;
  outletGatewayContentTokenFile: string;
  newmediaContentTokenFile: string;
  reconcilerTokensFile: string;
  reconcilerInventoryTokenFile: string;
  reconcilerSessionSecretFile: string;
  outletAdminTokensFile: string;
}

/**
 * Makes the local credentials once: a token per local user, an inventory token and
 * an operator token in `tokens.json`; beside it the content service's token file of
 * their SHA-256 hashes and roles, the channels' inventory token file (the inventory
 * token's hash), the portal's content token alone for the portal process, and for
 * the reconciler its content token (role channel, for ListAnnouncements), the outlet
 * gateway and the newmedia channel each their content token (role channel, for
 * redeliveries), the reconciler's operator token file (the operator token's hash), the inventory
 * token alone, and a random session secret; for the outlet gateway its admin token
 * file (the outlet admin token's hash, role admin). Later calls keep the tokens and the
 * session secret, add what a home from an older `herald up` lacks, and bring the
 * service URL and the derived files up to date.
 */
export function ensureLocalCredentials(settings: ContentSettings): Promise<LocalCredentials> {
  // A promise, as when it loaded the content service's code to hash the tokens.
  return Promise.resolve(makeLocalCredentials(settings));
}

function makeLocalCredentials(settings: ContentSettings): LocalCredentials {
  const {
    dir,
    tokensFile,
    serviceTokensFile,
    inventoryTokensFile,
    portalContentTokenFile,
    reconcilerContentTokenFile,
    outletGatewayContentTokenFile,
    newmediaContentTokenFile,
    reconcilerTokensFile,
    reconcilerInventoryTokenFile,
    reconcilerSessionSecretFile,
    outletAdminTokensFile,
  } = settings.secrets;
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
  const inventoryToken = keepOrMake("inventory", existing?.inventoryToken);
  const operatorToken = keepOrMake("operator", existing?.operatorToken);
  const outletAdminToken = keepOrMake("outlet-admin", existing?.outletAdminToken);
  const local: LocalTokens = {
    contentUrl: contentUrl(settings),
    tokens,
    inventoryToken,
    operatorToken,
    outletAdminToken,
  };
  writeSecret(tokensFile, `${JSON.stringify(local, null, 2)}\n`);
  // Every token file in the one format of @herald/runtime, which every service reads.
  const serviceFile = tokenFileOf(
    Object.fromEntries(USERS.map((name) => [name, { token: tokens[name], ...LOCAL_USERS[name] }])),
  );
  writeSecret(serviceTokensFile, tokenFileText(serviceFile));
  const inventoryFile = tokenFileOf({ [INVENTORY_TOKEN_NAME]: { token: local.inventoryToken } });
  writeSecret(inventoryTokensFile, tokenFileText(inventoryFile));
  writeSecret(portalContentTokenFile, tokens.portal);
  writeSecret(reconcilerContentTokenFile, tokens.reconciler);
  writeSecret(outletGatewayContentTokenFile, tokens["outlet-gateway"]);
  writeSecret(newmediaContentTokenFile, tokens.newmedia);
  const reconcilerFile = tokenFileOf({
    [OPERATOR_TOKEN_NAME]: { token: operatorToken, roles: ["operator"] },
  });
  writeSecret(reconcilerTokensFile, tokenFileText(reconcilerFile));
  writeSecret(reconcilerInventoryTokenFile, local.inventoryToken);
  writeSecret(reconcilerSessionSecretFile, keepOrMakeSessionSecret(reconcilerSessionSecretFile));
  const outletAdminFile = tokenFileOf({
    [OUTLET_ADMIN_TOKEN_NAME]: { token: outletAdminToken, roles: ["admin"] },
  });
  writeSecret(outletAdminTokensFile, tokenFileText(outletAdminFile));
  return {
    created: existing === undefined,
    added,
    tokensFile,
    serviceTokensFile,
    inventoryTokensFile,
    portalContentTokenFile,
    reconcilerContentTokenFile,
    outletGatewayContentTokenFile,
    newmediaContentTokenFile,
    reconcilerTokensFile,
    reconcilerInventoryTokenFile,
    reconcilerSessionSecretFile,
    outletAdminTokensFile,
  };
}
