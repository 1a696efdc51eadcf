/**
 * Weibo at its default limit of 30 posts an hour: more items than that are
 * published at 5 items/s; the first 30 post at once, the rest wait in the
 * channel's queue (FAILED receipts that say when the next slot opens, then the
 * channel's retries). Once the queued items have been refused a slot, the
 * shared clock moves an hour on and they post. Their wait is measured on that
 * clock: from the content API's 201 to the DELIVERED receipt.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { DeliveryOutcome } from "@herald/contracts";
import { WEIBO_DEFAULT_POSTS_PER_HOUR } from "@herald/platforms";
import { type Distribution, distribution } from "./bench-stats";
import { DELIVERED, FAILED, NewmediaStack, WEIBO_OUTLET, until } from "./newmedia-stack";
import { type PortalBench, note } from "./portal-stack";

/** The hourly limit and a third more: one hour's wait, within the channel's retries. */
export const QUEUE_ITEMS = WEIBO_DEFAULT_POSTS_PER_HOUR + 10;
const RATE = 5;

export interface WeiboQueueFigures {
  items: number;
  /** Delivered before the clock moved on. */
  withinHour: number;
  /** The refusal the queued items got, as the first of them read it. */
  queuedReceipt: string;
  /** Publish → DELIVERED of the items that posted at once, real ms. */
  immediate: Distribution;
  /** Publish → DELIVERED of the queued items, on the shared clock, in minutes. */
  queuedMinutes: Distribution;
}

export async function weiboQueue(bench: PortalBench): Promise<WeiboQueueFigures> {
  const ns = bench.namespace("weiboqueue");
  try {
    // WeChat's quotas are raised so that its account does not hold the items back.
    const stack = await NewmediaStack.start(bench, ns, {
      quotas: { "freepublish/submit": 10_000, "freepublish/get": 10_000 },
    });
    const answeredAt = new Map<string, number>();
    const started = Date.now();
    note(
      `weibo: publishing ${QUEUE_ITEMS} items at ${RATE}/s, ${WEIBO_DEFAULT_POSTS_PER_HOUR} posts/hour`,
    );
    await Promise.all(
      Array.from({ length: QUEUE_ITEMS }, async (_, n) => {
        await sleep(Math.max(0, started + (n * 1000) / RATE - Date.now()));
        const id = `wq-${n}`;
        await stack.publish(id, `海关总署发布第${n + 1}号微博通报`);
        answeredAt.set(id, stack.clock.now());
      }),
    );
    const weibo = (outcome: DeliveryOutcome) =>
      stack.receipts.filter(
        (r) => r.outletId === WEIBO_OUTLET && r.outcome === outcome && answeredAt.has(r.itemId),
      );
    const delivered = () => new Set(weibo(DELIVERED).map((r) => r.itemId));
    // The hour's posts are made, and every other item has been told to wait.
    await until(
      () => {
        const done = delivered();
        const refused = new Set(weibo(FAILED).map((r) => r.itemId));
        return (
          done.size === WEIBO_DEFAULT_POSTS_PER_HOUR &&
          [...answeredAt.keys()].every((id) => done.has(id) || refused.has(id))
        );
      },
      `${WEIBO_DEFAULT_POSTS_PER_HOUR} posts and the rest refused a slot`,
      180_000,
    );
    const withinHour = delivered().size;
    const queuedReceipt = weibo(FAILED)[0];
    note("weibo: moving the clock an hour on");
    stack.clock.advance(3_600_000);
    await until(() => delivered().size === QUEUE_ITEMS, `all ${QUEUE_ITEMS} posts`, 300_000);
    const firstDelivery = new Map<string, { at: number; readAt: number }>();
    for (const r of weibo(DELIVERED))
      if (!firstDelivery.has(r.itemId)) firstDelivery.set(r.itemId, r);
    const immediate: number[] = [];
    const queued: number[] = [];
    for (const [id, r] of firstDelivery) {
      const wait = r.readAt - answeredAt.get(id)!;
      if (wait < 3_600_000) immediate.push(wait);
      else queued.push(wait / 60_000);
    }
    return {
      items: QUEUE_ITEMS,
      withinHour,
      queuedReceipt: queuedReceipt
        ? `FAILED ${queuedReceipt.code}${queuedReceipt.retryable ? " (retryable)" : ""}: ${queuedReceipt.message}`
        : "-",
      immediate: distribution(immediate),
      queuedMinutes: distribution(queued),
    };
  } finally {
    await bench.clean(ns);
  }
}

export function weiboRows(f: WeiboQueueFigures): string {
  const q = f.queuedMinutes;
  const i = f.immediate;
  return [
    `Weibo at the default ${WEIBO_DEFAULT_POSTS_PER_HOUR} posts/hour: ${f.items} items at ${RATE}/s`,
    `  posted within the hour: ${f.withinHour}/${f.items} (publish → DELIVERED p50 ${i.p50} ms, max ${i.max} ms)`,
    `  queued: ${q.count}, publish → DELIVERED on the clock moved an hour on: p50 ${q.p50.toFixed(1)} min, max ${q.max.toFixed(1)} min`,
    `  a queued item's receipt: ${f.queuedReceipt}`,
  ].join("\n");
}
