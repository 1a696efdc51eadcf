import { randomBytes } from "node:crypto";
import { backoffDelay, expectedPresence, type ChannelPolicy } from "@herald/channel-kit";
import {
  Action,
  type Delivery,
  type DeliveryReceipt,
  type ItemState,
  type Result,
} from "@herald/contracts";
import { ContractError, outcomeOf } from "./outcome";
import { SessionQueues } from "./queues";
import type { OutletResults } from "./results";

/** A connected instance of the outlet, as the dispatcher sees it. */
export interface SessionPort {
  readonly id: string;
  readonly instanceId: string;
  /** How many deliveries may be unanswered on this stream now. */
  credit(): number;
  deliver(delivery: Delivery): void;
}

export { ContractError } from "./outcome";

interface InFlight {
  readonly deliveryId: string;
  readonly sessionId: string;
  deadline: number;
  readonly state: ItemState;
  readonly action: Action;
  readonly attempt: number;
  /** The entry's offsets when it was sent: a result settles these, not those of a newer version read since. */
  readonly offsets: readonly Offset[];
}

interface Offset {
  readonly partition: number;
  readonly offset: number;
}

/** One item of the outlet with work to do: the newest version read and not yet settled. */
interface Entry {
  readonly itemId: string;
  offsets: Offset[];
  state: ItemState;
  action: Action;
  backfill: boolean;
  /** Attempts at the current version. */
  attempt: number;
  notBefore: number;
  reason: string;
  inFlight?: InFlight | undefined;
  /** Its result is being recorded: not sent again until that finishes. */
  settling: boolean;
  /** Sent because a redelivery request asked for it, not read from the topic. */
  redelivery?: true;
}

export interface DispatcherOptions {
  outlet: string;
  policy: ChannelPolicy;
  results: Pick<OutletResults, "get" | "holds" | "record">;
  ackDeadlineMs: number;
  maxExtensionMs: number;
  retry: { initialMs: number; maxMs: number };
  /** Sends the receipt of a result and resolves once Kafka has it. */
  receipt(receipt: DeliveryReceipt): Promise<void>;
  /** Called with offsets whose items are settled (result recorded, or nothing to deliver). */
  settle(offsets: readonly Offset[]): void;
  now?: () => number;
  random?: () => number;
}

export interface DispatcherCounters {
  sent: number;
  redelivered: number;
  /** Deliveries queued by redelivery requests (an audit found the item missing). */
  requested: number;
  results: Record<"delivered" | "removed" | "declined" | "rejected" | "failed", number>;
  expired: number;
}

const RUN = randomBytes(6).toString("hex");
let sequence = 0;

/**
 * One outlet's deliveries within this gateway: which version of which item is
 * due, to which connected instance (rendezvous hash of the item id, so an item
 * stays with one instance while it is connected), how much each instance may
 * have in flight, deadlines and backoff, and what a result settles.
 */
