import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  TokenFileError,
  hashToken,
  readTokenFile,
  rotateToken,
  tokenFileOf,
  writeTokenFile,
} from "./token-file";
import { TokenStore } from "./token-store";

const dir = () => mkdtempSync(join(tmpdir(), "herald-runtime-tokens-"));
const CONTENT_RULES = {
  label: "content token file",
  roles: ["admin", "editor", "channel"],
  kinds: ["news", "notice"],
};

describe("token files", () => {
  it("write and read back one format, with mode 0600 and only hashes", () => {
    const path = join(dir(), "tokens.json");
    writeTokenFile(
      path,
      tokenFileOf({ ed: { token: "secret-ed", roles: ["editor"], kinds: ["news"] } }),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).not.toContain("secret-ed");
    expect(readTokenFile(path, CONTENT_RULES)).toEqual({
      tokens: [{ name: "ed", roles: ["editor"], kinds: ["news"], sha256: hashToken("secret-ed") }],
    });
  });

  it("read the files older versions wrote: content, reconciler and inventory forms", () => {
    const d = dir();
    const content = join(d, "content-tokens.json");
    writeFileSync(
      content,
      JSON.stringify({ tokens: [{ name: "admin", roles: ["admin"], sha256: hashToken("a") }] }),
    );
    const operators = join(d, "reconciler-tokens.json");
    writeFileSync(
      operators,
      JSON.stringify({
        tokens: [{ name: "operator", roles: ["operator"], sha256: hashToken("o") }],
      }),
    );
    const inventory = join(d, "inventory-tokens.json");
    writeFileSync(
      inventory,
      JSON.stringify({ tokens: [{ name: "operator", sha256: hashToken("i") }] }),
    );
    expect(readTokenFile(content, CONTENT_RULES).tokens[0]!.name).toBe("admin");
    expect(
      readTokenFile(operators, { label: "operator token file", roles: ["operator"] }).tokens,
    ).toHaveLength(1);
    expect(readTokenFile(inventory).tokens).toEqual([{ name: "operator", sha256: hashToken("i") }]);
  });

  it("name the field and the rule of every problem", () => {
    const path = join(dir(), "bad.json");
    writeFileSync(
      path,
      JSON.stringify({
        tokens: [
          { name: "a", roles: ["root"], sha256: "ABC" },
          { name: "b", roles: [], kinds: ["film"], sha256: hashToken("b") },
          { name: "b", roles: ["editor"], sha256: hashToken("c") },
        ],
      }),
    );
    expect(() => readTokenFile(path, CONTENT_RULES)).toThrow(
      new TokenFileError(
        `invalid content token file ${path}: tokens.0.roles.0: one of admin, editor, channel; ` +
          "tokens.0.sha256: lower-case hex SHA-256 of the token; tokens.1.roles: at least one role; " +
          "tokens.1.kinds.0: one of news, notice; tokens.2.name: names are unique",
      ),
    );
    expect(() => readTokenFile(join(dir(), "missing.json"), CONTENT_RULES)).toThrow(
      /^cannot read the content token file .*missing\.json: ENOENT/,
    );
  });

  it("rotate one name: a new token is returned, its hash replaces the old, the rest is kept", () => {
    const path = join(dir(), "tokens.json");
    writeTokenFile(
      path,
      tokenFileOf({
        ed: { token: "old", roles: ["editor"] },
        rev: { token: "r", roles: ["admin"] },
      }),
    );
    const fresh = rotateToken(path, "ed", CONTENT_RULES);
    expect(fresh).toMatch(/^hrld_[A-Za-z0-9_-]{43}$/);
    expect(readTokenFile(path, CONTENT_RULES).tokens).toEqual([
      { name: "ed", roles: ["editor"], sha256: hashToken(fresh) },
      { name: "rev", roles: ["admin"], sha256: hashToken("r") },
    ]);
    expect(() => rotateToken(path, "nobody")).toThrow(
      `token file ${path} has no token named nobody (it has: ed, rev)`,
    );
  });
});

describe("TokenStore", () => {
  function storeAt(path: string, clock: { now: number }, errors: Error[] = []) {
    return TokenStore.open(path, CONTENT_RULES, (e) => e.name, {
      checkIntervalMs: 1_000,
      now: () => clock.now,
      onError: (error) => errors.push(error),
    });
  }

  it("identifies callers by bearer token and refuses others", () => {
    const store = TokenStore.of(tokenFileOf({ ed: { token: "t1" } }), (e) => e.name);
    expect(store.authenticate("Bearer t1")).toBe("ed");
    expect(store.authenticate("bearer   t1 ")).toBe("ed");
    expect(store.identify("t2")).toBeUndefined();
    expect(store.authenticate("Basic t1")).toBeUndefined();
    expect(store.authenticate(undefined)).toBeUndefined();
  });

  it("reads a changed file again after the check interval: a rotated token is refused", () => {
    const path = join(dir(), "tokens.json");
    writeTokenFile(path, tokenFileOf({ ed: { token: "old", roles: ["editor"] } }));
    const clock = { now: 0 };
    const store = storeAt(path, clock);
    expect(store.identify("old")).toBe("ed");
    const fresh = rotateToken(path, "ed");
    clock.now = 999;
    expect(store.identify("old")).toBe("ed"); // not looked at yet
    clock.now = 1_000;
    expect(store.identify("old")).toBeUndefined();
    expect(store.identify(fresh)).toBe("ed");
  });

  it("keeps the tokens it had when the changed file is invalid, and reports it once", () => {
    const path = join(dir(), "tokens.json");
    writeTokenFile(path, tokenFileOf({ ed: { token: "t", roles: ["editor"] } }));
    const clock = { now: 0 };
    const errors: Error[] = [];
    const store = storeAt(path, clock, errors);
    writeFileSync(path, "{ not json");
    clock.now = 5_000;
    expect(store.identify("t")).toBe("ed");
    clock.now = 10_000;
    expect(store.identify("t")).toBe("ed");
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^cannot read the content token file .*tokens\.json: /),
    ]);
    writeTokenFile(path, tokenFileOf({ rev: { token: "u", roles: ["admin"] } }));
    clock.now = 15_000;
    expect(store.identify("t")).toBeUndefined();
    expect(store.identify("u")).toBe("rev");
  });
});
