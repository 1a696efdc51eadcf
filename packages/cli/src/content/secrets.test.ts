import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stackSettings } from "../stack/settings";
import { CommandError } from "./errors";
import {
  ensureLocalCredentials,
  readLocalTokens,
  readOperatorToken,
  readOutletAdminToken,
} from "./secrets";
import { contentSettings } from "./settings";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const mode = (path: string) => statSync(path).mode & 0o777;
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, "utf8")) as T;

interface ServiceTokens {
  tokens: { name: string; roles: string[]; kinds?: string[]; sha256: string }[];
}

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "herald-secrets-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const settingsOf = () => contentSettings(stackSettings({ HERALD_HOME: home }), {});

describe("local credentials from an older herald up", () => {
  // What `herald up` wrote before the portal: four users, no inventory token.
  const old = {
    contentUrl: "http://127.0.0.1:4000",
    tokens: {
      admin: "hrld_old-admin",
      editor: "hrld_old-editor",
      reviewer: "hrld_old-reviewer",
      "penalty-system": "hrld_old-penalty",
    },
  };

  beforeEach(() => {
    mkdirSync(join(home, "secrets"), { mode: 0o700 });
    writeFileSync(join(home, "secrets", "tokens.json"), JSON.stringify(old), { mode: 0o600 });
  });

  it("are refused by the commands until herald up completes them", () => {
    const { tokensFile } = settingsOf().secrets;
    expect(() => readLocalTokens(tokensFile)).toThrow(
      new CommandError(
        `${tokensFile} has no token for portal, reconciler, inventory; run \`./herald up\` to add the missing ones`,
      ),
    );
  });

  it("get the portal's, the inventory and the operator token; the old tokens are kept", async () => {
    const settings = settingsOf();
    const { tokensFile, serviceTokensFile, inventoryTokensFile, portalContentTokenFile } =
      settings.secrets;

    const result = await ensureLocalCredentials(settings);
    expect(result.created).toBe(false);
    expect(result.added).toEqual([
      "portal",
      "reconciler",
      "outlet-gateway",
      "newmedia",
      "inventory",
      "operator",
      "outlet-admin",
    ]);

    const local = readLocalTokens(tokensFile);
    expect(local.tokens).toEqual({
      ...old.tokens,
      portal: expect.stringMatching(/^hrld_/),
      reconciler: expect.stringMatching(/^hrld_/),
      "outlet-gateway": expect.stringMatching(/^hrld_/),
      newmedia: expect.stringMatching(/^hrld_/),
    });
    expect(readFileSync(settings.secrets.reconcilerContentTokenFile, "utf8")).toBe(
      local.tokens.reconciler,
    );
    expect(local.inventoryToken).toMatch(/^hrld_/);
    expect(local.inventoryToken).not.toBe(local.tokens.portal);

    expect(readFileSync(portalContentTokenFile, "utf8")).toBe(local.tokens.portal);
    const service = readJson<ServiceTokens>(serviceTokensFile);
    expect(service.tokens.map((t) => t.name)).toEqual([
      "admin",
      "editor",
      "reviewer",
      "penalty-system",
      "portal",
      "reconciler",
      "outlet-gateway",
      "newmedia",
    ]);
    expect(service.tokens[0]).toEqual({
      name: "admin",
      roles: ["admin"],
      sha256: sha256(old.tokens.admin),
    });
    expect(service.tokens[4]).toEqual({
      name: "portal",
      roles: ["channel"],
      sha256: sha256(local.tokens.portal),
    });
    expect(readJson(inventoryTokensFile)).toEqual({
      tokens: [{ name: "operator", sha256: sha256(local.inventoryToken) }],
    });

    expect(mode(join(home, "secrets"))).toBe(0o700);
    for (const file of [
      tokensFile,
      serviceTokensFile,
      inventoryTokensFile,
      portalContentTokenFile,
    ]) {
      expect(mode(file)).toBe(0o600);
      if (file !== tokensFile && file !== portalContentTokenFile) {
        // Only hashes leave tokens.json (and the portal's own token file).
        expect(readFileSync(file, "utf8")).not.toContain(local.tokens.portal);
        expect(readFileSync(file, "utf8")).not.toContain(local.inventoryToken);
      }
    }

    const files = [tokensFile, serviceTokensFile, inventoryTokensFile, portalContentTokenFile];
    const before = files.map((file) => readFileSync(file, "utf8"));
    const again = await ensureLocalCredentials(settings);
    expect(again).toMatchObject({ created: false, added: [] });
    expect(files.map((file) => readFileSync(file, "utf8"))).toEqual(before);
  });
});

