/**
 * Figure 2: from publish to page at a steady rate. A content service in this
 * process, a portal process following its item stream; items published through
 * POST /api/publish, started by the clock; for each, the time from the start of
 * the request to the portal's DELIVERED receipt, and for a sample, when its page
 * first answers.
 */
import { startTestContentService } from "@herald/content/testing";
import { Topics } from "@herald/contracts";
import { createLogger, topicName } from "@herald/runtime";
import { type Call, type Publisher, openLoop, withProgress } from "./content-load";
import { PortalProcess, cpuPercent, cpuSnapshot } from "./portal-process";
import {
  ADMIN_TOKEN,
  type Poll,
  contentSettings,
  corpusPublisher,
  pollPage,
} from "./portal-publisher";
import { distribution } from "./bench-stats";
import type { LatencyRun } from "./portal-figures";
import { type PortalBench, ReceiptLog, note, waitForCount } from "./portal-stack";

export interface LatencyOptions {
  runs: number;
  items: number;
  rate: number;
  /** Every this-many-th item's page is polled from the start of its publish (0: none), one at a time. */
  pollEvery: number;
  /** Kafka's and FerretDB's pids, for their CPU. */
  pids: Record<string, number>;
  stallMs: number;
  signal: AbortSignal;
}

export async function latencyRuns(
  bench: PortalBench,
  options: LatencyOptions,
): Promise<{ runs: LatencyRun[]; readyMs: number }> {
  const { signal } = options;
  const ns = bench.namespace("latency");
  try {
    await bench.createTopics(ns);
    const content = await startTestContentService({
      brokers: bench.brokers,
      mongoUrl: bench.mongoUrl,
      topicPrefix: ns.prefix,
      dbName: ns.dbName("content"),
      users: { admin: { roles: ["admin"], token: ADMIN_TOKEN } },
      logger: createLogger({ service: "content-bench", level: "error" }, process.stderr),
      env: { ...contentSettings(), HERALD_TOPIC_PARTITIONS: String(bench.partitions) },
    });
    ns.onClean(() => content.stop());
    const receipts = await ReceiptLog.start(bench, ns);
    const onTopic = new Map<string, number>();
    const reader = bench.kafka.consumer({
      groupId: ns.groupId("items-reader"),
      maxWaitTimeInMs: 100,
    });
    ns.onClean(() => reader.disconnect());
    await reader.connect();
    await reader.subscribe({ topic: topicName(Topics.items, ns.prefix), fromBeginning: true });
    await reader.run({
      eachBatch: ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          const key = m.key?.toString() ?? "";
          if (!onTopic.has(key)) onTopic.set(key, now);
        }
        return Promise.resolve();
      },
    });
    const portal = await PortalProcess.start(bench, ns, {
      db: "portal",
      group: "portal",
      run: "1",
    });
    const readyMs = (await portal.ready()) - portal.spawnedAt;
    const pids = { ...options.pids, portal: portal.pid };
    note(
      `latency: content service started, portal ready ${(readyMs / 1000).toFixed(1)} s after spawn`,
    );
    const started = new Map<number, number>();
    const publisher = corpusPublisher(content.httpPort, started);
    const runs: LatencyRun[] = [];
    try {
      let first = 0;
      const phase = async (label: string, count: number, polls?: Poll[]) => {
        publisher.payloads(first, count);
        const calls: Call[] = [];
        const polling: Promise<void>[] = [];
        let inFlight = false;
        const sampled: Publisher = {
          publish: (n) => {
            // One page polled at a time, so the polling load stays small whatever the latency.
            if (polls && options.pollEvery && (n - first) % options.pollEvery === 0 && !inFlight) {
              const poll: Poll = { id: `lat-${n}` };
              polls.push(poll);
              inFlight = true;
              polling.push(
                pollPage(portal.httpPort, poll, signal).finally(() => (inFlight = false)),
              );
            }
            return publisher.publish(n);
          },
          close: () => undefined,
        };
        const ids = () => calls.flatMap((c) => (c.id ? [c.id] : []));
        const cpuFrom = cpuSnapshot(pids);
        const delivered = () => ids().filter((id) => receipts.delivered.has(id)).length;
        await withProgress(
          () =>
            `${label}: published ${calls.filter((c) => c.answered !== undefined).length}/${count}, on pages ${delivered()}`,
          openLoop(calls, sampled, options.rate, count / options.rate, first, signal),
        );
        const cpu = cpuPercent(cpuFrom, cpuSnapshot(pids));
        const published = ids().length;
        const missing = await waitForCount(delivered, published, {
          stallMs: options.stallMs,
          everyMs: 5000,
          signal,
          tick: () => note(`  ${label}: waiting for receipts, ${delivered()}/${published}`),
        });
        await Promise.all(polling);
        const base = first;
        first += count;
        return { calls, missing, base, cpu };
      };
      note(`latency: warm-up (${Math.min(50, options.items)} items)…`);
      await phase("warm-up", Math.min(50, options.items));
      for (let run = 1; run <= options.runs && !signal.aborted; run += 1) {
        const label = `latency run ${run} (${options.items} items at ${options.rate}/s)`;
        note(`${label}…`);
        const polls: Poll[] = [];
        const { calls, missing, base, cpu } = await phase(label, options.items, polls);
        const measured = calls.flatMap((call, i) => {
          const at = call.id ? receipts.delivered.get(call.id) : undefined;
          const start = started.get(base + i);
          return call.id && at !== undefined && start !== undefined
            ? [{ id: call.id, at, start }]
            : [];
        });
        const failed = calls.filter((c) => c.error !== undefined);
        const seen = polls.filter(
          (p) => p.firstHitAnswered !== undefined && receipts.delivered.has(p.id),
        );
        const result: LatencyRun = {
          published: calls.length - failed.length,
          errors: failed.length,
          ...(failed[0]?.error ? { firstError: failed[0].error } : {}),
          missing,
          toPage: distribution(measured.map((m) => m.at - m.start)),
          answer: distribution(
            calls.flatMap((c) => (c.id && c.answered ? [c.answered - c.started] : [])),
          ),
          toTopic: distribution(
            measured.flatMap((m) => {
              const t = onTopic.get(m.id);
              return t === undefined ? [] : [t - m.start];
            }),
          ),
          topicToReceipt: distribution(
            measured.flatMap((m) => {
              const t = onTopic.get(m.id);
              return t === undefined ? [] : [m.at - t];
            }),
          ),
          startLagMaxMs: Math.max(...calls.map((c) => c.started - c.due)),
          cpu,
          pagesPolled: polls.length,
          pagesSeen: seen.length,
          pageByAfterReceipt: distribution(
            seen.map((p) => p.firstHitAnswered! - receipts.delivered.get(p.id)!),
          ),
          pageNotYetAfterReceipt: distribution(
            seen.flatMap((p) =>
              p.lastMissSent === undefined ? [] : [p.lastMissSent - receipts.delivered.get(p.id)!],
            ),
          ),
        };
        runs.push(result);
        note(
          `${label}: p50 ${result.toPage.p50.toFixed(0)} ms, p99 ${result.toPage.p99.toFixed(0)} ms, max ${result.toPage.max.toFixed(0)} ms`,
        );
      }
    } finally {
      publisher.close();
    }
    return { runs, readyMs };
  } finally {
    await bench.clean(ns);
  }
}
