import {
  type ChannelDelivery as ChannelDeliveryMessage,
  type ChannelSummary as ChannelSummaryMessage,
  DeliveryState as DeliveryStateEnum,
  type Finding as FindingMessage,
  FindingKind as FindingKindEnum,
  type GetItemStatusResponse,
  type Problem as ProblemMessage,
  ProblemState as ProblemStateEnum,
} from "@herald/contracts";
import type {
  AuditRun,
  ChannelDelivery,
  ChannelSummary,
  DeliveryState,
  Finding,
  FindingKind,
  ItemStatus,
  Problem,
  ProblemState,
} from "./model";

/** Domain ↔ protobuf for the gRPC Reconciler service: domain code never sees protobuf types. */

const STATE: Record<DeliveryState, DeliveryStateEnum> = {
  delivered: DeliveryStateEnum.DELIVERY_STATE_DELIVERED,
  pending: DeliveryStateEnum.DELIVERY_STATE_PENDING,
  missing: DeliveryStateEnum.DELIVERY_STATE_MISSING,
  stale: DeliveryStateEnum.DELIVERY_STATE_STALE,
  mismatch: DeliveryStateEnum.DELIVERY_STATE_MISMATCH,
  failed: DeliveryStateEnum.DELIVERY_STATE_FAILED,
  removed: DeliveryStateEnum.DELIVERY_STATE_REMOVED,
  declined: DeliveryStateEnum.DELIVERY_STATE_DECLINED,
  late: DeliveryStateEnum.DELIVERY_STATE_LATE,
  unexpected: DeliveryStateEnum.DELIVERY_STATE_UNEXPECTED,
  not_announced: DeliveryStateEnum.DELIVERY_STATE_NOT_ANNOUNCED,
};

const KIND: Record<FindingKind, FindingKindEnum> = {
  missing: FindingKindEnum.FINDING_KIND_MISSING,
  stale: FindingKindEnum.FINDING_KIND_STALE,
  checksum_mismatch: FindingKindEnum.FINDING_KIND_CHECKSUM_MISMATCH,
  not_removed: FindingKindEnum.FINDING_KIND_NOT_REMOVED,
  failed: FindingKindEnum.FINDING_KIND_FAILED,
  declined: FindingKindEnum.FINDING_KIND_DECLINED,
  unexpected: FindingKindEnum.FINDING_KIND_UNEXPECTED,
  late: FindingKindEnum.FINDING_KIND_LATE,
  not_announced: FindingKindEnum.FINDING_KIND_NOT_ANNOUNCED,
};

const PROBLEM_STATE: Record<ProblemState, ProblemStateEnum> = {
  open: ProblemStateEnum.PROBLEM_STATE_OPEN,
  acknowledged: ProblemStateEnum.PROBLEM_STATE_ACKNOWLEDGED,
  resolved: ProblemStateEnum.PROBLEM_STATE_RESOLVED,
};

export function problemStateFromProto(value: ProblemStateEnum): ProblemState | undefined {
  return (Object.keys(PROBLEM_STATE) as ProblemState[]).find((k) => PROBLEM_STATE[k] === value);
}

export function toFinding(f: Finding): FindingMessage {
  return {
    itemId: f.itemId,
    channel: f.channel,
    kind: KIND[f.kind],
    reason: f.reason,
    firstSeenAt: f.firstSeenAt,
    code: f.code ?? "",
    repairAttempts: f.repairAttempts,
    nextRepairAt: f.nextRepairAt,
    lateWorkingDays: f.lateWorkingDays ?? 0,
  };
}

function toDelivery(d: ChannelDelivery): ChannelDeliveryMessage {
  return {
    channel: d.channel,
    state: STATE[d.state],
    expectedVersion: d.expectedVersion,
    heldVersion: d.heldVersion,
    externalRef: d.externalRef ?? "",
    deliveredAt: d.deliveredAt,
    deliveryMs: d.deliveryMs ?? 0,
    finding: d.finding ? toFinding(d.finding) : undefined,
  };
}

export function toItemStatus(s: ItemStatus): GetItemStatusResponse {
  return {
    itemId: s.itemId,
    version: s.version,
    title: s.title,
    channels: s.channels.map(toDelivery),
    deadline: s.deadline?.dueAt,
  };
}

export function toProblem(p: Problem): ProblemMessage {
  return {
    id: p.id,
    finding: toFinding(p.finding),
    state: PROBLEM_STATE[p.state],
    actions: p.actions.map((a) => ({ action: a.action, by: a.by, note: a.note ?? "", at: a.at })),
  };
}

export function toChannelSummary(c: ChannelSummary, run?: AuditRun): ChannelSummaryMessage {
  const last = run ?? c.lastAudit;
  return {
    channel: c.channel,
    states: (Object.keys(c.states) as DeliveryState[]).map((state) => ({
      state: STATE[state],
      count: c.states[state],
    })),
    lastAuditAt: last?.startedAt,
    lastAuditMs: last?.durationMs ?? 0,
    deadlineDeliveries: c.deadlineDeliveries,
    onTime: c.onTime,
    openProblems: c.openProblems,
    announced: c.announced,
    inventoryAddress: c.inventoryAddress ?? "",
    auditError: last?.error ?? "",
    ...(c.notConsuming
      ? {
          notConsuming: {
            state: c.notConsuming.state,
            code: c.notConsuming.code,
            detail: c.notConsuming.detail,
            message: c.notConsuming.message,
            since: c.notConsuming.since,
          },
        }
      : {}),
    ...(c.freshness
      ? {
          freshness: {
            level: c.freshness.level,
            code: c.freshness.code,
            days: c.freshness.days,
            lastPostAt: c.freshness.lastPostAt,
            message: c.freshness.message,
          },
        }
      : {}),
  };
}
