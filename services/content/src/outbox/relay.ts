import { type ItemState, Topics } from "@herald/contracts";
import {
  createTransactionalProducer,
  isFencedError,
  type Logger,
  type OutgoingRecord,
  type TransactionalProducer,
} from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { ItemRecord } from "../domain/item";
import type { ItemStore, OutboxMarker } from "../store/item-store";
import type { SetAsideDoc, SetAsideStore } from "../store/set-aside";
import type { Lease } from "./lease";
import {
  chunkBySize,
  FIND_CONCURRENCY,
  forEachLimit,
  type Outgoing,
  prepareOutgoing,
} from "./outgoing";
import { classifySendError, setAsideReason } from "./send-errors";

/** Recreations of the producer tried for one send before the pass gives up until the next poll. */
const MAX_RECREATIONS = 2;
/** Automatic retries of a set-aside item back off up to this many times the first interval. */
const MAX_BACKOFF_FACTOR = 16;

export { mayLeave } from "./outgoing";

/** Faults a test puts in the relay's way; never set in a running service. */
export interface RelayFaults {
  /** Runs before each send with its records; what it throws stands for the broker's answer. */
  beforeSend?: (records: readonly OutgoingRecord<ItemState>[]) => void | Promise<void>;
}

export interface RelayOptions {
  store: ItemStore;
  setAside: SetAsideStore;
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
  /** When a set-aside item is first tried again on its own; doubled after each failure. */
  retryMs: number;
  faults?: RelayFaults;
}

export interface RelayStatus {
  leader: boolean;
  produced: number;
  passes: number;
  lastPassAt?: Date;
  lastError?: string;
  /** Items set aside now, as of the last pass, and the oldest one's time. */
  setAside: number;
  oldestSetAsideAt?: Date;
  /** Items set aside since start (an item set aside again after a failed retry counts again). */
  setAsideTotal: number;
  /** Producers recreated after a stuck state or a failed send. */
  producerRecreations: number;
}

/**
 * Moves outbox events to herald.items.v1. One instance relays at a time (the
 * lease holder). For each marked item it sends the item's newest public state,
 * in Kafka transactions, and deletes the markers only after the commit: a crash
 * at any point loses nothing and at worst sends the newest state twice, which
 * consumers ignore by version. Sending the newest state (event-carried state: it
 * holds everything older ones did) rather than the marked one means a resend can
 * never put an older version after a newer one. Across instances, the
 * transactional id fences a paused former relay.
 *
 * One item never stops the others: a send the broker refuses for a record of its
 * own is split until the record is found, and that item is set aside (durably,
 * with its reason) and retried later; a producer stuck in a state kafkajs cannot
 * leave is replaced by a new one.
 */
