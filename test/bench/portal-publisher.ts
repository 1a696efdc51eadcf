/**
 * Publishing for the latency phase: realistic items through the content
 * service's HTTP API, the content service's settings, and polling a page until
 * it answers.
 */
import { Agent } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { contentEnv } from "@herald/content";
import { loadConfig } from "@herald/runtime";
import { type Publisher, postPublish } from "./content-load";
import { status } from "./portal-process";
import { random, sampleSentences, syntheticItem } from "./portal-search";

export const ADMIN_TOKEN = "portal-bench-admin";
/** How often a sampled item's page is asked for while it is not there yet. */
export const POLL_INTERVAL_MS = 10;
/** Digit runs the content service would refuse as personal data (phone, ID and card numbers). */
const LONG_NUMBER = /[0-9][0-9 -]{9,}[0-9]/;

/** Settings a reader may change for an experiment, e.g. CONTENT_SCHEDULER_INTERVAL_MS=100. */
const PASSED_THROUGH = /^(CONTENT_RELAY_|CONTENT_SCHEDULER_)/;

/**
 * The content service's own defaults for its relay and scheduler, in place of
 * the quick polls of the test helper: the scheduler scans the item heads on each
 * tick, which costs the database more with every item stored.
 */
export function contentSettings(): Record<string, string> {
  const defaults = loadConfig(contentEnv, {
    KAFKA_BROKERS: "127.0.0.1:9092",
    MONGO_URL: "mongodb://127.0.0.1:27017",
    CONTENT_TOKENS_FILE: "unused",
  });
  return {
    CONTENT_RELAY_POLL_MS: String(defaults.CONTENT_RELAY_POLL_MS),
    CONTENT_SCHEDULER_INTERVAL_MS: String(defaults.CONTENT_SCHEDULER_INTERVAL_MS),
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          PASSED_THROUGH.test(entry[0]) && entry[1] !== undefined,
      ),
    ),
  };
}

export interface Poll {
  id: string;
  lastMissSent?: number;
  firstHitAnswered?: number;
}

/** Publishes item `n` of the corpus with id `lat-<n>`; notes when each request started (ms since the epoch). */
export function corpusPublisher(
  port: number,
  started: Map<number, number>,
): Publisher & { payloads(from: number, count: number): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sentences = sampleSentences().filter((s) => !LONG_NUMBER.test(s));
  const next = random(50);
  const bodies = new Map<number, Buffer>();
  return {
    /** Prepares the payloads of items from…from+count-1, so no request waits for one. */
    payloads(from, count) {
      for (let n = from; n < from + count; n += 1) {
        const s = syntheticItem(n, sentences, next);
        const item = {
          id: `lat-${n}`,
          kind: "news",
          disclosure: "proactive",
          title: s.title,
          summary: s.summary,
          body: s.bodyHtml,
          category: "工作动态",
          tags: s.tags,
          issuingOffice: s.issuingOffice,
        };
        bodies.set(n, Buffer.from(JSON.stringify(item)));
      }
    },
    publish(n) {
      const payload = bodies.get(n);
      if (!payload) return Promise.reject(new Error(`no payload prepared for item ${n}`));
      started.set(n, Date.now());
      return postPublish(agent, port, ADMIN_TOKEN, payload);
    },
    close: () => agent.destroy(),
  };
}

/** Polls the page of `poll.id` until it answers 200 (or 30 s pass), noting the last miss and the first hit. */
export async function pollPage(port: number, poll: Poll, signal: AbortSignal): Promise<void> {
  const giveUp = Date.now() + 30_000;
  while (Date.now() < giveUp && !signal.aborted) {
    const sent = Date.now();
    const code = await status(port, `/items/${poll.id}`).catch(() => 0);
    if (code === 200) {
      poll.firstHitAnswered = Date.now();
      return;
    }
    poll.lastMissSent = sent;
    await sleep(POLL_INTERVAL_MS);
  }
}
