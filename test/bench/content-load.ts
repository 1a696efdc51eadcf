/**
 * Load for the content benchmark: the two ways in (gRPC Publish and HTTP POST
 * /api/publish), closed-loop and open-loop callers, the log of when each item
 * reached the topic, and the figures drawn from them.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ContentServiceClient, Disclosure, ItemDraft, ItemKind } from "@herald/contracts";
import * as grpc from "@grpc/grpc-js";

/** Publishes one item and resolves with the id the service gave it. */
export interface Publisher {
  publish(n: number): Promise<string>;
  close(): void;
}

const BODY =
  "<p>海关总署发布2016年政务公开工作要点，围绕推进行政权力公开、财政资金公开、公共服务公开等方面提出具体措施。</p>" +
  "<p>各直属海关要结合实际制定本单位的实施方案，明确责任分工和完成时限，确保各项任务落到实处。</p>" +
  "<p>要加强政策解读，及时回应社会关切，做好政府信息依申请公开工作，提高政务公开的质量和实效。</p>";

function news(n: number) {
  return {
    title: `政务公开工作要点 第${n}号`,
    summary: "海关总署发布2016年政务公开工作要点。",
    body: BODY,
    category: "news",
    tags: ["政务公开", "bench"],
  };
}

export function grpcPublisher(port: number, token: string): Publisher {
  const client = new ContentServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return {
    publish(n) {
      const { body, ...rest } = news(n);
      const item = ItemDraft.fromPartial({
        ...rest,
        bodyHtml: body,
        kind: ItemKind.ITEM_KIND_NEWS,
        disclosure: Disclosure.DISCLOSURE_PROACTIVE,
      });
      return new Promise((resolve, reject) => {
        client.publish({ item }, metadata.clone(), (error, response) => {
          if (error) reject(error);
          else if (response.item?.id) resolve(response.item.id);
          else reject(new Error("Publish answered without an item"));
        });
      });
    },
    close: () => client.close(),
  };
}

/**
 * POSTs a JSON item to the content service's /api/publish (admin, no review) over
 * a keep-alive agent; resolves with the new item's id, rejects on any answer but 201.
 */
export function postPublish(
  agent: Agent,
  port: number,
  token: string,
  payload: Buffer,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/api/publish",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": payload.byteLength,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 201) {
            reject(
              new Error(`POST /api/publish answered ${res.statusCode}: ${text.slice(0, 500)}`),
            );
            return;
          }
          const { id } = JSON.parse(text) as { id?: unknown };
          if (typeof id === "string") resolve(id);
          else reject(new Error("POST /api/publish answered without an id"));
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export function httpPublisher(port: number, token: string, sockets: number): Publisher {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return {
    publish: (n) =>
      postPublish(
        agent,
        port,
        token,
        Buffer.from(JSON.stringify({ kind: "news", disclosure: "proactive", ...news(n) })),
      ),
    close: () => agent.destroy(),
  };
}

/** When each item id first reached the topic (performance.now() milliseconds). */
export class Arrivals {
  private readonly at = new Map<string, number>();

  note(id: string, time = performance.now()): void {
    if (!this.at.has(id)) this.at.set(id, time);
  }

  of(id: string): number | undefined {
    return this.at.get(id);
  }

  countOf(ids: readonly string[]): number {
    let count = 0;
    for (const id of ids) if (this.at.has(id)) count += 1;
    return count;
  }

  /**
   * Waits until every id arrived, none arrived for `stallMs`, or `signal` aborts;
   * returns how many are missing.
   */
  async waitAll(ids: readonly string[], stallMs: number, signal: AbortSignal): Promise<number> {
    let seen = -1;
    let since = performance.now();
    for (;;) {
      const got = this.countOf(ids);
      if (got === ids.length) return 0;
      if (signal.aborted) return ids.length - got;
      if (got !== seen) {
        seen = got;
        since = performance.now();
      } else if (performance.now() - since > stallMs) {
        return ids.length - got;
      }
      await sleep(25);
    }
  }
}

export interface Call {
  /** When the call was due (open loop) or started (closed loop). */
  due: number;
  started: number;
  answered?: number;
  id?: string;
  error?: string;
}

function call(due: number): Call {
  return { due, started: performance.now() };
}

async function perform(publisher: Publisher, n: number, entry: Call): Promise<void> {
  try {
    entry.id = await publisher.publish(n);
  } catch (error) {
    entry.error = error instanceof Error ? error.message : String(error);
  }
  entry.answered = performance.now();
}

/**
 * Runs `task(0…count-1)` with `concurrency` in flight. Stops starting tasks on
 * the first failure or when `signal` aborts, and returns only when none is in
 * flight any more, so nothing is left running against what the caller removes next.
 */
export async function pool(
  count: number,
  concurrency: number,
  task: (n: number) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && !failure && !signal.aborted) {
      const n = next;
      next += 1;
      try {
        await task(n);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure) throw failure.error;
}

/** `count` calls into `calls`, `concurrency` in flight at any moment, each starting when one ends. */
export async function closedLoop(
  calls: Call[],
  publisher: Publisher,
  count: number,
  concurrency: number,
  first: number,
  signal: AbortSignal,
): Promise<void> {
  await pool(
    count,
    concurrency,
    async (n) => {
      const entry = call(performance.now());
      calls.push(entry);
      await perform(publisher, first + n, entry);
    },
    signal,
  );
}

/**
 * `rate` calls a second for `seconds` into `calls`, each started when the clock
 * says it is due, whether or not earlier calls have been answered (open loop).
 */
export async function openLoop(
  calls: Call[],
  publisher: Publisher,
  rate: number,
  seconds: number,
  first: number,
  signal: AbortSignal,
): Promise<void> {
  const count = Math.round(rate * seconds);
  const pending: Promise<void>[] = [];
  const start = performance.now() + 5;
  const dueAt = (n: number) => start + (n * 1000) / rate;
  while (calls.length < count && !signal.aborted) {
    while (calls.length < count && dueAt(calls.length) <= performance.now()) {
      const n = calls.length;
      const entry = call(dueAt(n));
      calls.push(entry);
      pending.push(perform(publisher, first + n, entry));
    }
    if (calls.length < count) {
      await sleep(Math.min(100, Math.max(0, dueAt(calls.length) - performance.now())));
    }
  }
  await Promise.all(pending);
}

/** Writes a line to stderr while `work` runs: each second it changes, else every 10 s. */
export async function withProgress<T>(line: () => string, work: Promise<T>): Promise<T> {
  let last = "";
  let quiet = 0;
  const timer = setInterval(() => {
    const text = line();
    quiet += 1;
    if (text === last && quiet < 10) return;
    process.stderr.write(`  ${text}\n`);
    last = text;
    quiet = 0;
  }, 1000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
