import { type ChannelPolicy, expectedPresence } from "@herald/channel-kit";
import { type AuditMark, type Cell, type Holding, currentHolding } from "./evidence";
import type { ExpectedItem } from "./expected";
import type { DeliveryState, FindingKind } from "./model";

/** A channel as the reconciler evaluates it. */
export interface ChannelView {
  readonly name: string;
  readonly policy: ChannelPolicy;
  /** When the channel joined: deadlines that fell before it do not bind it (its backfill). */
  readonly joinedAt: number;
  readonly audit: AuditMark;
  /** Set while the channel's outlet is unreachable: its last audit could not check anything. */
  readonly unreachable?: { readonly since: number; readonly error: string } | undefined;
}

/** What is wrong with a cell, before repair bookkeeping. */
export interface Issue {
  readonly kind: FindingKind;
  /** For `late`: the finding underneath. */
  readonly cause?: FindingKind;
  readonly reason: string;
  readonly code?: string;
  readonly repairable: boolean;
  readonly lateWorkingDays?: number;
}

export interface Verdict {
  readonly state: DeliveryState;
  readonly expectedVersion: number;
  readonly heldVersion: number;
  /** When the evidence for `delivered` or `removed` was taken. */
  readonly confirmedAt?: number;
  readonly issue?: Issue;
  /**
   * The audit that is the evidence was taken before the channel consumed the
   * item's message: what it lacks is in flight, not lost, and is not repaired.
   */
  readonly inFlight?: true;
  /**
   * The channel's outlet is unreachable and only an older audit (or none) speaks
   * of this item: what it seems to lack cannot be checked, so it is pending.
   */
  readonly unreachable?: true;
  /**
   * The change waits on an operator's task the channel opened (a Weibo post to
   * delete by hand: receipt code `operator_task.…`): pending, with the task's
   * sentence, and never repaired by a redelivery until the task is done.
   */
  readonly awaiting?: { readonly code: string; readonly reason: string };
}

export interface EvaluateContext {
  readonly now: number;
  /** How long a channel may take before a gap is a finding. */
  readonly graceMs: number;
  /** Working days from a deadline to now (the calendar's count, memoised by the caller). */
  lateWorkingDays(dueAt: number, now: number): number;
}

const NOTHING = { state: "pending", expectedVersion: 0, heldVersion: 0 } as const;

/**
 * The state of one item on one channel, from what it should hold (the channel's
 * own policy applied to the current version, with channel-kit's function) and the
 * newest evidence of what it holds. Pure: the same inputs give the same verdict.
 * Returns undefined when there is nothing to say: an item the channel neither
 * should nor does hold, and which it never heard of.
 */
export function evaluate(
  item: ExpectedItem | undefined,
  channel: ChannelView,
  cell: Cell | undefined,
  ctx: EvaluateContext,
): Verdict | undefined {
  const verdict = judge(item, channel, cell, ctx);
  if (!item || !verdict?.issue || !channel.unreachable) return verdict;
  // An unreachable outlet: the holding the audit last saw is no proof of what it holds now.
  if (!UNCHECKABLE.has(verdict.issue.cause ?? verdict.issue.kind)) return verdict;
  const holding = currentHolding(cell, channel.audit);
  if (!holding.known || holding.source !== "audit") return verdict;
  return late(item, channel, ctx, {
    state: "pending",
    expectedVersion: verdict.expectedVersion,
    heldVersion: verdict.heldVersion,
    unreachable: true,
  });
}

/** What an audit finds, and so what an unreachable outlet's audit cannot. */
const UNCHECKABLE: ReadonlySet<FindingKind> = new Set<FindingKind>([
  "missing",
  "stale",
  "checksum_mismatch",
  "not_removed",
]);

