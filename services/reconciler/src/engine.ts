import type { WorkingCalendar } from "@herald/calendar";
import {
  type ChannelAnnouncement,
  type DeliveryReceipt,
  DeliveryOutcome,
  type ItemState,
  ItemStatus,
} from "@herald/contracts";
import type { ChannelEntry, ChannelRegistry } from "./channels";
import { type EvaluateContext, type Verdict, evaluate } from "./evaluate";
import { type Cell, currentHolding } from "./evidence";
import { type ExpectedItem, ExpectedStore, type StreamPosition, statusName } from "./expected";
import type { DeliveryRecord, Ledger } from "./ledger";
import type { DeliveryState, Finding, TimelineEvent } from "./model";
import { type PendingAnnouncement, notAnnouncedVerdict } from "./not-announced";

export type { PendingAnnouncement } from "./not-announced";

export interface EngineOptions {
  readonly channels: ChannelRegistry;
  readonly ledger: Ledger;
  readonly calendar: WorkingCalendar;
  readonly graceMs: number;
  readonly now: () => number;
}

/** Called for every finding that opened, changed or cleared (undefined) on a pass. */
export type FindingListener = (
  key: string,
  finding: Finding | undefined,
  item: ExpectedItem | undefined,
) => void;

/**
 * The reconciler's model: the expected state of every item, the evidence of
 * every channel, and the verdict of every (item, channel) pair. Ingest methods
 * take one message or one audit page; `evaluate` turns evidence into verdicts and
 * findings. Single-threaded by construction (one Node process owns it).
 */
export class Engine {
  readonly expected = new ExpectedStore();
  /** Open findings by "<channel>/<item id>" (declined included: operators see them). */
  readonly findings = new Map<string, Finding>();
  /** Per channel: the state of every pair that is not `delivered`. */
  private readonly states = new Map<string, Map<string, DeliveryState>>();
  private readonly dirty = new Map<string, Set<string>>();
  /** The newest version whose publication is on each item's timeline. */
  private readonly published = new Map<string, number>();
  private readonly lateMemo = new Map<string, number>();
  private lateMemoDay = "";
  private listener: FindingListener = () => undefined;
  private notAnnounced = new Map<string, PendingAnnouncement>();

  constructor(private readonly options: EngineOptions) {}

  get channels(): ChannelRegistry {
    return this.options.channels;
  }

  onFinding(listener: FindingListener): void {
    this.listener = listener;
  }

  /** Restores what the ledger kept: the newest version on the item's timeline, and first deliveries. */
  restore(
    itemId: string,
    publishedVersion: number,
    deliveries: ReadonlyMap<string, DeliveryRecord>,
  ): void {
    if (publishedVersion > (this.published.get(itemId) ?? 0))
      this.published.set(itemId, publishedVersion);
    for (const [channel, record] of deliveries) {
      const cell = this.channels.ensure(channel)?.cells.obtain(itemId);
      if (!cell) continue;
      cell.deliveredVersion = record.version;
      cell.deliveredAt = record.at.getTime();
      cell.deliveryMs = record.ms;
      cell.onTime = record.onTime;
    }
  }

  ingestItem(state: ItemState, position?: StreamPosition): void {
    const now = this.options.now();
    const item = this.expected.accept(state, now, position);
    if (!item) return;
    if (item.version > (this.published.get(item.id) ?? 0)) {
      this.published.set(item.id, item.version);
      this.options.ledger.recordPublished(item.id, item.version);
      this.event(
        item.id,
        {
          at: new Date(item.updatedAt),
          type: "published",
          version: item.version,
          detail: `v${item.version} ${item.status === ItemStatus.ITEM_STATUS_PUBLISHED ? "published" : statusName(item.status)}: ${item.title}`,
        },
        `p:${item.version}`,
      );
    }
    for (const channel of this.channels.all()) this.markDirty(channel.name, item.id);
  }

