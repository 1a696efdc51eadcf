import { type ConsumingInput, consumingStatus, readiness } from "./consuming";

const NOW = 1_000_000;
const normal: ConsumingInput = {
  consumer: "running",
  consumerError: undefined,
  routerCrashed: false,
  lag: 0,
  idleMs: 0,
  stallMs: 60_000,
  lastFailure: undefined,
  lastSuccessAt: undefined,
  retriesPending: 0,
  now: NOW,
};

describe("the consuming state", () => {
  it("is normal when running, with or without lag, while it makes progress", () => {
    expect(consumingStatus(normal)).toMatchObject({
      state: "normal",
      detail: "lag 0, retries pending 0",
    });
    expect(consumingStatus({ ...normal, lag: 500, idleMs: 59_000 }).state).toBe("normal");
  });

  it("is stalled with lag and no progress for longer than the stall time, and normal again after", () => {
    const stalled = consumingStatus({ ...normal, lag: 2, idleMs: 61_000 });
    expect(stalled).toMatchObject({ state: "stalled", lag: 2, idleSeconds: 61 });
    expect(stalled.detail).toMatch(/no progress for 61 s with 2 messages behind/);
    // Idle without lag is not a stall.
    expect(consumingStatus({ ...normal, idleMs: 3_600_000 }).state).toBe("normal");
  });

  it("is failing while the last apply failed and none succeeded since, for the stall time", () => {
    const failing = { ...normal, lastFailure: { at: NOW - 1000, message: "database: timed out" } };
    expect(consumingStatus(failing)).toMatchObject({
      state: "failing",
      detail: "applies failing: database: timed out",
    });
    expect(consumingStatus({ ...failing, lastSuccessAt: NOW - 500 }).state).toBe("normal");
    expect(consumingStatus({ ...failing, now: NOW + 60_000 }).state).toBe("normal");
  });

  it("is crashed when the consumer or the redelivery router stopped for good, starting while loading", () => {
    expect(
      consumingStatus({ ...normal, consumer: "crashed", consumerError: "boom" }),
    ).toMatchObject({
      state: "crashed",
      detail: "consumer crashed: boom",
    });
    expect(consumingStatus({ ...normal, routerCrashed: true }).state).toBe("crashed");
    expect(consumingStatus({ ...normal, consumer: "loading" }).state).toBe("starting");
  });
});

describe("readiness for traffic", () => {
  it("waits for the holdings, then stays ready whatever the consuming state, which rides along", () => {
    const stalled = consumingStatus({ ...normal, lag: 2, idleMs: 61_000 });
    expect(readiness(false, consumingStatus({ ...normal, consumer: "loading" }))).toMatchObject({
      ok: false,
      detail: "holdings not loaded yet (consumer loading)",
    });
    expect(readiness(true, stalled)).toMatchObject({
      ok: true,
      consuming: { state: "stalled" },
    });
    expect(readiness(true, stalled).detail).toMatch(/^holdings loaded; consuming stalled: /);
    const crashed = consumingStatus({ ...normal, consumer: "crashed", consumerError: "boom" });
    expect(readiness(true, crashed).ok).toBe(true);
  });
});