export class Dispatcher {
  private readonly entries = new Map<string, Entry>();
  private readonly sessions = new Map<string, SessionPort>();
  /** Items ready to send, per session they belong to. */
  private readonly queues = new SessionQueues();
  /** Items waiting out a backoff. */
  private readonly waiting = new Set<string>();
  private readonly inFlight = new Map<string, Entry>();
  private readonly inFlightBySession = new Map<string, number>();
  /** Backfill items read before the backfill was released: newer versions may still follow. */
  private readonly gated = new Set<string>();
  private gateOpen = false;
  /** Deliveries whose deadline passed: a late result for them is still taken. */
  private readonly expired = new Map<string, { itemId: string; version: number }>();
  readonly counters: DispatcherCounters = {
    sent: 0,
    redelivered: 0,
    requested: 0,
    results: { delivered: 0, removed: 0, declined: 0, rejected: 0, failed: 0 },
    expired: 0,
  };
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Items held in memory (pending, waiting or in flight). */
  get size(): number {
    return this.entries.size;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  session(id: string): SessionPort | undefined {
    return this.sessions.get(id);
  }

  attach(session: SessionPort): void {
    this.sessions.set(session.id, session);
    this.queues.add(session.id, session.instanceId);
    this.inFlightBySession.set(session.id, 0);
    this.reassign();
    this.pumpAll();
  }

  /** A stream ended: what it had in flight goes to the instance now responsible for it. */
  detach(sessionId: string): void {
    if (!this.sessions.delete(sessionId)) return;
    for (const [deliveryId, entry] of this.inFlight) {
      if (entry.inFlight?.sessionId !== sessionId) continue;
      this.inFlight.delete(deliveryId);
      entry.inFlight = undefined;
      entry.attempt += 1;
      entry.reason = "reconnect";
      entry.notBefore = 0;
    }
    this.inFlightBySession.delete(sessionId);
    this.queues.remove(sessionId);
    this.reassign();
    this.pumpAll();
  }

  /**
   * Takes the newest state of an item read from the topic. Returns false when
   * there is nothing to deliver (its offset is settled at once).
   */
  offer(position: Offset, state: ItemState, backfill: boolean): void {
    this.take(position, state, backfill);
    // At once, not at the next tick: a live change should not wait.
    this.pumpAll();
  }

  /**
   * Sends the item's current state again because an audit found the outlet
   * without it (a redelivery request), even if a result for that version is
   * recorded. One in flight per item still holds: an item already pending or on
   * its way is left alone, since what it carries is at least as new. The entry
   * covers no offset, so its result settles nothing on the topic. Returns whether
   * a delivery was queued.
   */
  redeliver(state: ItemState, reason: string): boolean {
    if (this.entries.has(state.id)) return false;
    const presence = expectedPresence(this.options.policy, state);
    const created: Entry = {
      itemId: state.id,
      offsets: [],
      state,
      // The outlet said what it holds: a removal goes even where the records say nothing is held.
      action: presence.kind === "hold" ? Action.ACTION_APPLY : Action.ACTION_REMOVE,
      backfill: false,
      attempt: 0,
      notBefore: 0,
      reason,
      settling: false,
      redelivery: true,
    };
    this.entries.set(state.id, created);
    this.counters.requested += 1;
    this.enqueue(created);
    this.pumpAll();
    return true;
  }

  /**
   * Sends the backfill read so far. Until then backfill items wait, so that an
   * item with several versions on the topic (compaction is lazy) is sent once, at
   * its newest version.
   */
  releaseBackfill(): void {
    if (this.gateOpen) return;
    this.gateOpen = true;
    for (const itemId of this.gated) {
      const entry = this.entries.get(itemId);
      if (entry) this.enqueue(entry);
    }
    this.gated.clear();
    this.pumpAll();
  }

  private take(position: Offset, state: ItemState, backfill: boolean): void {
    const entry = this.entries.get(state.id);
    if (entry && entry.state.version > state.version) {
      this.options.settle([position]); // an older version read again after a rejoin
      return;
    }
    const recorded = this.options.results.get(state.id);
    if (!entry && recorded && recorded.version >= state.version) {
      this.options.settle([position]); // it already has its result (a replay after a restart)
      return;
    }
    const presence = expectedPresence(this.options.policy, state);
    let action = Action.ACTION_APPLY;
    if (presence.kind !== "hold") {
      // Removal only reaches an outlet that holds the item or has it on the way.
      const held = this.options.results.holds(state.id) || entry?.inFlight || entry?.settling;
      if (!held) {
        if (entry) this.drop(entry);
        this.options.settle([position]);
        return;
      }
      action = Action.ACTION_REMOVE;
    }
    if (entry) {
      entry.offsets.push(position);
      entry.state = state;
      entry.action = action;
      entry.backfill = backfill;
      if (!entry.inFlight && !entry.settling && !this.gated.has(entry.itemId)) {
        entry.attempt = 0;
        entry.notBefore = 0;
        this.waiting.delete(entry.itemId);
        this.enqueue(entry);
      }
      return;
    }
    const created: Entry = {
      itemId: state.id,
      offsets: [position],
      state,
      action,
      backfill,
      attempt: 0,
      notBefore: 0,
      reason: "",
      settling: false,
    };
    this.entries.set(state.id, created);
    if (backfill && !this.gateOpen) this.gated.add(created.itemId);
    else this.enqueue(created);
  }

  /** Sends what each session has credit for. */
  pumpAll(): void {
    for (const id of this.sessions.keys()) this.pump(id);
  }

  pump(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    let room = session.credit() - (this.inFlightBySession.get(sessionId) ?? 0);
    this.queues.drain(sessionId, (itemId) => {
      if (room <= 0) return "full";
      const entry = this.entries.get(itemId);
      if (!entry || entry.inFlight || entry.settling) return "skipped";
      this.send(session, entry);
      room -= 1;
      return "sent";
    });
  }

  /** Moves due backoffs to the ready queues and returns expired deliveries; call often. */
  tick(): void {
    const now = this.now();
    for (const [deliveryId, entry] of this.inFlight) {
      const flight = entry.inFlight;
      if (!flight || flight.deadline > now) continue;
      this.inFlight.delete(deliveryId);
      this.inFlightBySession.set(
        flight.sessionId,
        (this.inFlightBySession.get(flight.sessionId) ?? 1) - 1,
      );
      this.remember(deliveryId, entry.itemId, flight.state.version);
      entry.inFlight = undefined;
      this.counters.expired += 1;
      this.retryLater(entry, "deadline");
    }
    for (const itemId of this.waiting) {
      const entry = this.entries.get(itemId);
      if (!entry) {
        this.waiting.delete(itemId);
      } else if (entry.notBefore <= now) {
        this.waiting.delete(itemId);
        this.enqueue(entry);
      }
    }
    this.pumpAll();
  }

  extend(sessionId: string, deliveryIds: readonly string[], extensionMs: number): void {
    const until = this.now() + Math.min(extensionMs, this.options.maxExtensionMs);
    for (const id of deliveryIds) {
      const flight = this.inFlight.get(id)?.inFlight;
      if (flight && flight.sessionId === sessionId && flight.deadline < until) {
        flight.deadline = until;
      }
    }
  }

  /**
   * Takes an outlet's result: sends its receipt, records it, then settles the
   * offsets it covers. Throws {@link ContractError} for a delivery id never sent.
   */
  async result(sessionId: string, result: Result): Promise<void> {
    let entry = this.inFlight.get(result.deliveryId);
    let flight = entry?.inFlight;
    if (entry && flight) {
      if (flight.sessionId !== sessionId) {
        throw new ContractError("result.delivery_id", "was sent on another stream");
      }
      this.inFlight.delete(result.deliveryId);
      this.inFlightBySession.set(sessionId, (this.inFlightBySession.get(sessionId) ?? 1) - 1);
      entry.inFlight = undefined;
    } else {
      const late = this.expired.get(result.deliveryId);
      if (!late) {
        throw new ContractError(
          "result.delivery_id",
          `${JSON.stringify(result.deliveryId)} is not a delivery of this outlet awaiting a result`,
        );
      }
      this.expired.delete(result.deliveryId);
      entry = this.entries.get(late.itemId);
      // A late result still counts when the item waits for that very version.
      if (!entry || entry.inFlight || entry.settling || entry.state.version !== late.version)
        return;
      this.waiting.delete(entry.itemId);
      flight = {
        deliveryId: result.deliveryId,
        sessionId,
        deadline: 0,
        state: entry.state,
        action: entry.action,
        attempt: entry.attempt,
        offsets: [...entry.offsets],
      };
    }
    await this.settleResult(entry, flight, result);
    this.pump(sessionId);
  }

  private async settleResult(entry: Entry, flight: InFlight, result: Result): Promise<void> {
    const settled = outcomeOf(this.options.outlet, flight, result, new Date(this.now()));
    if (settled.kind === "retry") {
      this.counters.results.failed += 1;
      this.retryLater(entry, settled.reason);
      await this.options.receipt(settled.receipt);
      return;
    }
    const { recorded, receipt } = settled;
    this.counters.results[recorded.outcome] += 1;
    entry.settling = true;
    try {
      // Receipt first: a crash before the record replays the delivery, and the
      // outlet's idempotent answer repeats the receipt; nothing is lost.
      await this.options.receipt(receipt);
      await this.options.results.record(recorded);
    } catch (error) {
      entry.settling = false;
      this.retryLater(entry, "gateway could not record the result");
      throw error;
    }
    entry.settling = false;
    if (entry.state.version > flight.state.version) {
      // A newer version arrived while this one was out: it goes next, and its
      // offsets stay open until its own result.
      const covered = new Set(flight.offsets);
      entry.offsets = entry.offsets.filter((o) => !covered.has(o));
      this.options.settle(flight.offsets);
      entry.attempt = 0;
      entry.notBefore = 0;
      this.enqueue(entry);
    } else {
      // Every offset read for the item, the same version read again included.
      this.options.settle(entry.offsets);
      this.entries.delete(entry.itemId);
    }
  }

  /** Forgets everything read from partitions this gateway no longer owns (a rebalance). */
  dropPartitions(keep: (partition: number) => boolean): void {
    for (const entry of [...this.entries.values()]) {
      if (entry.inFlight || entry.settling) continue;
      if (entry.offsets.every((o) => !keep(o.partition))) {
        this.entries.delete(entry.itemId);
        this.waiting.delete(entry.itemId);
        this.gated.delete(entry.itemId);
        this.queues.delete(entry.itemId);
      }
    }
  }

  private drop(entry: Entry): void {
    if (entry.inFlight || entry.settling) return;
    this.entries.delete(entry.itemId);
    this.gated.delete(entry.itemId);
    this.waiting.delete(entry.itemId);
    this.queues.delete(entry.itemId);
    this.options.settle(entry.offsets);
  }

  private retryLater(entry: Entry, reason: string): void {
    entry.attempt += 1;
    entry.reason = reason;
    entry.notBefore = this.now() + backoffDelay(entry.attempt, this.options.retry, this.random);
    this.waiting.add(entry.itemId);
  }

  private remember(deliveryId: string, itemId: string, version: number): void {
    this.expired.set(deliveryId, { itemId, version });
    if (this.expired.size > 10_000) {
      const oldest = this.expired.keys().next().value;
      if (oldest !== undefined) this.expired.delete(oldest);
    }
  }

  private enqueue(entry: Entry): void {
    this.queues.push(entry.itemId, entry.attempt > 0);
  }

  /** Recomputes which instance each ready item goes to, after instances came or went. */
  private reassign(): void {
    this.queues.clear();
    for (const entry of this.entries.values()) {
      const parked = this.waiting.has(entry.itemId) || this.gated.has(entry.itemId);
      if (!entry.inFlight && !entry.settling && !parked) {
        this.enqueue(entry);
      }
    }
  }

  private send(session: SessionPort, entry: Entry): void {
    const deliveryId = `${RUN}-${(sequence += 1).toString(36)}`;
    entry.attempt = Math.max(entry.attempt, 0) + (entry.attempt === 0 ? 1 : 0);
    const deadline = this.now() + this.options.ackDeadlineMs;
    entry.inFlight = {
      deliveryId,
      sessionId: session.id,
      deadline,
      state: entry.state,
      action: entry.action,
      attempt: entry.attempt,
      offsets: [...entry.offsets],
    };
    this.inFlight.set(deliveryId, entry);
    this.inFlightBySession.set(session.id, (this.inFlightBySession.get(session.id) ?? 0) + 1);
    if (entry.attempt > 1) this.counters.redelivered += 1;
    this.counters.sent += 1;
    session.deliver({
      deliveryId,
      action: entry.action,
      state: entry.state,
      attempt: entry.attempt,
      ackDeadline: new Date(deadline),
      backfill: entry.backfill,
      redeliveryReason: entry.attempt > 1 || entry.redelivery ? entry.reason : "",
    });
  }
}