  /** `position` is the receipt's place on herald.receipts.v1: the id of its timeline event. */
  ingestReceipt(receipt: DeliveryReceipt, position?: StreamPosition): void {
    const channel = this.channels.ensure(receipt.channel, receipt.outletId);
    if (!channel || !receipt.itemId) return;
    const cell = channel.cells.obtain(receipt.itemId);
    const now = this.options.now();
    const sentAt = receipt.at?.getTime() ?? now;
    const outcome = receipt.outcome;
    if (
      outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED ||
      outcome === DeliveryOutcome.DELIVERY_OUTCOME_REMOVED
    ) {
      // Receipts are at-least-once and may arrive out of order across retries: keep the newest version.
      if (receipt.version >= cell.receiptVersion) {
        cell.receiptVersion = receipt.version;
        cell.receiptChecksum = receipt.checksum;
        cell.receiptHeld = outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED;
        cell.receiptAt = now;
        cell.receiptSentAt = sentAt;
        cell.externalRef = receipt.externalRef;
      }
    } else if (receipt.version >= cell.troubleVersion) {
      cell.troubleVersion = receipt.version;
      cell.troubleOutcome =
        outcome === DeliveryOutcome.DELIVERY_OUTCOME_FAILED
          ? "failed"
          : outcome === DeliveryOutcome.DELIVERY_OUTCOME_DECLINED
            ? "declined"
            : "rejected";
      cell.troubleCode = receipt.error?.code ?? "";
      cell.troubleMessage = receipt.error?.message ?? "";
      cell.troubleAt = now;
    }
    this.event(
      receipt.itemId,
      {
        at: new Date(sentAt),
        type: "receipt",
        channel: channel.name,
        version: receipt.version,
        detail: receiptDetail(receipt),
      },
      position ? `r:${position.partition}:${position.offset}` : undefined,
    );
    this.markDirty(channel.name, receipt.itemId);
  }

  ingestAnnouncement(announcement: ChannelAnnouncement): void {
    const changed = this.channels.announce(announcement);
    // A new channel, or a new policy: every item's expectation on it may differ.
    if (changed) for (const item of this.expected.values()) this.markDirty(changed.name, item.id);
  }

  /**
   * A tombstone for a channel's announcement (the outlet gateway writes one when
   * an outlet is revoked): the channel is owed nothing from now on. Its open
   * findings close with the reason, its problems resolve, and its timelines and
   * first deliveries stay.
   */
  retireChannel(name: string, at = this.options.now()): void {
    const channel = this.channels.retire(name, at);
    if (!channel) return;
    this.states.delete(name);
    this.dirty.delete(name);
    for (const [key, finding] of [...this.findings]) {
      if (finding.channel !== name) continue;
      this.findings.delete(key);
      this.event(finding.itemId, {
        at: new Date(at),
        type: "finding",
        channel: name,
        detail: `cleared: ${finding.kind}, ${name} was retired and is owed nothing`,
      });
      this.listener(key, undefined, this.expected.get(finding.itemId));
    }
  }

  /**
   * Replaces the versions known not to be announced in time. Every channel owes
   * nothing it could not have read: the pairs of an item that entered or left the
   * list, or whose reason changed, are evaluated again.
   */
  setNotAnnounced(pending: readonly PendingAnnouncement[]): void {
    const next = new Map(pending.map((a) => [a.itemId, a]));
    for (const id of new Set([...this.notAnnounced.keys(), ...next.keys()])) {
      const before = this.notAnnounced.get(id);
      const after = next.get(id);
      if (
        before?.version !== after?.version ||
        before?.state !== after?.state ||
        before?.reason !== after?.reason
      ) {
        for (const channel of this.channels.all()) this.markDirty(channel.name, id);
      }
    }
    this.notAnnounced = next;
  }

  /** Versions accepted but not read from herald.items.v1, for the overview. */
  pendingAnnouncements(): readonly PendingAnnouncement[] {
    return [...this.notAnnounced.values()].filter(
      (a) => (this.expected.get(a.itemId)?.version ?? 0) < a.version,
    );
  }

  markDirty(channel: string, itemId: string): void {
    let set = this.dirty.get(channel);
    if (!set) this.dirty.set(channel, (set = new Set()));
    set.add(itemId);
  }

