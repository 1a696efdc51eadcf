import { existsSync, readFileSync } from "node:fs";
import {
  DEFAULT_TOKEN_RULES,
  TokenFileError,
  newToken,
  readTokenFile,
  requireTokenName,
  rotateToken,
} from "@herald/runtime";
import { CommandError } from "../content/errors";
import { type LocalSecrets } from "../content/settings";
import { writeSecret } from "../content/secrets";

/** The token files of a local home that `herald tokens rotate --service` names. */
export const TOKEN_SERVICES = ["content", "reconciler", "inventory", "outlet-gateway"] as const;
export type TokenService = (typeof TOKEN_SERVICES)[number];

export interface RotateRequest {
  name: string;
  /** A token file of the local home; ignored when `file` is given. */
  service: TokenService;
  /** Any token file (a deployment's), rotated alone. */
  file?: string;
}

export interface RotateResult {
  /** The new token: shown once, never stored in the token file. */
  token: string;
  file: string;
  /** Other files of the local home that now hold the new token. */
  updated: string[];
  /** What the operator must still do, e.g. restart a service that reads its token at start. */
  notes: string[];
}

function tokenFileOfService(secrets: LocalSecrets, service: TokenService): string {
  switch (service) {
    case "content":
      return secrets.serviceTokensFile;
    case "reconciler":
      return secrets.reconcilerTokensFile;
    case "inventory":
      return secrets.inventoryTokensFile;
    case "outlet-gateway":
      return secrets.outletAdminTokensFile;
  }
}

/**
 * Where the local home keeps the plain token of `name` besides the token file: a
 * field of tokens.json (which `herald up` makes the token files from, so it must
 * follow, or the next `herald up` would bring the old token back) and the file a
 * service reads its own token from at start.
 */
function localCopies(
  secrets: LocalSecrets,
  service: TokenService,
  name: string,
):
  | { set: (tokens: LocalTokensJson, token: string) => void; clientFile?: string; note?: string }
  | undefined {
  if (service === "content") {
    if (name === "portal") {
      return {
        set: (t, token) => void (t.tokens[name] = token),
        clientFile: secrets.portalContentTokenFile,
        note: "restart the portal (`./herald down && ./herald up`): it reads its content token at start",
      };
    }
    if (name === "reconciler") {
      return {
        set: (t, token) => void (t.tokens[name] = token),
        clientFile: secrets.reconcilerContentTokenFile,
        note: "restart the reconciler (`./herald down && ./herald up`): it reads its content token at start",
      };
    }
    if (name === "newmedia") {
      return {
        set: (t, token) => void (t.tokens[name] = token),
        clientFile: secrets.newmediaContentTokenFile,
        note: "restart the newmedia channel (`./herald down && ./herald up`): it reads its content token at start",
      };
    }
    return { set: (t, token) => void (t.tokens[name] = token) };
  }
  if (service === "reconciler" && name === "operator") {
    return { set: (t, token) => void (t.operatorToken = token) };
  }
  if (service === "outlet-gateway" && name === "operator") {
    return { set: (t, token) => void (t.outletAdminToken = token) };
  }
  if (service === "inventory" && name === "operator") {
    return {
      set: (t, token) => void (t.inventoryToken = token),
      clientFile: secrets.reconcilerInventoryTokenFile,
      note: "restart the reconciler (`./herald down && ./herald up`): it reads its inventory token at start",
    };
  }
  return undefined;
}

interface LocalTokensJson {
  tokens: Record<string, unknown>;
  inventoryToken?: unknown;
  operatorToken?: unknown;
  outletAdminToken?: unknown;
}

/**
 * Gives `name` a new token: its hash goes into the token file, which the
 * services read again within seconds (the old token is refused from then on),
 * and the token is returned to be shown once. In the local home the plain copies
 * (`tokens.json`, a service's own token file) are written first, so a failure
 * half-way leaves what the next `herald up` makes the token files from.
 */
export function rotateTokens(secrets: LocalSecrets, request: RotateRequest): RotateResult {
  const file = request.file ?? tokenFileOfService(secrets, request.service);
  const rules = { ...DEFAULT_TOKEN_RULES, label: "token file" };
  try {
    requireTokenName(readTokenFile(file, rules), file, request.name, rules);
  } catch (error) {
    if (error instanceof TokenFileError) throw new CommandError(error.message);
    throw error;
  }
  const token = newToken();
  const updated: string[] = [];
  const notes: string[] = [];
  const copies = request.file ? undefined : localCopies(secrets, request.service, request.name);
  if (copies && existsSync(secrets.tokensFile)) {
    const local = JSON.parse(readFileSync(secrets.tokensFile, "utf8")) as LocalTokensJson;
    copies.set(local, token);
    writeSecret(secrets.tokensFile, `${JSON.stringify(local, null, 2)}\n`);
    updated.push(secrets.tokensFile);
  }
  if (copies?.clientFile) {
    writeSecret(copies.clientFile, token);
    updated.push(copies.clientFile);
  }
  if (copies?.note) notes.push(copies.note);
  rotateToken(file, request.name, rules, token);
  return { token, file, updated, notes };
}
