/**
 * Publish → "published on WeChat" (and on Weibo) at a steady rate: items are
 * published through the content API, started by the clock, and each account's
 * DELIVERED receipt is matched to the time the API answered 201.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Distribution, distribution } from "./bench-stats";
import { DELIVERED, NewmediaStack, WECHAT_OUTLET, WEIBO_OUTLET, until } from "./newmedia-stack";
import { type PortalBench, note } from "./portal-stack";

export const PACED_RATE = 5;

/** Large enough that no item of a run waits for a daily quota or the hourly post limit. */
const UNLIMITED = 100_000;

export interface LatencyFigures {
  wechat: Distribution;
  weibo: Distribution;
  /** WeChat calls per API over the run, and the items they were for. */
  wechatCalls: Record<string, number>;
  weiboCalls: Record<string, number>;
  items: number;
}

export async function latencyRun(
  bench: PortalBench,
  items: number,
  run: number,
): Promise<LatencyFigures> {
  const ns = bench.namespace(`latency${run}`);
  try {
    const stack = await NewmediaStack.start(bench, ns, {
      quotas: {
        "draft/add": UNLIMITED,
        "freepublish/submit": UNLIMITED,
        "freepublish/get": UNLIMITED,
        "freepublish/delete": UNLIMITED,
      },
      postsPerHour: UNLIMITED,
    });
    // One item through first: the token, the default cover and the consumer groups are in place.
    const warm = `warm-${run}`;
    await stack.publish(warm, "海关总署发布预热稿件");
    await stack.receipt(
      (r) => r.itemId === warm && r.outletId === WECHAT_OUTLET && r.outcome === DELIVERED,
      "the warm-up item on WeChat",
    );
    const wechatBefore = stack.calls("wechat");
    const weiboBefore = stack.calls("weibo");
    const answeredAt = new Map<string, number>();
    const started = Date.now();
    const ids = Array.from({ length: items }, (_, n) => `lat${run}-${n}`);
    note(`latency run ${run}: publishing ${items} items at ${PACED_RATE}/s`);
    await Promise.all(
      ids.map(async (id, n) => {
        await sleep(Math.max(0, started + (n * 1000) / PACED_RATE - Date.now()));
        answeredAt.set(id, await stack.publish(id, `海关总署发布第${n + 1}号进出口数据通报`));
      }),
    );
    const delivered = (outlet: string) => {
      const at = new Map<string, number>();
      for (const r of stack.receipts) {
        if (r.outletId === outlet && r.outcome === DELIVERED && answeredAt.has(r.itemId)) {
          if (!at.has(r.itemId)) at.set(r.itemId, r.at);
        }
      }
      return at;
    };
    let lastNote = Date.now();
    await until(
      () => {
        const w = delivered(WECHAT_OUTLET).size;
        const b = delivered(WEIBO_OUTLET).size;
        if (Date.now() - lastNote >= 10_000) {
          lastNote = Date.now();
          note(`  delivered: WeChat ${w}/${items}, Weibo ${b}/${items}`);
        }
        return w === items && b === items;
      },
      `${items} items delivered on both accounts`,
      600_000,
    );
    const latencies = (outlet: string) =>
      distribution([...delivered(outlet)].map(([id, at]) => at - answeredAt.get(id)!));
    const diff = (after: Record<string, number>, before: Record<string, number>) =>
      Object.fromEntries(Object.entries(after).map(([api, n]) => [api, n - (before[api] ?? 0)]));
    return {
      wechat: latencies(WECHAT_OUTLET),
      weibo: latencies(WEIBO_OUTLET),
      wechatCalls: diff(stack.calls("wechat"), wechatBefore),
      weiboCalls: diff(stack.calls("weibo"), weiboBefore),
      items,
    };
  } finally {
    await bench.clean(ns);
  }
}