  /** Evaluates the pairs that changed since the last pass (or every pair with `full`). */
  evaluate(full = false): void {
    const ctx = this.context();
    for (const channel of this.channels.all()) {
      if (full) {
        this.dirty.delete(channel.name);
        for (const item of this.expected.values()) {
          this.settle(channel, item.id, item, channel.cells.get(item.id), ctx);
        }
        for (const cell of channel.cells.values()) {
          if (!this.expected.get(cell.itemId))
            this.settle(channel, cell.itemId, undefined, cell, ctx);
        }
        for (const id of this.notAnnounced.keys()) {
          if (!this.expected.get(id) && !channel.cells.get(id))
            this.settle(channel, id, undefined, undefined, ctx);
        }
      } else {
        const ids = this.dirty.get(channel.name);
        if (!ids) continue;
        this.dirty.delete(channel.name);
        for (const id of ids)
          this.settle(channel, id, this.expected.get(id), channel.cells.get(id), ctx);
      }
    }
  }

  /** The verdict of one pair, without side effects. */
  verdict(channel: ChannelEntry, itemId: string): Verdict | undefined {
    return this.judge(
      channel,
      itemId,
      this.expected.get(itemId),
      channel.cells.get(itemId),
      this.context(),
    );
  }

  /**
   * The pair's verdict: `evaluate`, unless the content service accepted a newer
   * version than the stream carries and it is overdue: then no channel can hold
   * it, and the item is not announced, with the content service's reason.
   */
  private judge(
    channel: ChannelEntry,
    itemId: string,
    item: ExpectedItem | undefined,
    cell: Cell | undefined,
    ctx: EvaluateContext,
  ): Verdict | undefined {
    const verdict = evaluate(item, channel, cell, ctx);
    const pending = this.notAnnounced.get(itemId);
    return pending ? notAnnouncedVerdict(pending, item, verdict) : verdict;
  }

  stateOf(channel: string, itemId: string): DeliveryState {
    return this.states.get(channel)?.get(itemId) ?? "delivered";
  }

  /** Per channel, the pairs that are not delivered. */
  undelivered(channel: string): ReadonlyMap<string, DeliveryState> {
    return this.states.get(channel) ?? new Map<string, DeliveryState>();
  }

  context(): EvaluateContext {
    const now = this.options.now();
    const today = this.options.calendar.day(new Date(now)).date;
    if (today !== this.lateMemoDay) {
      this.lateMemo.clear();
      this.lateMemoDay = today;
    }
    return {
      now,
      graceMs: this.options.graceMs,
      lateWorkingDays: (dueAt, at) => {
        const key = this.options.calendar.day(new Date(dueAt)).date;
        let days = this.lateMemo.get(key);
        if (days === undefined) {
          days = Math.max(
            0,
            this.options.calendar.workingDaysBetween(new Date(dueAt), new Date(at)).days,
          );
          this.lateMemo.set(key, days);
        }
        return days;
      },
    };
  }

  private settle(
    channel: ChannelEntry,
    itemId: string,
    item: ExpectedItem | undefined,
    cell: Cell | undefined,
    ctx: EvaluateContext,
  ): void {
    const verdict = this.judge(channel, itemId, item, cell, ctx);
    let states = this.states.get(channel.name);
    if (!states) this.states.set(channel.name, (states = new Map<string, DeliveryState>()));
    const previous = states.get(itemId) ?? (verdict ? "delivered" : undefined);
    if (!verdict) states.delete(itemId);
    else if (verdict.state === "delivered") states.delete(itemId);
    else states.set(itemId, verdict.state);

    if (
      item &&
      cell &&
      verdict?.confirmedAt !== undefined &&
      cell.deliveredVersion !== item.version
    ) {
      this.confirm(channel, item, cell, verdict);
    }
    // A change the audit saw (a listing, or an absence) goes on the timeline as the audit's.
    if (verdict && previous !== verdict.state && fromAudit(cell, channel)) {
      this.event(
        itemId,
        {
          at: new Date(channel.audit.startedAt),
          type: "audit",
          channel: channel.name,
          version: verdict.heldVersion,
          detail: `audit: ${channel.name} is ${verdict.state}${verdict.heldVersion ? ` (holds v${verdict.heldVersion})` : ""}`,
        },
        `a:${channel.name}:${channel.audit.startedAt}`,
      );
    }
    this.track(channel.name, itemId, item, verdict, ctx.now);
  }

