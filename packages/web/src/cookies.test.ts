import { readCookie, setCookie } from "./cookies";
import { displayCookie, displayFromCookie } from "./display-mode";

describe("cookies", () => {
  it("are HttpOnly, for the whole site, and Secure only when asked", () => {
    expect(setCookie("n", "v", { maxAge: 60, sameSite: "Strict", secure: false })).toBe(
      "n=v; Max-Age=60; Path=/; HttpOnly; SameSite=Strict",
    );
    expect(setCookie("n", "v", { maxAge: 0, sameSite: "Lax", secure: true })).toBe(
      "n=v; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure",
    );
  });

  it("refuse a value a cookie cannot carry", () => {
    expect(() => setCookie("n", "a;b", { maxAge: 1, sameSite: "Lax", secure: false })).toThrow(
      /cookie n/,
    );
  });

  it("are read from a Cookie header", () => {
    expect(readCookie("a=1; b=2=3", "b")).toBe("2=3");
    expect(readCookie("a=1", "b")).toBeUndefined();
  });

  it("keep the display mode", () => {
    const cookie = displayCookie({ large: true, contrast: true }, false).split(";")[0];
    expect(displayFromCookie(cookie)).toEqual({ large: true, contrast: true });
  });
});