export class OutboxRelay {
  private producer: TransactionalProducer | undefined;
  /** Set after a failed send: kafkajs's sequence numbers may no longer match the broker's. */
  private suspect = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private readonly log: Logger;
  private readonly state: RelayStatus = {
    leader: false,
    produced: 0,
    passes: 0,
    setAside: 0,
    setAsideTotal: 0,
    producerRecreations: 0,
  };
  /** When this instance last became the relay. */
  private leadingSince: Date | undefined;
  /** Records this instance wrote while relaying, by item, until a pass sends them. */
  private readonly written = new Map<string, ItemRecord>();
  /**
   * Counts the producers this instance made. A new producer fences the one before
   * (of this or another instance) and so ends a term: any state read in an earlier
   * term may be older than one another relay sent meanwhile, and is read again
   * before it is sent.
   */
  private term = 0;

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
          if (!this.state.leader) await this.lead();
          while (this.running && (await this.pass()) === this.options.batchSize);
        } else if (this.state.leader) {
          this.log.info("lost the relay lease; another instance relays");
          await this.resign();
        }
        delete this.state.lastError;
      } catch (error) {
        this.state.lastError = error instanceof Error ? error.message : String(error);
        if (isFencedError(error)) {
          this.log.warn("fenced by a newer relay that holds the lease; standing down");
          await this.standDown();
        } else {
          this.log.error({ err: error }, "relay pass failed; retrying");
        }
      }
      await this.sleep(this.options.pollMs);
    }
  }

  private async lead(): Promise<void> {
    // Connecting registers the transactional id, fencing any older relay.
    await this.connectProducer();
    this.state.leader = true;
    this.log.info("relaying the outbox");
  }

  /** A new transactional producer under the shared id: it fences (and aborts) the one before. */
  private async connectProducer(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    this.term += 1;
    // A new term: what this instance cached may be older than what another relay sent.
    this.leadingSince = new Date();
    this.written.clear();
    await old?.disconnect().catch(() => undefined);
    const producer = createTransactionalProducer(this.options.kafka, {
      logger: this.options.logger,
      transactionalId: this.options.transactionalId,
      ...(this.options.topicPrefix ? { topicPrefix: this.options.topicPrefix } : {}),
    });
    await producer.connect();
    this.producer = producer;
    this.suspect = false;
  }

  private async recreateProducer(cause: string): Promise<void> {
    const started = Date.now();
    await this.connectProducer();
    this.state.producerRecreations += 1;
    this.log.warn({ cause, ms: Date.now() - started }, "recreated the relay's producer");
  }

  /** One pass: returns how many markers it read. */
  private async pass(): Promise<number> {
    const { store, setAside } = this.options;
    const [markers, aside] = await Promise.all([
      store.markers(this.options.batchSize),
      setAside.all(),
    ]);
    this.state.passes += 1;
    this.state.lastPassAt = new Date();
    this.state.setAside = aside.length;
    const oldest = aside.map((d) => d.setAsideAt).sort((a, b) => a.getTime() - b.getTime())[0];
    if (oldest) this.state.oldestSetAsideAt = oldest;
    else delete this.state.oldestSetAsideAt;

    const now = Date.now();
    const asideById = new Map(aside.map((d) => [d._id, d]));
    const byItem = new Map<string, OutboxMarker[]>();
    for (const m of markers) byItem.set(m.itemId, [...(byItem.get(m.itemId) ?? []), m]);
    // A set-aside item due for a retry is sent like a marked one.
    for (const d of aside)
      if (d.retryAt.getTime() <= now && !byItem.has(d._id)) byItem.set(d._id, []);
    if (byItem.size === 0) return 0;

    const outgoing: Outgoing[] = [];
    const settled: string[] = [];
    await forEachLimit([...byItem], FIND_CONCURRENCY, async ([itemId, itemMarkers]) => {
      const written = this.written.get(itemId);
      this.written.delete(itemId);
      const item = await prepareOutgoing(
        { store, log: this.log },
        {
          itemId,
          markers: itemMarkers,
          aside: asideById.get(itemId),
          written,
          now,
          term: this.term,
        },
        settled,
      );
      if (item) outgoing.push(item);
    });
    await store.unmark(settled);
    for (const chunk of chunkBySize(outgoing)) await this.deliver(chunk, 0);
    this.log.debug({ markers: markers.length, sent: outgoing.length }, "relayed");
    return markers.length;
  }

  /**
   * Sends a chunk in one transaction and settles its outbox entries. When the
   * broker refuses a record of it, the chunk is split in halves until the record
   * is found and set aside; a stuck producer is recreated and the chunk sent again.
   */
  private async deliver(chunk: Outgoing[], recreations: number): Promise<void> {
    try {
      await this.send(chunk);
    } catch (error) {
      // After any failed send kafkajs's sequence numbers may be off: a new producer next.
      this.suspect = true;
      const failure = classifySendError(error);
      if (failure.kind === "producer" && recreations < MAX_RECREATIONS) {
        if (failure.fenced && !(await this.options.lease.holds())) throw error;
        await this.recreateProducer(failure.type);
        return this.deliver(chunk, recreations + 1);
      }
      if (failure.kind !== "record") throw error;
      if (chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        await this.deliver(chunk.slice(0, half), 0);
        await this.deliver(chunk.slice(half), 0);
        return;
      }
      await this.setAsideItem(chunk[0]!, failure);
      return;
    }
    const cleared = chunk.filter((o) => o.aside).map((o) => o.itemId);
    if (cleared.length > 0) {
      await this.options.setAside.clear(cleared);
      this.state.setAside = Math.max(0, this.state.setAside - cleared.length);
      if (this.state.setAside === 0) delete this.state.oldestSetAsideAt;
      this.log.info({ items: cleared }, "sent items that had been set aside");
    }
    await this.options.store.unmark(chunk.flatMap((o) => o.markerIds));
  }

  private async send(chunk: Outgoing[]): Promise<void> {
    if (!this.producer || this.suspect) await this.recreateProducer("a send failed before");
    await this.refresh(chunk);
    const records = chunk.map((o) => o.record);
    if (records.length === 0) return;
    await this.options.faults?.beforeSend?.(records);
    await this.producer!.sendAll(Topics.items, records);
    this.state.produced += records.length;
  }

  /**
   * Reads again, from the database, the states of a chunk prepared before the
   * current producer was made: another relay may have sent newer ones before it
   * was fenced, and sending what was read before would put an older version
   * after them. Read after the fence, the newest state is at least as new as
   * anything sent. Items that no longer leave drop out; their markers stay for
   * the next pass.
   */
  private async refresh(chunk: Outgoing[]): Promise<void> {
    const stale = chunk.filter((o) => o.term !== this.term);
    if (stale.length === 0) return;
    const now = Date.now();
    for (const old of stale) {
      const fresh = await prepareOutgoing(
        { store: this.options.store, log: this.log },
        { ...old, written: undefined, now, term: this.term },
        [],
      );
      chunk.splice(chunk.indexOf(old), 1, ...(fresh ? [fresh] : []));
    }
  }

  /** Records the item as set aside (durably, before its markers go) and lets the others flow. */
  private async setAsideItem(
    item: Outgoing,
    failure: { type: string; message: string },
  ): Promise<void> {
    const now = new Date();
    const attempts = (item.aside?.attempts ?? 0) + 1;
    const backoff = this.options.retryMs * Math.min(2 ** (attempts - 1), MAX_BACKOFF_FACTOR);
    const doc: SetAsideDoc = {
      _id: item.itemId,
      revision: item.revision,
      version: item.record.value.version,
      reason: setAsideReason(failure, item.bytes),
      setAsideAt: item.aside?.setAsideAt ?? now,
      attempts,
      retryAt: new Date(now.getTime() + backoff),
    };
    await this.options.setAside.put(doc);
    await this.options.store.unmark(item.markerIds);
    this.state.setAsideTotal += 1;
    // Counted now, not at the next pass: /readyz and the gauge say so at once.
    if (!item.aside) {
      this.state.setAside += 1;
      this.state.oldestSetAsideAt ??= doc.setAsideAt;
    }
    this.log.error(
      {
        item: item.itemId,
        version: doc.version,
        reason: doc.reason,
        attempts,
        retryAt: doc.retryAt,
      },
      "set an item aside: the broker refused it; every other item flows on",
    );
  }
}