  /** Records the first confirmed delivery of the current version: when, how long, on time or not. */
  private confirm(channel: ChannelEntry, item: ExpectedItem, cell: Cell, verdict: Verdict): void {
    const at = verdict.confirmedAt ?? this.options.now();
    const fromReceipt = cell.receiptVersion === item.version && cell.receiptAt === at;
    const ms = Math.max(0, (fromReceipt ? cell.receiptSentAt : at) - item.updatedAt);
    const due = item.deadline?.dueAt;
    const binding = due !== undefined && due >= channel.joinedAt;
    cell.deliveredVersion = item.version;
    cell.deliveredAt = at;
    cell.deliveryMs = ms;
    cell.onTime = binding ? (at <= due ? 1 : 0) : -1;
    this.options.ledger.recordDelivery(item.id, channel.name, {
      version: item.version,
      at: new Date(at),
      ms,
      onTime: cell.onTime,
    });
  }

  private track(
    channel: string,
    itemId: string,
    item: ExpectedItem | undefined,
    verdict: Verdict | undefined,
    now: number,
  ): void {
    const key = `${channel}/${itemId}`;
    const open = this.findings.get(key);
    const issue = verdict?.issue;
    if (!issue || !verdict) {
      if (open) {
        this.findings.delete(key);
        this.event(itemId, {
          at: new Date(now),
          type: "finding",
          channel,
          detail: `cleared: ${open.kind}${verdict ? `, now ${verdict.state}` : ""}`,
        });
        this.listener(key, undefined, item);
      }
      return;
    }
    const same =
      open && open.kind === issue.kind && open.expectedVersion === verdict.expectedVersion;
    // A finding that turns late, or a late one whose cause changes, keeps its history.
    const continued = open && open.expectedVersion === verdict.expectedVersion;
    const finding: Finding = {
      itemId,
      channel,
      kind: issue.kind,
      ...(issue.cause ? { cause: issue.cause } : {}),
      reason: issue.reason,
      ...(issue.code ? { code: issue.code } : {}),
      firstSeenAt: continued ? open.firstSeenAt : new Date(now),
      expectedVersion: verdict.expectedVersion,
      repairAttempts: continued ? open.repairAttempts : 0,
      ...(continued && open.nextRepairAt ? { nextRepairAt: open.nextRepairAt } : {}),
      repairable: issue.repairable,
      ...(issue.lateWorkingDays !== undefined ? { lateWorkingDays: issue.lateWorkingDays } : {}),
    };
    if (same && open.reason === finding.reason) return;
    this.findings.set(key, finding);
    // Declines are decisions, not incidents: they stay off the timeline.
    if (!same && finding.kind !== "declined") {
      this.event(itemId, {
        at: new Date(now),
        type: "finding",
        channel,
        version: verdict.expectedVersion,
        detail: `${finding.kind}: ${finding.reason}`,
      });
    }
    this.listener(key, finding, item);
  }

  /** Replaces a finding's repair bookkeeping (the repairer owns those fields). */
  updateFinding(key: string, finding: Finding): void {
    if (this.findings.has(key)) this.findings.set(key, finding);
  }

  event(itemId: string, event: TimelineEvent, id?: string): void {
    this.options.ledger.appendEvent(itemId, event, id);
  }
}

function fromAudit(cell: Cell | undefined, channel: ChannelEntry): boolean {
  const holding = currentHolding(cell, channel.audit);
  return holding.known && holding.source === "audit";
}

function receiptDetail(receipt: DeliveryReceipt): string {
  const outcome = DeliveryOutcome[receipt.outcome].replace("DELIVERY_OUTCOME_", "");
  const where = receipt.externalRef ? ` at ${receipt.externalRef}` : "";
  const error = receipt.error ? `: ${receipt.error.code} ${receipt.error.message}` : "";
  const attempt = receipt.attempt > 1 ? ` (attempt ${receipt.attempt})` : "";
  return `${outcome} v${receipt.version}${where}${error}${attempt}`;
}
