import { CommandError } from "../content/errors";
import { KIND_NAMES, addRequestOf, checkOutletName } from "./options";

describe("herald outlet add's options", () => {
  it("spell kinds as the admin API does", () => {
    expect(KIND_NAMES).toEqual(
      expect.arrayContaining(["news", "policy-document", "administrative-penalty"]),
    );
    expect(KIND_NAMES).not.toContain("unspecified");
    expect(KIND_NAMES).not.toContain("unrecognized");
  });

  it("become the admin API's request", () => {
    expect(
      addRequestOf("credit-registry", {
        kinds: "administrative-penalty, news,news",
        audiences: "public,internal",
        keepsWithdrawn: true,
      }),
    ).toEqual({
      name: "credit-registry",
      kinds: ["administrative-penalty", "news"],
      audiences: ["public", "internal"],
      keepsWithdrawn: true,
      keepsExpired: false,
    });
    expect(addRequestOf("site", { kinds: "all" })).toEqual({
      name: "site",
      kinds: [],
      keepsWithdrawn: false,
      keepsExpired: false,
    });
  });

  it("are refused with the field and the rule", () => {
    expect(() => checkOutletName("Registry")).toThrow(
      new CommandError(
        'name: "Registry" breaks the rule outlet-name (^[a-z][a-z0-9-]{0,55}$): lower-case letters, digits and dashes, starting with a letter, at most 56 characters',
      ),
    );
    expect(() => checkOutletName(`a${"b".repeat(56)}`)).toThrow(/breaks the rule outlet-name/);
    expect(() => addRequestOf("site", { kinds: "news,penalty" })).toThrow(
      /^--kinds: unknown "penalty"; expected one or more of news, /,
    );
    expect(() => addRequestOf("site", { kinds: " , " })).toThrow(/^--kinds: empty; expected/);
    expect(() => addRequestOf("site", { kinds: "news,all" })).toThrow(
      new CommandError('--kinds: "all" stands alone; it means every kind'),
    );
    expect(() => addRequestOf("site", { kinds: "news", audiences: "staff" })).toThrow(
      new CommandError('--audiences: unknown "staff"; expected one or more of public, internal'),
    );
  });
});
