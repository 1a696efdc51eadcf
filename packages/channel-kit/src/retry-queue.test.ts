import { itemState } from "./testing";
import { RetryQueue } from "./retry-queue";

describe("the retry queue", () => {
  let queue: RetryQueue;
  const runs: string[] = [];
  beforeEach(() => {
    runs.length = 0;
    queue = new RetryQueue({
      // Long enough that nothing fires during a test.
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      maxAttempts: 3,
      maxPending: 2,
      run: (state) => {
        runs.push(state.id);
        return Promise.resolve();
      },
    });
  });
  afterEach(() => queue.stop());

  it("sheds a new item once `maxPending` items wait: no retry for it, counted, the others kept", () => {
    expect(queue.schedule(itemState("a", 1), 1, 0)).toBe(true);
    expect(queue.schedule(itemState("b", 1), 1, 0)).toBe(true);
    expect(queue.schedule(itemState("c", 1), 1, 0)).toBe(false);
    expect({ size: queue.size, shed: queue.shed, limit: queue.limit }).toEqual({
      size: 2,
      shed: 1,
      limit: 2,
    });
  });

  it("lets an item that waits already take its place again when full (a newer version, a failed retry)", () => {
    queue.schedule(itemState("a", 1), 1, 0);
    queue.schedule(itemState("b", 1), 1, 0);
    expect(queue.schedule(itemState("a", 2), 1, 0)).toBe(true);
    expect({ size: queue.size, shed: queue.shed }).toEqual({ size: 2, shed: 0 });
  });

  it("waits as long as the platform said, without using up the item's attempts", () => {
    jest.useFakeTimers();
    try {
      const later = new RetryQueue({
        backoff: { initialMs: 10, maxMs: 10 },
        maxAttempts: 1,
        maxPending: 10,
        run: (state) => {
          runs.push(state.id);
          return Promise.resolve();
        },
      });
      // Three waits for a quota or a posting slot: none counts against the one attempt.
      for (let i = 0; i < 3; i += 1) {
        expect(later.schedule(itemState("q", 1), 1, 0, 3_600_000)).toBe(true);
      }
      jest.advanceTimersByTime(3_599_999);
      expect(runs).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(runs).toEqual(["q"]);
      // A failure after the wait still has its attempt, and then none.
      expect(later.schedule(itemState("f", 1), 1, 0)).toBe(true);
      expect(later.schedule(itemState("f", 1), 2, 0)).toBe(false);
      later.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it("has room again once an item is cancelled", () => {
    queue.schedule(itemState("a", 1), 1, 0);
    queue.schedule(itemState("b", 1), 1, 0);
    queue.cancel("a");
    expect(queue.schedule(itemState("c", 1), 1, 0)).toBe(true);
    expect(queue.shed).toBe(0);
  });

  it("gives an item no more than `maxAttempts` deferred attempts", () => {
    for (let i = 0; i < 3; i += 1) expect(queue.schedule(itemState("a", 1), 1, 0)).toBe(true);
    expect(queue.schedule(itemState("a", 1), 1, 0)).toBe(false);
    expect(queue.shed).toBe(0);
  });
});
