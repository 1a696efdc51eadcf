import * as grpc from "@grpc/grpc-js";
import {
  ChannelInventoryClient,
  type Holding,
  type ListHoldingsRequest,
  type ListHoldingsResponse,
} from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import { consumingFromMessage, nextConsuming, type ReportedConsuming } from "./consuming";
import { newestPost } from "./freshness";
import type { ChannelEntry } from "./channels";
import type { Engine } from "./engine";
import { unreadItems } from "./evaluate";
import type { AuditRun } from "./model";

export interface AuditorOptions {
  readonly engine: Engine;
  readonly logger: Logger;
  /** The bearer token every channel's ChannelInventory accepts. */
  readonly inventoryToken: string;
  readonly pageSize: number;
  readonly now: () => number;
  /** Deadline of one ListHoldings call. */
  readonly callTimeoutMs?: number;
}

/**
 * Audits channels through their ChannelInventory: pages through everything a
 * channel holds, then records it as one audit pass. The pass is applied only once
 * complete, so a half-read inventory never makes items look absent.
 */
export class Auditor {
  private readonly clients = new Map<string, ChannelInventoryClient>();
  private seq = 0;
  private running: Promise<AuditRun[]> = Promise.resolve([]);
  /**
   * The one audit waiting behind the one running. Requests made meanwhile join it
   * (its channels widen to theirs), so however often an audit is asked for, at
   * most two exist: one running, one queued.
   */
  private queued: { channels: Set<string> | "all"; promise: Promise<AuditRun[]> } | undefined;
  private joined = 0;

  constructor(private readonly options: AuditorOptions) {}

  /**
   * Audits the named channels (default: every channel), after any audit in
   * progress. A request made while another waits is answered by that one, with
   * the runs of every channel either asked for.
   */
  audit(names?: readonly string[]): Promise<AuditRun[]> {
    const wanted = !names || names.length === 0 ? "all" : new Set(names);
    const queued = this.queued;
    if (queued) {
      this.joined += 1;
      if (wanted === "all" || queued.channels === "all") queued.channels = "all";
      else for (const name of wanted) queued.channels.add(name);
      return queued.promise;
    }
    const entry: NonNullable<Auditor["queued"]> = {
      channels: wanted,
      promise: Promise.resolve([]),
    };
    entry.promise = this.running
      .catch(() => [])
      .then(() => {
        if (this.queued === entry) this.queued = undefined;
        return this.auditNow(entry.channels === "all" ? undefined : [...entry.channels]);
      });
    this.queued = entry;
    this.running = entry.promise;
    return entry.promise;
  }

  /** For metrics: whether an audit waits, and how many requests joined a waiting one. */
  stats(): { queued: number; joined: number } {
    return { queued: this.queued ? 1 : 0, joined: this.joined };
  }

  private async auditNow(names?: readonly string[]): Promise<AuditRun[]> {
    const { engine } = this.options;
    const channels = engine.channels
      .all()
      .filter((c) => !names || names.length === 0 || names.includes(c.name));
    const runs = await Promise.all(channels.map((c) => this.auditChannel(c)));
    engine.evaluate(true);
    return runs;
  }

  private async auditChannel(channel: ChannelEntry): Promise<AuditRun> {
    const startedAt = this.options.now();
    const began = performance.now();
    const log = this.options.logger.child({ channel: channel.name });
    if (!channel.inventoryAddress) {
      return this.finish(channel, {
        channel: channel.name,
        startedAt: new Date(startedAt),
        durationMs: 0,
        holdings: 0,
        error: "no inventory address: the channel has not announced itself and none is configured",
      });
    }
    try {
      const { holdings, consumed, consuming } = await this.readAll(
        channel.inventoryAddress,
        channel.outletId ?? "",
      );
      channel.unreachable = undefined;
      const seq = ++this.seq;
      for (const h of holdings) {
        const cell = channel.cells.obtain(h.itemId);
        const expected = this.options.engine.expected.get(h.itemId);
        cell.auditSeq = seq;
        cell.auditVersion = h.version;
        // Share the expected checksum string when equal: one copy for 100,000 cells, not two.
        cell.auditChecksum =
          expected && expected.checksum === h.checksum ? expected.checksum : h.checksum;
        if (h.externalRef && !cell.externalRef) cell.externalRef = h.externalRef;
      }
      channel.audit = consumed.size > 0 ? { seq, startedAt, consumed } : { seq, startedAt };
      channel.lastPost = newestPost(holdings);
      channel.consuming = nextConsuming(channel.consuming, consuming, startedAt);
      const run: AuditRun = {
        channel: channel.name,
        startedAt: new Date(startedAt),
        durationMs: Math.round(performance.now() - began),
        holdings: holdings.length,
        ...(consumed.size > 0
          ? { lag: unreadItems(this.options.engine.expected.values(), consumed) }
          : {}),
      };
      log.info({ holdings: run.holdings, ms: run.durationMs }, "audited");
      return this.finish(channel, run);
    } catch (error) {
      const message = grpcMessage(error);
      log.warn({ err: error }, "audit failed");
      // An outlet not connected to the gateway cannot be checked: that is not evidence of loss.
      if (channel.outletId && isUnavailable(error)) {
        channel.unreachable = { since: channel.unreachable?.since ?? startedAt, error: message };
      }
      return this.finish(channel, {
        channel: channel.name,
        startedAt: new Date(startedAt),
        durationMs: Math.round(performance.now() - began),
        holdings: 0,
        error: message,
      });
    }
  }

  private finish(channel: ChannelEntry, run: AuditRun): AuditRun {
    channel.lastRun = run;
    return run;
  }

  /**
   * Every holding, and how far the channel had applied the item stream when the
   * listing was taken (from the first page: the listing is one snapshot), and how
   * the instance that answered was consuming then.
   */
  private async readAll(
    address: string,
    outletId: string,
  ): Promise<{
    holdings: Holding[];
    consumed: Map<number, number>;
    consuming: ReportedConsuming | undefined;
  }> {
    const client = this.client(address);
    const all: Holding[] = [];
    let consumed: Map<number, number> | undefined;
    let consuming: ReportedConsuming | undefined;
    let pageToken = "";
    do {
      const page = await this.page(client, {
        outletId,
        pageSize: this.options.pageSize,
        pageToken,
        appliedSince: undefined,
      });
      if (!consumed) consuming = consumingFromMessage(page.consuming);
      consumed ??= new Map(page.consumed.map((c) => [c.partition, Number(c.offset)]));
      for (const h of page.holdings) all.push(h);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return { holdings: all, consumed: consumed ?? new Map<number, number>(), consuming };
  }

  private page(
    client: ChannelInventoryClient,
    request: ListHoldingsRequest,
  ): Promise<ListHoldingsResponse> {
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${this.options.inventoryToken}`);
    const deadline = new Date(Date.now() + (this.options.callTimeoutMs ?? 30_000));
    return new Promise((resolve, reject) =>
      client.listHoldings(request, metadata, { deadline }, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  private client(address: string): ChannelInventoryClient {
    let client = this.clients.get(address);
    if (!client) {
      client = new ChannelInventoryClient(address, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 64 * 1024 * 1024,
      });
      this.clients.set(address, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

function isUnavailable(error: unknown): boolean {
  return (
    error !== null &&
    typeof error === "object" &&
    "code" in error &&
    (error as grpc.ServiceError).code === grpc.status.UNAVAILABLE
  );
}

function grpcMessage(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && "details" in error) {
    const e = error as grpc.ServiceError;
    return `${grpc.status[e.code] ?? e.code}: ${e.details}`;
  }
  return error instanceof Error ? error.message : String(error);
}
