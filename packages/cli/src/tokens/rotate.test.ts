import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashToken } from "@herald/runtime";
import { CommandError } from "../content/errors";
import { ensureLocalCredentials, readLocalTokens, readOperatorToken } from "../content/secrets";
import { contentSettings } from "../content/settings";
import { stackSettings } from "../stack/settings";
import { rotateTokens } from "./rotate";

const readJson = <T>(path: string) => JSON.parse(readFileSync(path, "utf8")) as T;
const hashOf = (path: string, name: string) =>
  readJson<{ tokens: { name: string; sha256: string }[] }>(path).tokens.find((t) => t.name === name)
    ?.sha256;

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "herald-rotate-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

async function localHome() {
  const settings = contentSettings(stackSettings({ HERALD_HOME: home }), {});
  await ensureLocalCredentials(settings);
  return settings;
}

describe("rotating a token of the local home", () => {
  it("writes the new hash and the CLI's copy; herald up keeps the new token", async () => {
    const settings = await localHome();
    const { secrets } = settings;
    const old = readLocalTokens(secrets.tokensFile).tokens.editor;

    const result = rotateTokens(secrets, { name: "editor", service: "content" });

    expect(result).toEqual({
      token: expect.stringMatching(/^hrld_/),
      file: secrets.serviceTokensFile,
      updated: [secrets.tokensFile],
      notes: [],
    });
    expect(result.token).not.toBe(old);
    expect(hashOf(secrets.serviceTokensFile, "editor")).toBe(hashToken(result.token));
    expect(readLocalTokens(secrets.tokensFile).tokens.editor).toBe(result.token);
    // The next `herald up` makes the token files from tokens.json: the rotation stays.
    await ensureLocalCredentials(settings);
    expect(hashOf(secrets.serviceTokensFile, "editor")).toBe(hashToken(result.token));
  });

  it("writes a service's own token file too, and says it must be restarted", async () => {
    const { secrets } = await localHome();
    const result = rotateTokens(secrets, { name: "portal", service: "content" });
    expect(readFileSync(secrets.portalContentTokenFile, "utf8")).toBe(result.token);
    expect(result.notes).toEqual([
      "restart the portal (`./herald down && ./herald up`): it reads its content token at start",
    ]);
    const newmedia = rotateTokens(secrets, { name: "newmedia", service: "content" });
    expect(readFileSync(secrets.newmediaContentTokenFile, "utf8")).toBe(newmedia.token);
    expect(readLocalTokens(secrets.tokensFile).tokens.newmedia).toBe(newmedia.token);
    expect(newmedia.notes).toEqual([
      "restart the newmedia channel (`./herald down && ./herald up`): it reads its content token at start",
    ]);
  });

  it("rotates the operator token in the reconciler's file and the inventory token in the channels'", async () => {
    const { secrets } = await localHome();
    const operator = rotateTokens(secrets, { name: "operator", service: "reconciler" });
    expect(hashOf(secrets.reconcilerTokensFile, "operator")).toBe(hashToken(operator.token));
    expect(readOperatorToken(secrets.tokensFile)).toBe(operator.token);

    const inventory = rotateTokens(secrets, { name: "operator", service: "inventory" });
    expect(hashOf(secrets.inventoryTokensFile, "operator")).toBe(hashToken(inventory.token));
    expect(readLocalTokens(secrets.tokensFile).inventoryToken).toBe(inventory.token);
    expect(readFileSync(secrets.reconcilerInventoryTokenFile, "utf8")).toBe(inventory.token);
  });

  it("refuses a name the file does not have, naming the names it has, and changes nothing", async () => {
    const { secrets } = await localHome();
    const before = readFileSync(secrets.tokensFile, "utf8");
    expect(() => rotateTokens(secrets, { name: "nobody", service: "reconciler" })).toThrow(
      new CommandError(
        `token file ${secrets.reconcilerTokensFile} has no token named nobody (it has: operator)`,
      ),
    );
    expect(readFileSync(secrets.tokensFile, "utf8")).toBe(before);
  });
});
