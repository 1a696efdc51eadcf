import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotateToken, tokenFileOf, writeTokenFile } from "@herald/runtime";
import { UnauthenticatedError } from "../domain/errors";
import { TokenRegistry } from "./tokens";

const tempFile = () => join(mkdtempSync(join(tmpdir(), "herald-content-tokens-")), "tokens.json");

describe("TokenRegistry", () => {
  it("reads the file again when it changes: a rotated token is unknown, the new one works", () => {
    const path = tempFile();
    writeTokenFile(
      path,
      tokenFileOf({ upstream: { token: "old", roles: ["upstream"], kinds: ["notice"] } }),
    );
    const clock = { now: 0 };
    const registry = TokenRegistry.load(path, undefined, {
      checkIntervalMs: 1_000,
      now: () => clock.now,
    });
    expect(registry.authenticate("Bearer old")).toEqual({
      name: "upstream",
      roles: ["upstream"],
      kinds: ["notice"],
    });
    const fresh = rotateToken(path, "upstream");
    clock.now = 1_000;
    expect(() => registry.authenticate("Bearer old")).toThrow(
      new UnauthenticatedError("unknown or revoked token"),
    );
    expect(registry.authenticate(`Bearer ${fresh}`).name).toBe("upstream");
  });

  it("says what is wrong with the header", () => {
    const registry = new TokenRegistry({ tokens: [] });
    expect(() => registry.authenticate(undefined)).toThrow(
      "missing credentials: send Authorization: Bearer <token>",
    );
    expect(() => registry.authenticate("Basic abc")).toThrow(
      "malformed Authorization header: use Bearer <token>",
    );
  });

  it("refuses a file with an unknown role or kind, naming the field and the rule", () => {
    const path = tempFile();
    writeFileSync(
      path,
      JSON.stringify(tokenFileOf({ x: { token: "t", roles: ["root"], kinds: ["film"] } })),
    );
    expect(() => TokenRegistry.load(path)).toThrow(
      /^invalid content token file .*: tokens\.0\.roles\.0: one of editor, reviewer, admin, upstream, channel; tokens\.0\.kinds\.0: one of /,
    );
  });
});
