import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stackSettings } from "../stack/settings";
import { CommandError } from "./errors";
import { ensureLocalCredentials, readLocalTokens } from "./secrets";
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
        `${tokensFile} has no token for portal, inventory; run \`./herald up\` to add the missing ones`,
      ),
    );
  });

  it("get the portal's and the inventory token; the old tokens are kept", async () => {
    const settings = settingsOf();
    const { tokensFile, serviceTokensFile, inventoryTokensFile, portalContentTokenFile } =
      settings.secrets;

    const result = await ensureLocalCredentials(settings);
    expect(result.created).toBe(false);
    expect(result.added).toEqual(["portal", "inventory"]);

    const local = readLocalTokens(tokensFile);
    expect(local.tokens).toEqual({ ...old.tokens, portal: expect.stringMatching(/^hrld_/) });
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
  it("give every local user and the inventory a distinct token", async () => {
    const settings = settingsOf();
    const result = await ensureLocalCredentials(settings);
    expect(result).toMatchObject({ created: true, added: [] });
    const local = readLocalTokens(settings.secrets.tokensFile);
    const all = [...Object.values(local.tokens), local.inventoryToken];
    expect(all).toHaveLength(6);
    expect(new Set(all).size).toBe(6);
  });
});
