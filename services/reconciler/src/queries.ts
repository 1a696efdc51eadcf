import { type NotConsumingFinding, notConsumingOf } from "./consuming";
import { type Freshness, freshnessOf } from "./freshness";
import type { ChannelEntry } from "./channels";
import type { Engine } from "./engine";
import { kindName, statusName } from "./expected";
import {
  DELIVERY_STATES,
  type ChannelDelivery,
  type ChannelSummary,
  type Compliance,
  type ComplianceRow,
  type DeliveryState,
  type Finding,
  type ItemStatus,
  type MatrixPage,
  type MatrixQuery,
} from "./model";
import type { Repairer } from "./repairer";

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

/** Read views over the engine for the API, the dashboard and the gRPC service. */
export class Queries {
  private complianceCache: { at: number; value: Compliance } | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly repairer: Repairer,
    private readonly now: () => number,
    /** How long a channel may read `starting` before that is a `not_consuming` finding. */
    private readonly startingGraceMs = 3 * 60_000,
  ) {}

  itemStatus(itemId: string): ItemStatus | undefined {
    const item = this.engine.expected.get(itemId);
    const channels: ChannelDelivery[] = [];
    for (const channel of this.engine.channels.all()) {
      const delivery = this.delivery(channel, itemId);
      if (delivery) channels.push(delivery);
    }
    if (!item && channels.length === 0) return undefined;
    return {
      itemId,
      // An item not read from the stream yet (not announced) owes the version accepted.
      version: item?.version ?? Math.max(0, ...channels.map((c) => c.expectedVersion)),
      title: item?.title ?? "",
      kind: item ? kindName(item.kind) : "",
      office: item?.office ?? "",
      status: item ? statusName(item.status) : "unknown",
      ...(item ? { publishedAt: new Date(item.publishedAt) } : {}),
      ...(item?.deadline
        ? {
            deadline: {
              dueAt: new Date(item.deadline.dueAt),
              rule: item.deadline.rule,
              provisional: item.deadline.provisional,
            },
          }
        : {}),
      channels,
    };
  }

  private delivery(channel: ChannelEntry, itemId: string): ChannelDelivery | undefined {
    const verdict = this.engine.verdict(channel, itemId);
    if (!verdict) return undefined;
    const cell = channel.cells.get(itemId);
    const finding = this.engine.findings.get(`${channel.name}/${itemId}`);
    const delivered =
      cell && cell.deliveredVersion > 0 && cell.deliveredVersion === verdict.expectedVersion;
    return {
      channel: channel.name,
      state: verdict.state,
      expectedVersion: verdict.expectedVersion,
      heldVersion: verdict.heldVersion,
      ...(cell?.externalRef ? { externalRef: cell.externalRef } : {}),
      ...(delivered
        ? {
            deliveredAt: new Date(cell.deliveredAt),
            deliveryMs: cell.deliveryMs,
            ...(cell.onTime !== -1 ? { onTime: cell.onTime === 1 } : {}),
          }
        : {}),
      ...(finding ? { finding } : {}),
      ...(verdict.unreachable ? { unreachable: true as const } : {}),
      ...(verdict.awaiting ? { awaiting: verdict.awaiting } : {}),
    };
  }

  matrix(query: MatrixQuery): MatrixPage {
    const pageSize = Math.min(Math.max(1, query.pageSize ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
    const page = Math.max(1, query.page ?? 1);
    const channels = this.engine.channels
      .all()
      .filter((c) => !query.channel || c.name === query.channel);
    const search = query.search?.trim().toLowerCase();
    const matches = this.engine.expected.newestFirst().filter((item) => {
      if (
        search &&
        !item.id.toLowerCase().includes(search) &&
        !item.title.toLowerCase().includes(search)
      ) {
        return false;
      }
      if (!query.state) return true;
      return channels.some((c) => this.engine.stateOf(c.name, item.id) === query.state);
    });
    const rows = matches
      .slice((page - 1) * pageSize, page * pageSize)
      .map((item) => this.itemStatus(item.id))
      .filter((row): row is ItemStatus => row !== undefined)
      .map((row) => ({
        ...row,
        channels: row.channels.filter((c) => channels.some((ch) => ch.name === c.channel)),
      }));
    return { channels: channels.map((c) => c.name), rows, page, pageSize, total: matches.length };
  }

  findings(
    options: { channel?: string | undefined; includeDeclined?: boolean | undefined } = {},
  ): Finding[] {
    return [...this.engine.findings.values()]
      .filter(
        (f) =>
          (!options.channel || f.channel === options.channel) &&
          (options.includeDeclined || f.kind !== "declined"),
      )
      .sort((a, b) => b.firstSeenAt.getTime() - a.firstSeenAt.getTime());
  }

  /** Every channel owed items, then the retired ones (with zero counts), by name. */
  channels(): ChannelSummary[] {
    return [
      ...this.engine.channels.all().map((channel) => this.channelSummary(channel)),
      ...this.engine.channels.retired().map((channel) => this.retiredSummary(channel)),
    ];
  }

  private retiredSummary(channel: ChannelEntry): ChannelSummary {
    return {
      channel: channel.name,
      announced: channel.announced,
      ...(channel.inventoryAddress ? { inventoryAddress: channel.inventoryAddress } : {}),
      ...(channel.outletId ? { outletId: channel.outletId } : {}),
      joinedAt: new Date(channel.joinedAt),
      retiredAt: new Date(channel.retiredAt ?? 0),
      states: Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<
        DeliveryState,
        number
      >,
      ...(channel.lastRun ? { lastAudit: channel.lastRun } : {}),
      openProblems: this.repairer.openCount(channel.name),
      deadlineDeliveries: 0,
      onTime: 0,
    };
  }

  private channelSummary(channel: ChannelEntry): ChannelSummary {
    const states = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<
      DeliveryState,
      number
    >;
    let undeliveredKnown = 0;
    for (const [itemId, state] of this.engine.undelivered(channel.name)) {
      states[state] += 1;
      if (this.engine.expected.get(itemId)) undeliveredKnown += 1;
    }
    states.delivered = Math.max(0, this.engine.expected.size - undeliveredKnown);
    let deadlineDeliveries = 0;
    let onTime = 0;
    for (const cell of channel.cells.values()) {
      if (cell.deliveredVersion === 0 || cell.onTime === -1) continue;
      deadlineDeliveries += 1;
      if (cell.onTime === 1) onTime += 1;
    }
    return {
      channel: channel.name,
      announced: channel.announced,
      ...(channel.inventoryAddress ? { inventoryAddress: channel.inventoryAddress } : {}),
      ...(channel.outletId ? { outletId: channel.outletId } : {}),
      joinedAt: new Date(channel.joinedAt),
      ...(channel.unreachable
        ? {
            unreachable: {
              since: new Date(channel.unreachable.since),
              error: channel.unreachable.error,
            },
          }
        : {}),
      states,
      ...(channel.lastRun ? { lastAudit: channel.lastRun } : {}),
      openProblems: this.repairer.openCount(channel.name),
      deadlineDeliveries,
      onTime,
      ...freshnessField(channel, this.now()),
      ...consumingFields(channel, this.now(), this.startingGraceMs),
    };
  }

  /** On-time share per channel, kind and office; recomputed at most every few seconds. */
  compliance(): Compliance {
    const now = this.now();
    if (this.complianceCache && now - this.complianceCache.at < 5000)
      return this.complianceCache.value;
    const byChannel = new Map<string, Tally>();
    const byKind = new Map<string, Tally>();
    const byOffice = new Map<string, Tally>();
    for (const channel of this.engine.channels.all()) {
      const tallyOf = (item: { kind: number; office: string }) => [
        tally(byChannel, channel.name),
        tally(byKind, kindName(item.kind)),
        tally(byOffice, item.office || "—"),
      ];
      for (const cell of channel.cells.values()) {
        if (cell.deliveredVersion === 0 || cell.onTime === -1) continue;
        const item = this.engine.expected.get(cell.itemId);
        if (!item) continue;
        for (const t of tallyOf(item)) {
          t.total += 1;
          if (cell.onTime === 1) t.onTime += 1;
          else t.late += 1;
        }
      }
      for (const [itemId, state] of this.engine.undelivered(channel.name)) {
        const item = state === "late" ? this.engine.expected.get(itemId) : undefined;
        if (item) for (const t of tallyOf(item)) t.overdue += 1;
      }
    }
    const value = { byChannel: rows(byChannel), byKind: rows(byKind), byOffice: rows(byOffice) };
    this.complianceCache = { at: now, value };
    return value;
  }
}

interface Tally {
  total: number;
  onTime: number;
  late: number;
  overdue: number;
}

function tally(map: Map<string, Tally>, key: string): Tally {
  let t = map.get(key);
  if (!t) map.set(key, (t = { total: 0, onTime: 0, late: 0, overdue: 0 }));
  return t;
}

function rows(map: Map<string, Tally>): ComplianceRow[] {
  return [...map]
    .map(([key, t]) => ({ key, ...t }))
    .sort((a, b) => b.total + b.overdue - (a.total + a.overdue) || (a.key < b.key ? -1 : 1));
}

function consumingFields(
  channel: ChannelEntry,
  now: number,
  startingGraceMs: number,
): Pick<ChannelSummary, "consuming" | "notConsuming"> {
  if (!channel.consuming) return {};
  const finding: NotConsumingFinding | undefined = notConsumingOf(
    channel.name,
    channel.consuming,
    now,
    startingGraceMs,
  );
  return { consuming: channel.consuming, ...(finding ? { notConsuming: finding } : {}) };
}

function freshnessField(channel: ChannelEntry, now: number): { freshness?: Freshness } {
  const freshness = freshnessOf(channel.policy, channel.lastPost, channel.joinedAt, now);
  return freshness ? { freshness } : {};
}
