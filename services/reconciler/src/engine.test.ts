import { createCalendar } from "@herald/calendar";
import { itemState } from "@herald/channel-kit/testing";
import { createLogger } from "@herald/runtime";
import type { mongo } from "mongoose";
import { ChannelRegistry } from "./channels";
import { Engine } from "./engine";
import { Ledger } from "./ledger";

const logger = createLogger({ service: "engine-test", level: "silent" });
const T0 = Date.parse("2026-11-02T09:00:00+08:00");

function engine(): Engine {
  const channels = new ChannelRegistry(
    [{ name: "portal" }, { name: "wechat" }],
    new Map(),
    () => T0,
    () => undefined,
  );
  // Events are only queued here: no flush, so no database.
  const ledger = new Ledger({} as mongo.Db, logger);
  return new Engine({ channels, ledger, calendar: createCalendar(), graceMs: 0, now: () => T0 });
}

describe("versions not announced", () => {
  it("show on every channel with the content service's reason, and give way once the stream carries them", () => {
    const e = engine();
    e.ingestItem(itemState("a", 1, { updatedAt: new Date(T0 - 60_000) }));
    e.setNotAnnounced([
      {
        itemId: "a",
        version: 2,
        acceptedAt: T0 - 45_000,
        state: "set-aside",
        reason: "MESSAGE_TOO_LARGE: the item exceeds the topic's limit",
      },
      { itemId: "b", version: 1, acceptedAt: T0 - 45_000, state: "queued", reason: "" },
    ]);
    e.evaluate(true);
    const a = e.findings.get("portal/a");
    expect(a).toMatchObject({ kind: "not_announced", expectedVersion: 2, repairable: false });
    expect(a?.reason).toContain("set it aside: MESSAGE_TOO_LARGE");
    // An item whose first version never reached the stream is owed on every channel too.
    expect(e.findings.get("wechat/b")?.reason).toContain("still queued");
    expect(e.stateOf("portal", "b")).toBe("not_announced");
    expect(e.pendingAnnouncements().map((p) => p.itemId)).toEqual(["a", "b"]);

    e.ingestItem(itemState("a", 2, { updatedAt: new Date(T0 - 1000) }));
    e.evaluate();
    expect(e.findings.get("portal/a")).toBeUndefined();
    expect(e.stateOf("portal", "a")).toBe("pending");
    expect(e.pendingAnnouncements().map((p) => p.itemId)).toEqual(["b"]);

    e.setNotAnnounced([]);
    e.evaluate();
    expect(e.findings.has("wechat/b")).toBe(false);
  });
});
