import { Disclosure, type ItemState, ItemStatus, Topics } from "@herald/contracts";
import {
  createTransactionalProducer,
  extractTraceContext,
  isFencedError,
  type Logger,
  type OutgoingRecord,
  type TransactionalProducer,
} from "@herald/runtime";
import type { Kafka } from "kafkajs";
import { type ItemRecord, latestDisclosed } from "../domain/item";
import { versionToItemState } from "../domain/item-state";
import { type ItemStore, MARKER_REFRESH_MS, type OutboxMarker } from "../store/item-store";
import type { Lease } from "./lease";

/** Items looked up at once in a pass. */
const FIND_CONCURRENCY = 16;
/** A marker whose revision never appeared for this long belongs to a write that died before it. */
const ABANDONED_MS = 2 * MARKER_REFRESH_MS;

const LEAVING_STATUSES: ReadonlySet<ItemStatus> = new Set([
  ItemStatus.ITEM_STATUS_PUBLISHED,
  ItemStatus.ITEM_STATUS_RETRACTED,
  ItemStatus.ITEM_STATUS_EXPIRED,
]);

/** The disclosure gate: only proactive items in a public status leave the service. */
export function mayLeave(state: ItemState): boolean {
  return state.disclosure === Disclosure.DISCLOSURE_PROACTIVE && LEAVING_STATUSES.has(state.status);
}

export interface RelayOptions {
  store: ItemStore;
  lease: Lease;
  kafka: Kafka;
  logger: Logger;
  topicPrefix?: string;
  /** Shared by every instance of the content service, so Kafka fences all but the newest. */
  transactionalId: string;
  /** How often the outbox is read for events written by other instances (or before a crash). */
  pollMs: number;
  /** Revisions handled per pass. */
  batchSize: number;
}

export interface RelayStatus {
  leader: boolean;
  produced: number;
  passes: number;
  lastPassAt?: Date;
  lastError?: string;
}

/**
 * Moves outbox events to herald.items.v1. One instance relays at a time (the
 * lease holder). For each marked item it sends the item's newest public state,
 * in a Kafka transaction, and deletes the markers only after the commit: a crash
 * at any point loses nothing and at worst sends the newest state twice, which
 * consumers ignore by version. Sending the newest state (event-carried state: it
 * holds everything older ones did) rather than the marked one means a resend can
 * never put an older version after a newer one. Across instances, the
 * transactional id fences a paused former relay.
 */
export class OutboxRelay {
  private producer: TransactionalProducer | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private readonly log: Logger;
  private readonly state: RelayStatus = { leader: false, produced: 0, passes: 0 };
  /** When this instance last became the relay. */
  private leadingSince: Date | undefined;
  /** Records this instance wrote while relaying, by item, until a pass sends them. */
  private readonly written = new Map<string, ItemRecord>();

  constructor(private readonly options: RelayOptions) {
    this.log = options.logger.child({ component: "outbox-relay" });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Asks for a pass now: a local write need not wait for the next poll. With the
   * record the write stored, the pass need not read it back.
   */
  notify(record?: ItemRecord): void {
    if (record && this.leadingSince !== undefined && record.updatedAt >= this.leadingSince) {
      // Only writes made while this relay leads: such a record is at least as new as
      // anything a former relay sent, so sending it can never go backwards.
      const cached = this.written.get(record.id);
      if (!cached || cached.revision < record.revision) this.written.set(record.id, record);
    }
    this.woken = true;
    this.wake?.();
  }

  status(): RelayStatus {
    return { ...this.state };
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    await this.resign();
  }

  /** Stops relaying: drops the producer and what it knew while leading. */
  private async standDown(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.state.leader = false;
    this.leadingSince = undefined;
    this.written.clear();
    await producer?.disconnect().catch(() => undefined);
  }

  /** Stands down and hands the lease back, so another instance need not wait for it to expire. */
  private async resign(): Promise<void> {
    await this.standDown();
    await this.options.lease.release().catch(() => undefined);
  }

  private async sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    this.woken = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (await this.options.lease.acquire()) {
          if (!this.producer) await this.lead();
          while (this.running && (await this.pass()) === this.options.batchSize);
        } else if (this.producer) {
          this.log.info("lost the relay lease; another instance relays");
          await this.resign();
        }
        delete this.state.lastError;
      } catch (error) {
        this.state.lastError = error instanceof Error ? error.message : String(error);
        if (isFencedError(error)) {
          this.log.warn("fenced by a newer relay; standing down");
          await this.standDown();
        } else {
          this.log.error({ err: error }, "relay pass failed; retrying");
        }
      }
      await this.sleep(this.options.pollMs);
    }
  }

  private async lead(): Promise<void> {
    const producer = createTransactionalProducer(this.options.kafka, {
      logger: this.options.logger,
      transactionalId: this.options.transactionalId,
      ...(this.options.topicPrefix ? { topicPrefix: this.options.topicPrefix } : {}),
    });
    // Connecting registers the transactional id, fencing any older relay.
    this.leadingSince = new Date();
    this.written.clear();
    await producer.connect();
    this.producer = producer;
    this.state.leader = true;
    this.log.info("relaying the outbox");
  }

  /** One pass: returns how many markers it read. */
  private async pass(): Promise<number> {
    const { store } = this.options;
    const markers = await store.markers(this.options.batchSize);
    this.state.passes += 1;
    this.state.lastPassAt = new Date();
    if (markers.length === 0) return 0;
    const byItem = new Map<string, OutboxMarker[]>();
    for (const m of markers) byItem.set(m.itemId, [...(byItem.get(m.itemId) ?? []), m]);

    const records: Array<OutgoingRecord<ItemState>> = [];
    const done: string[] = [];
    const now = Date.now();
    await forEachLimit([...byItem], FIND_CONCURRENCY, async ([itemId, itemMarkers]) => {
      // The newest state now, not the state of the marked revision: a resend then
      // never puts an older version after a newer one, whatever was sent before.
      const newest = Math.max(...itemMarkers.map((m) => m.revision));
      const written = this.written.get(itemId);
      this.written.delete(itemId);
      const record = written && written.revision >= newest ? written : await store.find(itemId);
      const ready = itemMarkers.filter((m) => record && m.revision <= record.revision);
      const abandoned = itemMarkers.filter(
        (m) => !ready.includes(m) && now - m.at.getTime() > ABANDONED_MS,
      );
      done.push(...abandoned.map((m) => m._id));
      if (!record || ready.length === 0) return; // the revision is still being written
      done.push(...ready.map((m) => m._id));
      const version = latestDisclosed(record);
      if (!version) return;
      const state = versionToItemState(itemId, version);
      if (!mayLeave(state)) {
        // The workflow never marks such a version; if one appears, it stays in.
        this.log.error(
          { item: itemId, version: state.version },
          "disclosure gate refused an event",
        );
        return;
      }
      records.push({
        key: itemId,
        value: state,
        ...(state.trace ? { traceContext: extractTraceContext({ ...state.trace }) } : {}),
      });
    });
    if (records.length > 0) {
      if (!this.producer) throw new Error("relay has no producer");
      await this.producer.sendAll(Topics.items, records);
      this.state.produced += records.length;
    }
    await store.unmark(done);
    this.log.debug({ markers: markers.length, sent: records.length }, "relayed");
    return markers.length;
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}
