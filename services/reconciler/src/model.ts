import type { ChannelConsuming, NotConsumingFinding } from "./consuming";
import type { Freshness } from "./freshness";
/**
 * The reconciler's domain, as its API, dashboard, gRPC service and CLI see it.
 * Everything here is plain data: protobuf types stay at the edges (convert.ts).
 */

/** The state of one item on one channel, as `herald status` prints it. */
export const DELIVERY_STATES = [
  "delivered",
  "pending",
  "missing",
  "stale",
  "mismatch",
  "failed",
  "removed",
  "declined",
  "late",
  "unexpected",
  "not_announced",
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** What a finding says is wrong (or, for `declined`, worth knowing). */
export const FINDING_KINDS = [
  "missing",
  "stale",
  "checksum_mismatch",
  "not_removed",
  "failed",
  "declined",
  "unexpected",
  "late",
  "not_announced",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A finding on one item and one channel, with its reason and when it was first seen. */
export interface Finding {
  readonly itemId: string;
  readonly channel: string;
  readonly kind: FindingKind;
  /** For `late`: what is late (missing, stale…). */
  readonly cause?: FindingKind;
  /** A sentence for operators, with the channel's error where there is one. */
  readonly reason: string;
  /** The channel's error code for `failed`, the decline rule for `declined`. */
  readonly code?: string;
  readonly firstSeenAt: Date;
  /** The version the channel should hold (0 when it should hold nothing). */
  readonly expectedVersion: number;
  /** Redeliveries asked for so far, and when the next one is due. */
  readonly repairAttempts: number;
  readonly nextRepairAt?: Date;
  /** Whether redelivery can clear it (declined cannot; a rejection cannot). */
  readonly repairable: boolean;
  /** For `late`: working days past the deadline, counted with the calendar. */
  readonly lateWorkingDays?: number;
}

/** One cell of the delivery matrix. */
export interface ChannelDelivery {
  readonly channel: string;
  readonly state: DeliveryState;
  /** The version the channel should hold (0 when it should hold nothing). */
  readonly expectedVersion: number;
  /** The version the evidence says the channel holds (0 when none). */
  readonly heldVersion: number;
  readonly externalRef?: string;
  /** When the channel first held the expected version, and how long after publication. */
  readonly deliveredAt?: Date;
  readonly deliveryMs?: number;
  /** Whether that delivery met the item's deadline; absent when it has none. */
  readonly onTime?: boolean;
  readonly finding?: Finding;
  /** The channel's outlet is unreachable: a pending state here could not be checked. */
  readonly unreachable?: true;
  /** Pending on an operator's task the channel opened (code `operator_task.…`), with its sentence. */
  readonly awaiting?: { readonly code: string; readonly reason: string };
}

/** An item's state on every channel. */
export interface ItemStatus {
  readonly itemId: string;
  /** The current version on herald.items.v1; 0 when the item was never published. */
  readonly version: number;
  readonly title: string;
  /** Kebab-case kind ("administrative-penalty"), issuing office. */
  readonly kind: string;
  readonly office: string;
  /** "published", "retracted", "expired". */
  readonly status: string;
  readonly publishedAt?: Date;
  readonly deadline?: {
    readonly dueAt: Date;
    readonly rule: string;
    readonly provisional: boolean;
  };
  readonly channels: readonly ChannelDelivery[];
}

export interface MatrixQuery {
  /** 1-based. */
  readonly page?: number | undefined;
  readonly pageSize?: number | undefined;
  /** Only rows with at least one cell in this state. */
  readonly state?: DeliveryState | undefined;
  readonly channel?: string | undefined;
  /** Substring of the item id or title. */
  readonly search?: string | undefined;
}

export interface MatrixPage {
  readonly channels: readonly string[];
  /** Rows newest first (by the current version's time). */
  readonly rows: readonly ItemStatus[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export type ProblemState = "open" | "acknowledged" | "resolved";

export type ProblemActionKind =
  "opened" | "acknowledged" | "resolved" | "redelivery_forced" | "cleared";

/** Who did what to a problem, and when. */
export interface ProblemAction {
  readonly action: ProblemActionKind;
  /** An operator's name, or "reconciler". */
  readonly by: string;
  readonly note?: string;
  readonly at: Date;
}

/** A finding repair could not clear within its cap, waiting for an operator. */
export interface Problem {
  /** "<channel>/<item id>". */
  readonly id: string;
  readonly itemId: string;
  readonly channel: string;
  readonly state: ProblemState;
  /** The finding as it stands now (or as it was when the problem closed). */
  readonly finding: Finding;
  readonly openedAt: Date;
  readonly actions: readonly ProblemAction[];
}

export interface ProblemQuery {
  /** Default: open and acknowledged. */
  readonly states?: readonly ProblemState[] | undefined;
  readonly channel?: string | undefined;
}

/** One channel at a glance. */
export interface ChannelSummary {
  readonly channel: string;
  /** False for a configured channel that has not announced itself yet. */
  readonly announced: boolean;
  readonly inventoryAddress?: string;
  /** The outlet behind the channel, for one the outlet gateway announced. */
  readonly outletId?: string;
  /** When the channel first announced itself (or was configured): it owes items from then on. */
  readonly joinedAt: Date;
  /**
   * Set while the outlet is unreachable (its last audit found it not connected):
   * since when, and what the gateway said. Its items are pending meanwhile.
   */
  readonly unreachable?: { readonly since: Date; readonly error: string };
  /** When the channel was retired (a revoked outlet): it is owed nothing since, and its counts are zero. */
  readonly retiredAt?: Date;
  readonly states: Readonly<Record<DeliveryState, number>>;
  readonly lastAudit?: AuditRun;
  readonly openProblems: number;
  /** Deliveries that had a deadline, and how many met it. */
  readonly deadlineDeliveries: number;
  readonly onTime: number;
  /** For an account that must be kept updated (its policy has a freshness rule). */
  readonly freshness?: Freshness;
  /** How the channel consumed the item stream at its last audit; absent when it did not say. */
  readonly consuming?: ChannelConsuming;
  /** Set while that state is not normal (stalled, failing, crashed, or starting too long). */
  readonly notConsuming?: NotConsumingFinding;
}

/** One audit of one channel. */
export interface AuditRun {
  readonly channel: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  /** Holdings the channel listed. */
  readonly holdings: number;
  /**
   * Items whose current version the channel had not read from the item stream yet
   * when it was listed (its lag); absent when the channel reports no consumed offsets.
   */
  readonly lag?: number;
  /** Set when the channel could not be audited (unreachable, refused the token). */
  readonly error?: string;
}

/** What `herald reconcile` prints: the audit of every channel, then every open finding. */
export interface AuditReport {
  readonly runs: readonly AuditRun[];
  readonly findings: readonly Finding[];
  /** Accounts not updated for long enough to warn of, or to fail inspection. */
  readonly stale?: readonly { readonly channel: string; readonly freshness: Freshness }[];
  /** Channels whose last audit read a consuming state that is not normal. */
  readonly notConsuming?: readonly NotConsumingFinding[];
}

/** On-time share of deliveries with a deadline, for one channel, kind or office. */
export interface ComplianceRow {
  readonly key: string;
  /** Deliveries with a deadline. */
  readonly total: number;
  readonly onTime: number;
  readonly late: number;
  /** Not delivered and already past the deadline. */
  readonly overdue: number;
}

export interface Compliance {
  readonly byChannel: readonly ComplianceRow[];
  readonly byKind: readonly ComplianceRow[];
  readonly byOffice: readonly ComplianceRow[];
}

export type TimelineEventType =
  "published" | "receipt" | "audit" | "redelivery" | "finding" | "problem";

/** One thing that happened to an item, for its timeline. */
export interface TimelineEvent {
  readonly at: Date;
  readonly type: TimelineEventType;
  readonly channel?: string;
  readonly version?: number;
  /** A short sentence: "DELIVERED v3 at https://…", "missing: not in the portal's holdings". */
  readonly detail: string;
}

/** The content service as the reconciler last saw it, for the overview. */
export interface ContentReadiness {
  readonly address: string;
  readonly ok: boolean;
  readonly checkedAt: Date | undefined;
  readonly error?: string;
  /** Public versions accepted and not yet read from herald.items.v1. */
  readonly pending: number;
  /** Of those, the ones past the announce grace period (each a finding per channel). */
  readonly notAnnounced: number;
  /** The content service's own readiness (its /readyz) as it answered, when it sends it. */
  readonly readiness?: { readonly ready: boolean; readonly detail: string };
}

/** What the API, dashboard and gRPC service read. */
export interface ReconcilerQueries {
  itemStatus(itemId: string): ItemStatus | undefined;
  matrix(query: MatrixQuery): MatrixPage;
  /** Open findings, most recent first; `declined` only when asked for. */
  findings(options?: {
    channel?: string | undefined;
    includeDeclined?: boolean | undefined;
  }): Finding[];
  problems(query?: ProblemQuery): Problem[];
  problem(id: string): Problem | undefined;
  channels(): ChannelSummary[];
  compliance(): Compliance;
  /** Oldest first. */
  timeline(itemId: string): Promise<TimelineEvent[]>;
  /** How the content service answered the last ListAnnouncements, when it is watched. */
  content?(): ContentReadiness | undefined;
  /** Whether the reconciler has caught up with the topics it reads since it started. */
  ready(): { ok: boolean; detail: string };
}

/** What operators may do. Every action is recorded with who and when. */
export interface OperatorActions {
  acknowledge(problemId: string, by: string, note?: string): Promise<Problem>;
  resolve(problemId: string, by: string, note: string): Promise<Problem>;
  /** Asks the channel to apply the item's current state again, now. */
  forceRedelivery(problemId: string, by: string, note?: string): Promise<Problem>;
  /** Audits the given channels (default: all) now and returns the open findings. */
  runAudit(channels?: readonly string[]): Promise<AuditReport>;
}

/** Thrown for a problem id that names no problem. */
export class ProblemNotFoundError extends Error {
  constructor(readonly problemId: string) {
    super(`no problem ${JSON.stringify(problemId)}`);
    this.name = "ProblemNotFoundError";
  }
}

/** Thrown for an operator action that does not fit the problem's state, or a bad argument. */
export class ActionError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "ActionError";
  }
}