describe("new local credentials", () => {
  it("give every local user, the inventory and the operator a distinct token", async () => {
    const settings = settingsOf();
    const result = await ensureLocalCredentials(settings);
    expect(result).toMatchObject({ created: true, added: [] });
    const local = readLocalTokens(settings.secrets.tokensFile);
    const all = [
      ...Object.values(local.tokens),
      local.inventoryToken,
      local.operatorToken,
      local.outletAdminToken,
    ];
    expect(all).toHaveLength(11);
    expect(new Set(all).size).toBe(11);
  });

  it("name the override variables when tokens.json is missing", () => {
    const { tokensFile } = settingsOf().secrets;
    expect(() => readLocalTokens(tokensFile)).toThrow(
      new CommandError(
        `no local credentials: ${tokensFile} does not exist; run \`./herald up\` first (or set HERALD_CONTENT_URL and HERALD_TOKEN)`,
      ),
    );
    expect(() => readOperatorToken(tokensFile)).toThrow(
      new CommandError(
        `no local credentials: ${tokensFile} does not exist; run \`./herald up\` first (or set HERALD_OPERATOR_TOKEN)`,
      ),
    );
  });
});

describe("local credentials from a herald up before the reconciler", () => {
  // What `herald up` wrote once it ran the portal: every user and the inventory token.
  const before = {
    contentUrl: "http://127.0.0.1:4000",
    tokens: {
      admin: "hrld_admin",
      editor: "hrld_editor",
      reviewer: "hrld_reviewer",
      "penalty-system": "hrld_penalty",
      portal: "hrld_portal",
      reconciler: "hrld_reconciler",
    },
    inventoryToken: "hrld_inventory",
  };

  beforeEach(() => {
    mkdirSync(join(home, "secrets"), { mode: 0o700 });
    writeFileSync(join(home, "secrets", "tokens.json"), JSON.stringify(before), { mode: 0o600 });
  });

  it("serve the item commands, and are refused by the reconciler's until herald up adds the operator token", () => {
    const { tokensFile } = settingsOf().secrets;
    expect(readLocalTokens(tokensFile)).toEqual(before);
    expect(() => readOperatorToken(tokensFile)).toThrow(
      new CommandError(
        `${tokensFile} has no operator token; run \`./herald up\` to add it (or set HERALD_OPERATOR_TOKEN)`,
      ),
    );
  });

  it("get the operator token and the reconciler's files; every other token stays as it was", async () => {
    const settings = settingsOf();
    const secrets = settings.secrets;

    const result = await ensureLocalCredentials(settings);
    expect(result).toMatchObject({
      created: false,
      added: ["outlet-gateway", "newmedia", "operator", "outlet-admin"],
      reconcilerTokensFile: join(home, "secrets", "reconciler-tokens.json"),
      reconcilerInventoryTokenFile: join(home, "secrets", "reconciler-inventory-token"),
      reconcilerSessionSecretFile: join(home, "secrets", "reconciler-session-secret"),
    });

    const local = readLocalTokens(secrets.tokensFile);
    const operatorToken = readOperatorToken(secrets.tokensFile);
    const outletAdminToken = readOutletAdminToken(secrets.tokensFile);
    expect(local).toEqual({
      ...before,
      tokens: {
        ...before.tokens,
        "outlet-gateway": expect.stringMatching(/^hrld_/),
        newmedia: expect.stringMatching(/^hrld_/),
      },
      operatorToken,
      outletAdminToken,
    });
    expect(operatorToken).toMatch(/^hrld_/);
    expect(Object.values(before.tokens)).not.toContain(operatorToken);
    expect(operatorToken).not.toBe(before.inventoryToken);
    // The content service, the portal and the channels go on with the tokens they had
    // (the outlet gateway's is new); the operator token is the reconciler's alone.
    const service = readJson<ServiceTokens>(secrets.serviceTokensFile);
    expect(service.tokens.map((t) => [t.name, t.sha256])).toEqual([
      ...Object.entries(before.tokens).map(([name, token]) => [name, sha256(token)]),
      ["outlet-gateway", sha256(local.tokens["outlet-gateway"] ?? "")],
      ["newmedia", sha256(local.tokens.newmedia ?? "")],
    ]);
    expect(readJson(secrets.inventoryTokensFile)).toEqual({
      tokens: [{ name: "operator", sha256: sha256(before.inventoryToken) }],
    });
    expect(readFileSync(secrets.portalContentTokenFile, "utf8")).toBe(before.tokens.portal);

    // The format OperatorTokens.load in @herald/reconciler reads: the hash, never the token.
    const reconcilerTokens = readFileSync(result.reconcilerTokensFile, "utf8");
    expect(JSON.parse(reconcilerTokens)).toEqual({
      tokens: [{ name: "operator", roles: ["operator"], sha256: sha256(operatorToken) }],
    });
    expect(reconcilerTokens).not.toContain(operatorToken);
    expect(readFileSync(result.reconcilerInventoryTokenFile, "utf8")).toBe(before.inventoryToken);
    const secret = readFileSync(result.reconcilerSessionSecretFile, "utf8");
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect([operatorToken, local.inventoryToken]).not.toContain(secret);
    for (const file of [
      result.reconcilerTokensFile,
      result.reconcilerInventoryTokenFile,
      result.reconcilerSessionSecretFile,
    ]) {
      expect(mode(file)).toBe(0o600);
    }

    // Made once: a later `herald up` keeps the operator token and the session secret.
    const files = [
      secrets.tokensFile,
      result.reconcilerTokensFile,
      result.reconcilerInventoryTokenFile,
      result.reconcilerSessionSecretFile,
    ];
    const made = files.map((file) => readFileSync(file, "utf8"));
    expect(await ensureLocalCredentials(settings)).toMatchObject({ created: false, added: [] });
    expect(files.map((file) => readFileSync(file, "utf8"))).toEqual(made);
  });

  it("replace a session secret too short for the reconciler", async () => {
    const settings = settingsOf();
    const file = settings.secrets.reconcilerSessionSecretFile;
    writeFileSync(file, "short", { mode: 0o600 });
    await ensureLocalCredentials(settings);
    expect(readFileSync(file, "utf8").length).toBeGreaterThanOrEqual(32);
  });
});