function judge(
  item: ExpectedItem | undefined,
  channel: ChannelView,
  cell: Cell | undefined,
  ctx: EvaluateContext,
): Verdict | undefined {
  const holding = currentHolding(cell, channel.audit);
  const held = holding.known && holding.present ? holding : undefined;
  if (!item) {
    if (!held) return undefined;
    // A receipt can be read before its item's version: wait before calling it unexpected.
    if (held.source === "receipt" && ctx.now - held.at < ctx.graceMs) return undefined;
    return {
      ...NOTHING,
      state: "unexpected",
      heldVersion: held.version,
      issue: {
        kind: "unexpected",
        reason: `${channel.name} holds v${held.version} of an item that was never published to it`,
        repairable: true,
      },
    };
  }
  const presence = expectedPresence(channel.policy, item);
  const within = ctx.now - item.updatedAt < ctx.graceMs;
  const base = { expectedVersion: item.version, heldVersion: held?.version ?? 0 };

  // Lag is not loss: an audit that predates the channel reading this version proves nothing against it.
  const lagging = inFlight(item, channel, holding);
  const pendingInFlight = (expectedVersion: number): Verdict =>
    late(item, channel, ctx, { ...base, expectedVersion, state: "pending", inFlight: true });

  if (presence.kind === "decline") {
    if (held && !within && lagging) return pendingInFlight(0);
    if (held && !within) {
      return late(item, channel, ctx, {
        ...base,
        expectedVersion: 0,
        state: "stale",
        issue: {
          kind: "not_removed",
          reason: `${channel.name} still shows v${held.version}, but ${presence.decline.reason}`,
          repairable: true,
        },
      });
    }
    if (held) return { ...base, expectedVersion: 0, state: "pending" };
    return {
      ...base,
      expectedVersion: 0,
      state: "declined",
      issue: {
        kind: "declined",
        reason: presence.decline.reason,
        code: `declined.${presence.decline.code}`,
        repairable: false,
      },
    };
  }

  if (presence.kind === "remove") {
    if (holding.known && !holding.present) {
      return { ...base, expectedVersion: 0, state: "removed", confirmedAt: holding.at };
    }
    const task = awaitingTask(cell, item.version);
    if (task && held) {
      return late(item, channel, ctx, {
        ...base,
        expectedVersion: 0,
        state: "pending",
        awaiting: task,
      });
    }
    if (!held || within)
      return late(item, channel, ctx, { ...base, expectedVersion: 0, state: "pending" });
    if (lagging) return pendingInFlight(0);
    return late(item, channel, ctx, {
      ...base,
      expectedVersion: 0,
      state: "stale",
      issue: {
        kind: "not_removed",
        reason: `${channel.name} still shows v${held.version} after the item was ${presence.why} in v${item.version}`,
        repairable: true,
      },
    });
  }

  if (held && held.version === item.version) {
    if (held.checksum === item.checksum) {
      return { ...base, state: "delivered", confirmedAt: held.at };
    }
    return late(item, channel, ctx, {
      ...base,
      state: "mismatch",
      issue: {
        kind: "checksum_mismatch",
        reason: `${channel.name} holds v${item.version} with checksum ${short(held.checksum)}, the item's is ${short(item.checksum)}`,
        repairable: true,
      },
    });
  }
  // The channel is ahead of what the reconciler has read: it is catching up, not wrong.
  if (held && held.version > item.version) return { ...base, state: "pending" };

  const trouble = cell && cell.troubleVersion >= item.version ? cell : undefined;
  if (trouble?.troubleOutcome === "declined") {
    return {
      ...base,
      state: "declined",
      issue: {
        kind: "declined",
        reason: trouble.troubleMessage || `${channel.name} declined v${item.version}`,
        code: trouble.troubleCode,
        repairable: false,
      },
    };
  }
  if (trouble && (trouble.troubleOutcome === "failed" || trouble.troubleOutcome === "rejected")) {
    const rejected = trouble.troubleOutcome === "rejected";
    return late(item, channel, ctx, {
      ...base,
      state: "failed",
      issue: {
        kind: "failed",
        reason: `${channel.name} ${rejected ? "rejected" : "failed to apply"} v${trouble.troubleVersion}: ${trouble.troubleMessage || trouble.troubleCode}`,
        code: trouble.troubleCode,
        // A rejection is final for that version: sending it again changes nothing.
        repairable: !rejected,
      },
    });
  }
  if (within || !holding.known) return late(item, channel, ctx, { ...base, state: "pending" });
  if (lagging) return pendingInFlight(item.version);
  if (held) {
    return late(item, channel, ctx, {
      ...base,
      state: "stale",
      issue: {
        kind: "stale",
        reason: `${channel.name} holds v${held.version}, the current version is v${item.version}`,
        repairable: true,
      },
    });
  }
  return late(item, channel, ctx, {
    ...base,
    state: "missing",
    issue: {
      kind: "missing",
      reason: `${channel.name} does not hold v${item.version} (${holding.source === "audit" ? "not in its holdings at the last audit" : "its last receipt says it removed the item"})`,
      repairable: true,
    },
  });
}

