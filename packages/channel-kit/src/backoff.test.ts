import { backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  const options = { initialMs: 100, maxMs: 1000 };

  it("doubles the ceiling per attempt and stays within [ceiling/2, ceiling]", () => {
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
    expect(backoffDelay(3, options, () => 0)).toBe(200);
  });

  it("never exceeds the cap, however many attempts", () => {
    expect(backoffDelay(50, options, () => 1)).toBe(1000);
  });

  it("spreads retries that fail together", () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4, options)));
    expect(delays.size).toBeGreaterThan(5);
  });
});
