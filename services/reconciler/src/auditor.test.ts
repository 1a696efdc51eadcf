import { createCalendar } from "@herald/calendar";
import { createLogger } from "@herald/runtime";
import type { mongo } from "mongoose";
import { Auditor } from "./auditor";
import { ChannelRegistry } from "./channels";
import { Engine } from "./engine";
import { Ledger } from "./ledger";

const logger = createLogger({ service: "auditor-test", level: "silent" });

function auditor(): Auditor {
  const channels = new ChannelRegistry(
    [{ name: "portal" }, { name: "wechat" }, { name: "weibo" }],
    new Map(),
    Date.now,
    () => undefined,
  );
  // No item, no event: the engine never writes, so the ledger needs no database.
  const ledger = new Ledger({} as mongo.Db, logger);
  const engine = new Engine({
    channels,
    ledger,
    calendar: createCalendar(),
    graceMs: 0,
    now: Date.now,
  });
  return new Auditor({ engine, logger, inventoryToken: "t", pageSize: 10, now: Date.now });
}

describe("the auditor's queue", () => {
  it("keeps at most one audit waiting: requests meanwhile join it, with their channels", async () => {
    const a = auditor();
    const first = a.audit(["portal"]);
    const joined = [a.audit(["wechat"]), a.audit(["wechat"]), a.audit(["weibo"])];
    expect(a.stats()).toEqual({ queued: 1, joined: 3 });
    for (const p of joined) expect(p).toBe(first);
    const runs = await first;
    expect(runs.map((r) => r.channel).sort()).toEqual(["portal", "wechat", "weibo"]);
    expect(a.stats().queued).toBe(0);
  });

  it("widens a waiting audit to every channel when one request asks for all", async () => {
    const a = auditor();
    const first = a.audit(["portal"]);
    void a.audit();
    expect((await first).map((r) => r.channel).sort()).toEqual(["portal", "wechat", "weibo"]);
    // Once it ran, the next request is an audit of its own.
    const next = a.audit(["weibo"]);
    expect(next).not.toBe(first);
    expect((await next).map((r) => r.channel)).toEqual(["weibo"]);
  });
});
