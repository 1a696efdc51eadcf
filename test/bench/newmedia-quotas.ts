/**
 * What the WeChat adapter does when a daily quota is used up: each quota in turn
 * is used up on the emulator, an item is published (or, for the delete quota,
 * updated and taken down), the receipt it gets is noted, with how often the
 * adapter called the refused API while it waited; then the shared clock moves to
 * the next day, when the quotas reset, and the item must be published once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DeliveryOutcome, type DeliveryOutcome as Outcome } from "@herald/contracts";
import type { WechatQuotaApi } from "@herald/platforms";
import { table } from "./bench-stats";
import {
  APP_ID,
  DELIVERED,
  NewmediaStack,
  REMOVED,
  type ReceiptRecord,
  WECHAT_OUTLET,
  until,
} from "./newmedia-stack";
import { type PortalBench, note } from "./portal-stack";

/** How long the adapter is watched with the quota used up before the day changes. */
const WATCH_MS = 10_000;

export interface QuotaEpisode {
  api: WechatQuotaApi;
  /** What was done while the quota was used up. */
  action: string;
  /** The receipts of that action while the quota was used up (first of each kind). */
  during: string;
  /** Calls to the API while it was used up, and how many of them the platform refused. */
  callsDuring: number;
  refused: number;
  /** After the reset: the receipt, how long after the day changed, and the live articles of the item. */
  after: string;
  afterMs: number;
  liveArticles: number;
}

const outcomeName = (o: Outcome) => DeliveryOutcome[o].replace("DELIVERY_OUTCOME_", "");

function describe(r: ReceiptRecord): string {
  const error = r.code ? ` ${r.code}${r.retryable ? " (retryable)" : ""}: ${r.message}` : "";
  return `${outcomeName(r.outcome)}${error}`;
}

export async function quotaEpisodes(bench: PortalBench): Promise<QuotaEpisode[]> {
  const ns = bench.namespace("quotas");
  const episodes: QuotaEpisode[] = [];
  try {
    const stack = await NewmediaStack.start(bench, ns, {});
    const control = stack.platforms.control;
    const wechatReceipt = (id: string, version: number, match: (r: ReceiptRecord) => boolean) =>
      stack.receipt(
        (r) => r.outletId === WECHAT_OUTLET && r.itemId === id && r.version === version && match(r),
        `a WeChat receipt of ${id} v${version}`,
        240_000,
      );
    const callsTo = (api: string, since: number) =>
      control.calls({ platform: "wechat", account: APP_ID, api }).filter((c) => c.at >= since);

    const episode = async (
      api: WechatQuotaApi,
      action: string,
      act: () => Promise<{ id: string; version: number; title: string }>,
      done: Outcome,
    ): Promise<void> => {
      note(`quotas: ${api} used up; ${action}`);
      const since = stack.clock.now();
      control.useUpQuota(APP_ID, api);
      const { id, version, title } = await act();
      await wechatReceipt(id, version, () => true);
      await sleep(WATCH_MS);
      const seen = stack.receipts.filter(
        (r) => r.outletId === WECHAT_OUTLET && r.itemId === id && r.version === version,
      );
      const kinds = new Map<string, number>();
      for (const r of seen) kinds.set(describe(r), (kinds.get(describe(r)) ?? 0) + 1);
      const calls = callsTo(api, since);
      stack.clock.nextDay();
      const changed = Date.now();
      const last = await wechatReceipt(id, version, (r) => r.outcome === done);
      const afterMs = Date.now() - changed;
      // The item's articles: a takedown leaves none, a publish exactly one.
      const expected = done === REMOVED ? 0 : 1;
      const live = await until(
        () => {
          const n = stack.liveArticles(title);
          return n === expected ? { n } : undefined;
        },
        `${expected} live article(s) of ${id}`,
        60_000,
      ).catch(() => ({ n: stack.liveArticles(title) }));
      episodes.push({
        api,
        action,
        during: [...kinds].map(([text, n]) => `${n}× ${text}`).join("; "),
        callsDuring: calls.length,
        refused: calls.filter((c) => c.errcode === 45009).length,
        after: describe(last),
        afterMs,
        liveArticles: live.n,
      });
    };

    const publish = (key: string, title: string) => async () => {
      await stack.publish(key, title);
      return { id: key, version: 1, title };
    };
    await episode(
      "freepublish/submit",
      "an item published",
      publish("q-submit", "配额测试：发布任务额度"),
      DELIVERED,
    );
    await episode(
      "freepublish/get",
      "an item published",
      publish("q-get", "配额测试：查询额度"),
      DELIVERED,
    );
    await episode(
      "draft/add",
      "an item published",
      publish("q-draft", "配额测试：草稿额度"),
      DELIVERED,
    );

    // The delete quota: an item published while it is there, then updated and taken down without it.
    const title = "配额测试：删除额度";
    await stack.publish("q-delete", title);
    await wechatReceipt("q-delete", 1, (r) => r.outcome === DELIVERED);
    await episode(
      "freepublish/delete",
      "an item updated (new article, old one to delete)",
      async () => {
        await stack.update("q-delete", `${title}（更正）`);
        return { id: "q-delete", version: 2, title };
      },
      DELIVERED,
    ).catch((error: unknown) => note(`quotas: the update episode: ${String(error)}`));
    await episode(
      "freepublish/delete",
      "the item taken down",
      async () => {
        await stack.takedown("q-delete");
        return { id: "q-delete", version: 3, title };
      },
      REMOVED,
    );
    return episodes;
  } finally {
    await bench.clean(ns);
  }
}

export function quotaRows(episodes: readonly QuotaEpisode[]): string {
  const rows = [
    [
      "quota used up",
      "action",
      "calls to it (refused 45009)",
      "after the reset",
      "s",
      "live articles",
    ],
  ];
  const details: string[] = [];
  for (const e of episodes) {
    rows.push([
      e.api,
      e.action,
      `${e.callsDuring} (${e.refused})`,
      e.after,
      (e.afterMs / 1000).toFixed(1),
      String(e.liveArticles),
    ]);
    details.push(`  ${e.api}, ${e.action}: ${e.during}`);
  }
  return [
    `each WeChat quota used up (watched ${WATCH_MS / 1000} s), then the next day (emulator's and channel's clock)\n${table(rows)}`,
    `receipts while the quota was used up\n${details.join("\n")}`,
  ].join("\n\n");
}
