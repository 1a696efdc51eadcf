import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotateToken, tokenFileOf, writeTokenFile } from "@herald/runtime";
import { OperatorTokens } from "./auth";

describe("OperatorTokens from a file", () => {
  function setUp() {
    const path = join(mkdtempSync(join(tmpdir(), "herald-operators-")), "operators.json");
    writeTokenFile(path, tokenFileOf({ 王敏: { token: "old", roles: ["operator"] } }));
    const clock = { now: 0 };
    const tokens = OperatorTokens.load(path, undefined, {
      checkIntervalMs: 1_000,
      now: () => clock.now,
    });
    return { path, clock, tokens };
  }

  it("refuses a rotated token after the next check, and accepts the new one", () => {
    const { path, clock, tokens } = setUp();
    expect(tokens.authenticate("Bearer old")).toEqual({ name: "王敏", roles: ["operator"] });
    const fresh = rotateToken(path, "王敏");
    clock.now = 1_000;
    expect(tokens.identify("old")).toBeUndefined();
    expect(tokens.identify(fresh)).toEqual({ name: "王敏", roles: ["operator"] });
  });

  it("gives a fingerprint that changes when the token is rotated and is gone when it is removed", () => {
    const { path, clock, tokens } = setUp();
    const before = tokens.fingerprint("王敏");
    expect(before).toMatch(/^[0-9a-f]{32}$/);
    expect(tokens.fingerprint("nobody")).toBeUndefined();
    rotateToken(path, "王敏");
    clock.now = 1_000;
    expect(tokens.fingerprint("王敏")).not.toBe(before);
    writeTokenFile(path, tokenFileOf({ other: { token: "x", roles: ["operator"] } }));
    clock.now = 2_000;
    expect(tokens.fingerprint("王敏")).toBeUndefined();
  });

  it("refuses a file with a role the reconciler does not know, naming the field and the rule", () => {
    const path = join(mkdtempSync(join(tmpdir(), "herald-operators-")), "operators.json");
    writeTokenFile(path, tokenFileOf({ ed: { token: "t", roles: ["editor"] } }));
    expect(() => OperatorTokens.load(path)).toThrow(
      `invalid operator token file ${path}: tokens.0.roles.0: one of operator`,
    );
  });
});
