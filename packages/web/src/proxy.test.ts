import { parseTrustProxy } from "./proxy";

describe("parseTrustProxy", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["off", false],
    ["1", 1],
    ["loopback", ["loopback"]],
    ["10.0.0.0/8, 127.0.0.1", ["10.0.0.0/8", "127.0.0.1"]],
  ])("reads %j as %j", (value, expected) => {
    expect(parseTrustProxy(value, "X_TRUST_PROXY")).toEqual(expected);
  });

  it.each(["true", "0", "everyone", "10.0.0.0/8,evil"])(
    "refuses %j, naming the variable",
    (value) => {
      expect(() => parseTrustProxy(value, "X_TRUST_PROXY")).toThrow(/^X_TRUST_PROXY: /);
    },
  );
});