/**
 * Marks a verdict late when the item has a deadline that binds this channel and
 * it has passed: the finding becomes `late`, with what is late as its cause.
 */
function late(
  item: ExpectedItem,
  channel: ChannelView,
  ctx: EvaluateContext,
  verdict: Verdict,
): Verdict {
  const due = item.deadline?.dueAt;
  if (due === undefined || ctx.now <= due || due < channel.joinedAt) return verdict;
  const days = ctx.lateWorkingDays(due, ctx.now);
  const cause = verdict.issue?.kind;
  const what =
    verdict.issue?.reason ??
    (verdict.inFlight
      ? `${channel.name} has not read v${item.version} from the item stream yet (in flight)`
      : verdict.awaiting
        ? `${channel.name} waits on an operator's task: ${verdict.awaiting.reason}`
        : verdict.unreachable
          ? `${channel.name} is unreachable: whether it holds v${item.version} cannot be checked`
          : `${channel.name} has not confirmed v${item.version} yet`);
  return {
    ...verdict,
    state: "late",
    issue: {
      kind: "late",
      ...(cause ? { cause } : {}),
      reason: `${what}; past its deadline (${item.deadline?.rule || "deadline"}) by ${days} working day${days === 1 ? "" : "s"}`,
      ...(verdict.issue?.code ? { code: verdict.issue.code } : {}),
      // Redelivering what the channel has not read yet would only queue it twice.
      // Nor can an outlet that is not connected take a redelivery.
      repairable:
        verdict.inFlight || verdict.unreachable || verdict.awaiting
          ? false
          : (verdict.issue?.repairable ?? true),
      lateWorkingDays: days,
    },
  };
}

/**
 * How far behind the item stream a channel was when its listing was taken: the
 * items whose current message it had not consumed yet, by the offsets it
 * reported (0 when it reports none: it cannot tell). Shown to operators as the
 * channel's lag; in items, not messages, so superseded versions do not count.
 */
export function unreadItems(
  items: Iterable<ExpectedItem>,
  consumed: ReadonlyMap<number, number>,
): number {
  if (consumed.size === 0) return 0;
  let unread = 0;
  for (const item of items) {
    if (!item.position) continue;
    const next = consumed.get(item.position.partition);
    if (next !== undefined && next <= item.position.offset) unread += 1;
  }
  return unread;
}

/**
 * True when the holding comes from an audit whose listing was taken before the
 * channel had consumed the message carrying the item's current version: its
 * consumed offset on that partition is not past the message. A channel that
 * reports no offsets, or none for the partition, cannot tell, and its audit
 * counts as it always did.
 */
function inFlight(item: ExpectedItem, channel: ChannelView, holding: Holding): boolean {
  if (!holding.known || holding.source !== "audit" || !item.position) return false;
  const next = channel.audit.consumed?.get(item.position.partition);
  return next !== undefined && next <= item.position.offset;
}

function short(checksum: string): string {
  return checksum ? checksum.slice(0, 12) : "(none)";
}

/** The operator's task a channel's FAILED receipt for this version (or a newer one) names, if any. */
function awaitingTask(
  cell: Cell | undefined,
  version: number,
): { code: string; reason: string } | undefined {
  if (!cell || cell.troubleVersion < version || cell.troubleOutcome !== "failed") return undefined;
  if (!cell.troubleCode.startsWith("operator_task.")) return undefined;
  return { code: cell.troubleCode, reason: cell.troubleMessage || cell.troubleCode };
}
