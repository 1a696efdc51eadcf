import { Disclosure, ItemState, ItemStatus, Topics } from "@herald/contracts";
import {
  createTransactionalProducer,
  extractTraceContext,
  isFencedError,
  type Logger,
  type OutgoingRecord,
  type TransactionalProducer,
} from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { ItemStore, RevisionDoc } from "../store/item-store";
import type { Lease } from "./lease";

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
  /** How often the journal is scanned for events written by other instances (or before a crash). */
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
 * Moves outbox events from the journal to herald.items.v1. One instance relays
 * at a time (the lease holder); its events go out in a Kafka transaction and are
 * marked done only after the commit, so a crash at any point loses nothing and at
 * worst sends the newest version twice, which consumers ignore by version. Each
 * pass sends only the newest pending version of an item (event-carried state: it
 * holds everything the older ones did). Across instances, the transactional id
 * fences a paused former relay, so an older version is never written after a
 * newer one.
 */
export class OutboxRelay {
  private producer: TransactionalProducer | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private readonly log: Logger;
  private readonly state: RelayStatus = { leader: false, produced: 0, passes: 0 };

  constructor(private readonly options: RelayOptions) {
    this.log = options.logger.child({ component: "outbox-relay" });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks for a pass now: a local write need not wait for the next poll. */
  notify(): void {
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

  private async resign(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.state.leader = false;
    await producer?.disconnect().catch(() => undefined);
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
          const fenced = this.producer;
          this.producer = undefined;
          this.state.leader = false;
          await fenced?.disconnect().catch(() => undefined);
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
    await producer.connect();
    this.producer = producer;
    this.state.leader = true;
    this.log.info("relaying the outbox");
  }

  /** One pass: returns how many revisions it handled. */
  private async pass(): Promise<number> {
    const { store } = this.options;
    const pending = await store.pending(this.options.batchSize);
    this.state.passes += 1;
    this.state.lastPassAt = new Date();
    if (pending.length === 0) return 0;
    const byItem = new Map<string, RevisionDoc[]>();
    for (const doc of pending) byItem.set(doc.itemId, [...(byItem.get(doc.itemId) ?? []), doc]);

    const records: Array<OutgoingRecord<ItemState>> = [];
    const anchors = new Set<string>();
    for (const [itemId, docs] of byItem) {
      // Roll the head forward: a writer may have died between journal and head.
      await store.writeHead(docs.at(-1)!.record);
      // Only the newest version pending for the item is sent. Its revision (the
      // anchor) is marked done last, so after a crash anywhere in between, what
      // is still pending always includes the newest version: a resend never puts
      // an older version after a newer one.
      let newest: { doc: RevisionDoc; state: ItemState } | undefined;
      for (const doc of docs) {
        for (const event of doc.events) {
          const state = ItemState.decode(event.payload);
          if (!newest || state.version > newest.state.version) newest = { doc, state };
        }
      }
      if (!newest) continue;
      anchors.add(newest.doc._id);
      if (!mayLeave(newest.state)) {
        // The workflow never writes such an event; if one appears, it stays in.
        this.log.error(
          { item: itemId, version: newest.state.version },
          "disclosure gate refused an event",
        );
        continue;
      }
      const trace = newest.state.trace;
      records.push({
        key: itemId,
        value: newest.state,
        ...(trace ? { traceContext: extractTraceContext({ ...trace }) } : {}),
      });
    }
    if (records.length > 0) {
      if (!this.producer) throw new Error("relay has no producer");
      await this.producer.sendAll(Topics.items, records);
      this.state.produced += records.length;
    }
    await store.markDone(pending.filter((doc) => !anchors.has(doc._id)).map((doc) => doc._id));
    await store.markDone([...anchors]);
    this.log.debug({ revisions: pending.length, events: records.length }, "relayed");
    return pending.length;
  }
}
