import { ConsumingState } from "@herald/contracts";
import {
  type ChannelConsuming,
  type ReportedConsuming,
  consumingFromMessage,
  consumingMetrics,
  nextConsuming,
  notConsumingOf,
} from "./consuming";

const T0 = Date.parse("2026-12-01T02:00:00Z");
const MINUTE = 60_000;
const GRACE = 3 * MINUTE;

const reported = (state: ReportedConsuming["state"], detail = `detail of ${state}`) => ({
  state,
  detail,
  lag: 12,
  idleSeconds: 40,
  retriesPending: 3,
});

/** The status after audits at each of `times` all read `state`. */
function readAt(state: ReportedConsuming["state"], ...times: number[]): ChannelConsuming {
  let kept: ChannelConsuming | undefined;
  for (const at of times) kept = nextConsuming(kept, reported(state), at);
  return kept!;
}

describe("a channel's consuming state at its last audit", () => {
  it("is unknown when the inventory leaves it unset or UNSPECIFIED", () => {
    expect(consumingFromMessage(undefined)).toBeUndefined();
    expect(
      consumingFromMessage({
        state: ConsumingState.CONSUMING_STATE_UNSPECIFIED,
        detail: "",
        lag: 0,
        idleSeconds: 0,
        retriesPending: 0,
      }),
    ).toBeUndefined();
    expect(
      consumingFromMessage({
        state: ConsumingState.CONSUMING_STATE_FAILING,
        detail: "applies failing: db down",
        lag: 5,
        idleSeconds: 9,
        retriesPending: 2,
      }),
    ).toEqual({
      state: "failing",
      detail: "applies failing: db down",
      lag: 5,
      idleSeconds: 9,
      retriesPending: 2,
    });
  });

  it("keeps since when the state stays the same, and restarts it when it changes", () => {
    const stalled = readAt("stalled", T0, T0 + MINUTE, T0 + 2 * MINUTE);
    expect(stalled.since).toEqual(new Date(T0));
    expect(stalled.readAt).toEqual(new Date(T0 + 2 * MINUTE));
    const failing = nextConsuming(stalled, reported("failing"), T0 + 3 * MINUTE)!;
    expect(failing.since).toEqual(new Date(T0 + 3 * MINUTE));
    // A channel that stops reporting keeps nothing to judge.
    expect(nextConsuming(failing, undefined, T0 + 4 * MINUTE)).toBeUndefined();
  });
});

describe("the not_consuming finding", () => {
  it.each(["stalled", "failing", "crashed"] as const)("stands for %s at once", (state) => {
    const finding = notConsumingOf("portal", readAt(state, T0), T0, GRACE);
    expect(finding).toMatchObject({
      channel: "portal",
      kind: "not_consuming",
      state,
      detail: `detail of ${state}`,
      code: `not_consuming.${state}`,
      since: new Date(T0),
      lag: 12,
      idleSeconds: 40,
      retriesPending: 3,
    });
    expect(finding?.message).toMatch(/^未正常消费（/);
    expect(finding?.message).toContain(`detail of ${state}`);
    expect(finding?.message).toContain(`[not_consuming.${state}]`);
  });

  it("is none for normal", () => {
    expect(notConsumingOf("portal", readAt("normal", T0), T0, GRACE)).toBeUndefined();
  });

  it("is none for a channel that did not report", () => {
    expect(notConsumingOf("outlet-acme", undefined, T0, GRACE)).toBeUndefined();
  });

  it("waits out the grace period for starting, then stands", () => {
    const starting = readAt("starting", T0, T0 + MINUTE, T0 + 3 * MINUTE);
    expect(notConsumingOf("portal", starting, T0 + 3 * MINUTE, GRACE)).toBeUndefined();
    const longer = nextConsuming(starting, reported("starting"), T0 + 4 * MINUTE);
    expect(notConsumingOf("portal", longer, T0 + 4 * MINUTE, GRACE)).toMatchObject({
      state: "starting",
      code: "not_consuming.starting",
      since: new Date(T0),
    });
    expect(notConsumingOf("portal", longer, T0 + 4 * MINUTE, GRACE)?.message).toContain(
      "已持续约 4 分钟",
    );
  });

  it("clears when an audit reads normal again", () => {
    const failing = readAt("failing", T0);
    expect(notConsumingOf("portal", failing, T0, GRACE)).toBeDefined();
    const recovered = nextConsuming(failing, reported("normal"), T0 + MINUTE);
    expect(notConsumingOf("portal", recovered, T0 + MINUTE, GRACE)).toBeUndefined();
  });
});

describe("the consuming gauge", () => {
  it("has 1 for each reporting channel's state, and no series for one that did not report", () => {
    const text = consumingMetrics([
      { name: "newmedia/wechat:gov", consuming: readAt("failing", T0) },
      { name: "outlet-acme", consuming: undefined },
    ]);
    expect(text).toContain(
      'herald_reconciler_channel_consuming{channel="newmedia/wechat:gov",state="failing"} 1',
    );
    expect(text).toContain(
      'herald_reconciler_channel_consuming{channel="newmedia/wechat:gov",state="normal"} 0',
    );
    expect(text).not.toContain("outlet-acme");
  });
});
