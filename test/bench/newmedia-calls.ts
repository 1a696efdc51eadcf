/**
 * Platform calls per item, from the emulator's call log: one item at a time (so
 * every call between two receipts is that item's), on accounts with the default
 * daily quotas, and how many items, updates and takedowns those quotas allow.
 */
import type { DeliveryOutcome } from "@herald/contracts";
import { DEFAULT_WECHAT_QUOTAS } from "@herald/platforms";
import { table } from "./bench-stats";
import type { LatencyFigures } from "./newmedia-latency";
import {
  APP_ID,
  DELIVERED,
  NewmediaStack,
  REMOVED,
  WECHAT_OUTLET,
  WEIBO_OUTLET,
  until,
} from "./newmedia-stack";
import { type PortalBench, note } from "./portal-stack";

/** Items published one after the other after the first; their mean is "later items". */
const LATER_ITEMS = 5;

type Counts = Record<string, number>;

export interface CallFigures {
  wechat: { first: Counts; later: Counts; update: Counts; takedown: Counts };
  weibo: { first: Counts; later: Counts; update: Counts; takedown: Counts };
  laterItems: number;
}

function diff(after: Counts, before: Counts, per = 1): Counts {
  const out: Counts = {};
  for (const [api, n] of Object.entries(after)) {
    const d = (n - (before[api] ?? 0)) / per;
    if (d !== 0) out[api] = d;
  }
  return out;
}

export async function callFigures(bench: PortalBench): Promise<CallFigures> {
  const ns = bench.namespace("calls");
  try {
    const stack = await NewmediaStack.start(bench, ns, {});
    const snap = () => ({ wechat: stack.calls("wechat"), weibo: stack.calls("weibo") });
    const both = async (id: string, version: number, outcome: DeliveryOutcome, what: string) => {
      for (const outlet of [WECHAT_OUTLET, WEIBO_OUTLET]) {
        await stack.receipt(
          (r) =>
            r.itemId === id &&
            r.version === version &&
            r.outletId === outlet &&
            r.outcome === outcome,
          `${what} of ${id} v${version} on ${outlet}`,
        );
      }
    };
    note("calls: the first item");
    const s0 = snap();
    await stack.publish("calls-0", "海关总署发布首条稿件");
    await both("calls-0", 1, DELIVERED, "the DELIVERED receipt");
    const s1 = snap();
    note(`calls: ${LATER_ITEMS} later items, one at a time`);
    for (let n = 1; n <= LATER_ITEMS; n += 1) {
      await stack.publish(`calls-${n}`, `海关总署发布第${n}条稿件`);
      await both(`calls-${n}`, 1, DELIVERED, "the DELIVERED receipt");
    }
    const s2 = snap();
    note("calls: an update (a new article, the old one deleted)");
    const oldTitle = "海关总署发布第1条稿件";
    await stack.update("calls-1", "海关总署更正第1条稿件");
    await both("calls-1", 2, DELIVERED, "the DELIVERED receipt");
    await until(() => stack.liveArticles(oldTitle) === 0, "the replaced article deleted", 60_000);
    const s3 = snap();
    note("calls: a takedown");
    await stack.takedown("calls-2");
    await stack.receipt(
      (r) => r.itemId === "calls-2" && r.outletId === WECHAT_OUTLET && r.outcome === REMOVED,
      "the WeChat takedown of calls-2",
    );
    // Weibo's takedown is an operator's task (no public delete), so it calls nothing but a lookup.
    await stack.receipt(
      (r) => r.itemId === "calls-2" && r.outletId === WEIBO_OUTLET && r.version === 2,
      "the Weibo takedown receipt of calls-2",
    );
    const s4 = snap();
    const of = (p: "wechat" | "weibo") => ({
      first: diff(s1[p], s0[p]),
      later: diff(s2[p], s1[p], LATER_ITEMS),
      update: diff(s3[p], s2[p]),
      takedown: diff(s4[p], s3[p]),
    });
    if (stack.platforms.control.wechat(APP_ID).articles.length === 0)
      throw new Error("no WeChat article was published");
    return { wechat: of("wechat"), weibo: of("weibo"), laterItems: LATER_ITEMS };
  } finally {
    await bench.clean(ns);
  }
}

const QUOTA_APIS = [
  "draft/add",
  "freepublish/submit",
  "freepublish/get",
  "freepublish/delete",
] as const;

const num = (n: number | undefined) =>
  n === undefined ? "0" : Number.isInteger(n) ? String(n) : n.toFixed(2);

/** How many times `calls` fit into `limit` a day ("∞" when none are made). */
const perDay = (limit: number, calls: number | undefined) =>
  calls ? String(Math.floor(limit / calls)) : "∞";

export function callRows(f: CallFigures, underLoad: LatencyFigures | undefined): string {
  const apis = new Set<string>();
  for (const p of [f.wechat, f.weibo])
    for (const c of Object.values(p)) for (const api of Object.keys(c)) apis.add(api);
  const header = [
    "calls per …",
    "first item",
    `later (mean of ${f.laterItems})`,
    "update",
    "takedown",
  ];
  if (underLoad) header.push(`at ${underLoad.items} items under load (mean)`);
  const rows = [header];
  for (const platform of ["wechat", "weibo"] as const) {
    for (const api of [...apis].sort()) {
      const c = f[platform];
      const loaded = platform === "wechat" ? underLoad?.wechatCalls : underLoad?.weiboCalls;
      if (![c.first, c.later, c.update, c.takedown].some((x) => x[api])) continue;
      const row = [
        `${platform} ${api}`,
        num(c.first[api]),
        num(c.later[api]),
        num(c.update[api]),
        num(c.takedown[api]),
      ];
      if (underLoad) row.push(num(loaded?.[api] ? loaded[api] / underLoad.items : 0));
      rows.push(row);
    }
  }
  const fit = [["WeChat daily quota", "limit", "items/day", "updates/day", "takedowns/day"]];
  for (const api of QUOTA_APIS) {
    const limit = DEFAULT_WECHAT_QUOTAS[api];
    fit.push([
      api,
      String(limit),
      perDay(limit, f.wechat.later[api]),
      perDay(limit, f.wechat.update[api]),
      perDay(limit, f.wechat.takedown[api]),
    ]);
  }
  const binding = (key: "later" | "update" | "takedown") => {
    let best: { api: string; n: number } | undefined;
    for (const api of QUOTA_APIS) {
      const calls = f.wechat[key][api];
      if (!calls) continue;
      const n = Math.floor(DEFAULT_WECHAT_QUOTAS[api] / calls);
      if (!best || n < best.n) best = { api, n };
    }
    return best ? `${best.n} (${best.api})` : "unlimited";
  };
  return [
    `platform calls (one item at a time, emulator call log; a call refused counts too)\n${table(rows)}`,
    `how they fit the default daily quotas of a new WeChat account\n${table(fit)}`,
    `  a day holds at most: new items ${binding("later")}, updates ${binding("update")}, takedowns ${binding("takedown")} (each alone; they share the quotas)`,
  ].join("\n\n");
}