describe("the outlet gateway's admin token", () => {
  it("is made once, kept in tokens.json, and only its hash (role admin) is in the gateway's file", async () => {
    const settings = settingsOf();
    const { tokensFile, outletAdminTokensFile } = settings.secrets;
    const result = await ensureLocalCredentials(settings);
    expect(result.outletAdminTokensFile).toBe(join(home, "secrets", "outlet-admin-tokens.json"));
    const token = readOutletAdminToken(tokensFile);
    expect(token).toMatch(/^hrld_/);
    const file = readFileSync(outletAdminTokensFile, "utf8");
    expect(JSON.parse(file)).toEqual({
      tokens: [{ name: "operator", roles: ["admin"], sha256: sha256(token) }],
    });
    expect(file).not.toContain(token);
    expect(mode(outletAdminTokensFile)).toBe(0o600);
    await ensureLocalCredentials(settings);
    expect(readOutletAdminToken(tokensFile)).toBe(token);
    expect(readFileSync(outletAdminTokensFile, "utf8")).toBe(file);
  });

  it("is refused by name when tokens.json predates it", () => {
    const { tokensFile } = settingsOf().secrets;
    mkdirSync(join(home, "secrets"), { mode: 0o700 });
    writeFileSync(tokensFile, JSON.stringify({ contentUrl: "http://127.0.0.1:4000", tokens: {} }));
    expect(() => readOutletAdminToken(tokensFile)).toThrow(
      new CommandError(
        `${tokensFile} has no outlet admin token; run \`./herald up\` to add it (or set HERALD_OUTLET_ADMIN_TOKEN)`,
      ),
    );
  });
});
