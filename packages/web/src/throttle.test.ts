import { SignInThrottle, throttledMessage } from "./throttle";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe("SignInThrottle", () => {
  it("allows five failures a minute per client, then says how long to wait", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i < 5; i += 1) {
      expect(throttle.check("10.0.0.1", at(i))).toEqual({ allowed: true });
      throttle.fail("10.0.0.1", at(i));
    }
    expect(throttle.check("10.0.0.1", at(10))).toEqual({ allowed: false, retryAfterSeconds: 50 });
    // Another client is not affected.
    expect(throttle.check("10.0.0.2", at(10))).toEqual({ allowed: true });
    // Once the first failure leaves the window, one more try is allowed.
    expect(throttle.check("10.0.0.1", at(60))).toEqual({ allowed: true });
  });

  it("clears a client's failures when it signs in", () => {
    const throttle = new SignInThrottle({ limit: 2 });
    throttle.fail("c", at(0));
    throttle.succeed("c");
    throttle.fail("c", at(1));
    expect(throttle.check("c", at(2))).toEqual({ allowed: true });
  });

  it("forgets the least recently failing client past maxClients", () => {
    const throttle = new SignInThrottle({ limit: 1, maxClients: 2 });
    throttle.fail("a", at(0));
    throttle.fail("b", at(1));
    throttle.fail("c", at(2));
    expect(throttle.check("a", at(3))).toEqual({ allowed: true });
    expect(throttle.check("c", at(3)).allowed).toBe(false);
  });

  it("says when to try again, in Chinese", () => {
    expect(throttledMessage(42)).toMatch(/请在 42 秒后再试/);
  });
});
