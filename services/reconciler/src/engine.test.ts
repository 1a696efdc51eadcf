import { createCalendar } from "@herald/calendar";
import { announcementOf } from "@herald/channel-kit";
import { itemState } from "@herald/channel-kit/testing";
import { DeliveryOutcome } from "@herald/contracts";
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

describe("a retired channel", () => {
  it("is owed nothing once its announcement is tombstoned, and its findings close", () => {
    const e = engine();
    e.ingestAnnouncement({
      name: "outlet-registry",
      kinds: [],
      audiences: [],
      keepsWithdrawn: false,
      keepsExpired: false,
      inventoryAddress: "127.0.0.1:50060",
      instance: "gw",
      announcedAt: new Date(T0),
      outletId: "registry",
      categories: [],
      freshnessWarningDays: 0,
      freshnessFindingDays: 0,
    });
    expect(e.channels.get("outlet-registry")?.outletId).toBe("registry");
    e.ingestItem(itemState("a", 1, { updatedAt: new Date(T0 - 60_000) }));
    // A failed receipt from the outlet is evidence like any channel's.
    e.ingestReceipt({
      itemId: "a",
      version: 1,
      channel: "outlet-registry",
      outletId: "registry",
      outcome: DeliveryOutcome.DELIVERY_OUTCOME_FAILED,
      checksum: "",
      externalRef: "",
      error: { code: "unavailable", message: "down", retryable: true },
      attempt: 1,
      at: new Date(T0),
    });
    e.evaluate(true);
    expect(e.findings.get("outlet-registry/a")?.kind).toBe("failed");

    e.retireChannel("outlet-registry", T0 + 1000);
    e.evaluate(true);
    expect(e.findings.has("outlet-registry/a")).toBe(false);
    expect(e.channels.names()).toEqual(["portal", "wechat"]);
    expect(e.channels.retired().map((c) => c.retiredAt)).toEqual([T0 + 1000]);
    expect(e.stateOf("outlet-registry", "a")).toBe("delivered"); // no state kept: not owed
  });
});

describe("an account's announced policy", () => {
  it("owes the items of its categories published from its start date, and declines the rest", () => {
    const e = engine();
    e.ingestAnnouncement(
      announcementOf(
        {
          name: "newmedia",
          outletId: "weibo:gov",
          categories: ["海关动态"],
          publishedFrom: new Date("2026-11-01T00:00:00+08:00"),
        },
        "127.0.0.1:50201",
        "newmedia-1",
        new Date(T0),
      ),
    );
    const published = (id: string, category: string, at: string) =>
      itemState(id, 1, {
        category,
        updatedAt: new Date(T0 - 60_000),
        dates: { publishedAt: new Date(at) },
      });
    e.ingestItem(published("today", "海关动态", "2026-11-02T08:59:00+08:00"));
    e.ingestItem(published("history", "海关动态", "2016-03-01T09:30:00+08:00"));
    e.ingestItem(published("column", "人事信息", "2026-11-02T08:59:00+08:00"));
    e.evaluate(true);

    expect(e.stateOf("newmedia/weibo:gov", "today")).toBe("pending");
    expect(e.stateOf("newmedia/weibo:gov", "history")).toBe("declined");
    expect(e.findings.get("newmedia/weibo:gov/history")).toMatchObject({
      kind: "declined",
      code: "declined.published-before",
    });
    expect(e.stateOf("newmedia/weibo:gov", "column")).toBe("declined");
    // A channel with no such policy owes all three.
    expect(e.stateOf("portal", "history")).toBe("pending");
  });
});
