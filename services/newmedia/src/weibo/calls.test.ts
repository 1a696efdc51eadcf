import { PermanentChannelError, RetryLaterError } from "@herald/channel-kit";
import { createLogger } from "@herald/runtime";
import { callWeibo, type CallPolicy } from "./calls";
import { WeiboApiError } from "./client";

const NOW = Date.parse("2026-12-05T02:20:00Z");

/** A platform call that answers `codes` in turn (0 = success). */
function answering(...codes: number[]) {
  const seen: number[] = [];
  const call = () => {
    const code = codes[seen.length] ?? 0;
    seen.push(code);
    if (code === 0) return Promise.resolve("posted");
    return Promise.reject(new WeiboApiError("statuses/share", code, `error ${code}`, 400));
  };
  return { call, seen };
}

function policy(overrides: Partial<CallPolicy> = {}) {
  const events: string[] = [];
  const p: CallPolicy = {
    refreshToken: () => void events.push("refresh"),
    backoffMs: [1, 1],
    now: () => NOW,
    onRateLimited: (until) => {
      events.push(`pause ${new Date(until).toISOString()}`);
      return Promise.resolve();
    },
    logger: createLogger({ service: "test", level: "silent" }),
    ...overrides,
  };
  return { p, events };
}

describe("Weibo calls by error class", () => {
  it("re-reads the token once and tries again; a second token error is retried later", async () => {
    const once = answering(21327);
    const { p, events } = policy();
    await expect(callWeibo("share", p, once.call)).resolves.toBe("posted");
    expect(events).toEqual(["refresh"]);

    const twice = answering(21332, 21327);
    await expect(callWeibo("share", policy().p, twice.call)).rejects.toMatchObject({
      name: "WeiboRetryableError",
      code: "weibo.21327",
    });
    expect(twice.seen).toEqual([21332, 21327]);
  });

  it("backs off when busy or rate limited, then pauses posting until the next hour", async () => {
    const busy = answering(10001, 10023);
    await expect(callWeibo("share", policy().p, busy.call)).resolves.toBe("posted");
    expect(busy.seen).toEqual([10001, 10023, 0]);

    const limited = answering(10024, 10024, 10024);
    const { p, events } = policy();
    const refused = callWeibo("share", p, limited.call);
    await expect(refused).rejects.toBeInstanceOf(RetryLaterError);
    await expect(refused).rejects.toMatchObject({ retryAfterMs: expect.any(Number) });
    await expect(refused).rejects.toThrow(/暂停发帖至 12-05 11:00/);
    expect(limited.seen).toHaveLength(3);
    expect(events.at(-1)).toBe("pause 2026-12-05T03:00:00.000Z");
  });

  it("makes a refusal permanent with the operator's sentence, the code and the platform's words", async () => {
    const refused = callWeibo("share", policy().p, answering(20019).call);
    await expect(refused).rejects.toBeInstanceOf(PermanentChannelError);
    await expect(refused).rejects.toMatchObject({ code: "weibo.20019" });
    await expect(refused).rejects.toThrow(/重复.*\(20019 error 20019\)/);
    await expect(callWeibo("share", policy().p, answering(10014).call)).rejects.toMatchObject({
      name: "PermanentChannelError",
      code: "weibo.10014",
    });
  });

  it("retries an unknown answer later, and leaves transport errors as they are", async () => {
    await expect(callWeibo("share", policy().p, answering(12345).call)).rejects.toMatchObject({
      name: "WeiboRetryableError",
      code: "weibo.12345",
      message: expect.stringContaining("12345"),
    });
    const down = new Error("connect ECONNREFUSED");
    await expect(callWeibo("share", policy().p, () => Promise.reject(down))).rejects.toBe(down);
  });
});
