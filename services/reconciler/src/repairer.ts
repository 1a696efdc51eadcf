import { backoffDelay } from "@herald/channel-kit";
import type { RedeliveryRequest } from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import type { Engine } from "./engine";
import type { Ledger, RepairRecord } from "./ledger";
import {
  ActionError,
  type Finding,
  type Problem,
  type ProblemAction,
  ProblemNotFoundError,
  type ProblemQuery,
} from "./model";

export interface RepairerOptions {
  readonly engine: Engine;
  readonly ledger: Ledger;
  readonly logger: Logger;
  /** Sends redelivery requests on herald.redeliver.v1. */
  readonly send: (requests: readonly RedeliveryRequest[]) => Promise<void>;
  readonly now: () => number;
  readonly cap: number;
  readonly initialMs: number;
  readonly maxMs: number;
  /** Requests per channel per pass at most. */
  readonly batch: number;
  readonly random?: () => number;
}

/** The user name repair acts as, in redelivery requests and problem histories. */
export const RECONCILER_ACTOR = "reconciler";

/**
 * Repairs findings by asking the channel to apply the item again, with backoff,
 * up to a cap; after the cap, or for a finding redelivery cannot clear, opens a
 * problem for an operator. Problems close by themselves when the finding clears;
 * operators acknowledge, resolve (with a note) or force a redelivery, and every
 * action is kept with who and when.
 */
export class Repairer {
  private readonly problems = new Map<string, Problem>();
  private readonly restored = new Map<string, RepairRecord>();

  constructor(private readonly options: RepairerOptions) {
    options.engine.onFinding((key, finding) => this.onFinding(key, finding));
  }

  restore(repairs: readonly RepairRecord[], problems: readonly Problem[]): void {
    for (const r of repairs) this.restored.set(r.id, r);
    for (const p of problems) this.problems.set(p.id, p);
  }

  private onFinding(key: string, finding: Finding | undefined): void {
    const { engine, ledger } = this.options;
    const problem = this.problems.get(key);
    if (!finding) {
      this.restored.delete(key);
      ledger.deleteRepair(key);
      if (problem && problem.state !== "resolved") {
        const retired = engine.channels.get(problem.channel)?.retiredAt !== undefined;
        this.saveProblem(problem, "resolved", {
          action: "cleared",
          by: RECONCILER_ACTOR,
          note: retired
            ? "the channel was retired and is owed nothing"
            : "the channel now holds what it should",
          at: new Date(this.options.now()),
        });
      }
      return;
    }
    let current = finding;
    const stored = this.restored.get(key);
    if (
      stored &&
      finding.repairAttempts === 0 &&
      stored.expectedVersion === finding.expectedVersion
    ) {
      current = {
        ...finding,
        firstSeenAt: stored.firstSeenAt,
        repairAttempts: stored.attempts,
        nextRepairAt: stored.nextRepairAt,
      };
      engine.updateFinding(key, current);
    }
    this.restored.delete(key);
    if (current.kind === "declined") return;
    this.persist(key, current);
    if (problem && problem.state !== "resolved") {
      this.problems.set(key, { ...problem, finding: current });
      ledger.saveProblem(this.problems.get(key)!);
    } else if (!current.repairable) {
      this.openProblem(key, current, "redelivery cannot clear this finding");
    }
  }

  private persist(key: string, finding: Finding): void {
    this.options.ledger.saveRepair({
      id: key,
      kind: finding.kind,
      expectedVersion: finding.expectedVersion,
      firstSeenAt: finding.firstSeenAt,
      attempts: finding.repairAttempts,
      nextRepairAt: finding.nextRepairAt ?? finding.firstSeenAt,
    });
  }

  /** Sends the redeliveries that are due and opens problems for findings past the cap. */
  async tick(): Promise<number> {
    const { engine, now: clock, cap, batch } = this.options;
    const now = clock();
    const requests: RedeliveryRequest[] = [];
    const perChannel = new Map<string, number>();
    for (const [key, finding] of engine.findings) {
      if (!finding.repairable || finding.kind === "declined") continue;
      if ((finding.nextRepairAt?.getTime() ?? 0) > now) continue;
      const problem = this.problems.get(key);
      if (finding.repairAttempts >= cap) {
        if (!problem || problem.state === "resolved") {
          this.openProblem(key, finding, `${cap} redeliveries did not clear it`);
        }
        continue;
      }
      const sent = perChannel.get(finding.channel) ?? 0;
      if (sent >= batch) continue;
      perChannel.set(finding.channel, sent + 1);
      const attempts = finding.repairAttempts + 1;
      const next: Finding = {
        ...finding,
        repairAttempts: attempts,
        nextRepairAt: new Date(now + this.delay(attempts)),
      };
      engine.updateFinding(key, next);
      this.persist(key, next);
      requests.push(this.request(next, RECONCILER_ACTOR, `${next.kind}: ${next.reason}`, now));
      engine.event(next.itemId, {
        at: new Date(now),
        type: "redelivery",
        channel: next.channel,
        version: next.expectedVersion,
        detail: `redelivery ${attempts}/${cap} asked: ${next.kind}`,
      });
    }
    if (requests.length > 0) await this.options.send(requests);
    return requests.length;
  }

  private delay(attempts: number): number {
    return backoffDelay(
      attempts,
      { initialMs: this.options.initialMs, maxMs: this.options.maxMs },
      this.options.random,
    );
  }

  private request(finding: Finding, by: string, reason: string, now: number): RedeliveryRequest {
    const entry = this.options.engine.channels.get(finding.channel);
    return {
      // A finding is keyed by the channel entry (`<channel>/<outlet>` for one of several
      // outlets); the request names the channel and the outlet, as the channel reads them.
      channel: entry?.channel ?? finding.channel,
      outletId: entry?.outletId ?? "",
      itemId: finding.itemId,
      version: finding.expectedVersion,
      reason: reason.slice(0, 500),
      requestedBy: by,
      requestedAt: new Date(now),
    };
  }

  private openProblem(key: string, finding: Finding, why: string): void {
    const now = new Date(this.options.now());
    const previous = this.problems.get(key);
    const action: ProblemAction = { action: "opened", by: RECONCILER_ACTOR, note: why, at: now };
    const problem: Problem = {
      id: key,
      itemId: finding.itemId,
      channel: finding.channel,
      state: "open",
      finding,
      openedAt: now,
      actions: [...(previous?.actions ?? []), action],
    };
    this.problems.set(key, problem);
    this.options.ledger.saveProblem(problem);
    this.options.engine.event(finding.itemId, {
      at: now,
      type: "problem",
      channel: finding.channel,
      detail: `problem opened: ${why}`,
    });
    this.options.logger.warn(
      { problem: key, kind: finding.kind, reason: finding.reason },
      "problem opened",
    );
  }

  private saveProblem(problem: Problem, state: Problem["state"], action: ProblemAction): Problem {
    const next: Problem = { ...problem, state, actions: [...problem.actions, action] };
    this.problems.set(problem.id, next);
    this.options.ledger.saveProblem(next);
    this.options.engine.event(problem.itemId, {
      at: action.at,
      type: "problem",
      channel: problem.channel,
      detail: `${action.action.replace("_", " ")} by ${action.by}${action.note ? `: ${action.note}` : ""}`,
    });
    return next;
  }

  list(query: ProblemQuery = {}): Problem[] {
    const states = query.states ?? ["open", "acknowledged"];
    return [...this.problems.values()]
      .filter((p) => states.includes(p.state) && (!query.channel || p.channel === query.channel))
      .sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime());
  }

  get(id: string): Problem | undefined {
    return this.problems.get(id);
  }

  openCount(channel: string): number {
    let n = 0;
    for (const p of this.problems.values())
      if (p.channel === channel && p.state !== "resolved") n += 1;
    return n;
  }

  private need(id: string): Problem {
    const problem = this.problems.get(id);
    if (!problem) throw new ProblemNotFoundError(id);
    return problem;
  }

  acknowledge(id: string, by: string, note?: string): Promise<Problem> {
    const problem = this.need(id);
    if (problem.state !== "open") {
      throw new ActionError(
        "state",
        `problem ${id} is ${problem.state}; only an open problem can be acknowledged`,
      );
    }
    return Promise.resolve(
      this.saveProblem(problem, "acknowledged", {
        action: "acknowledged",
        by,
        ...(note ? { note } : {}),
        at: new Date(this.options.now()),
      }),
    );
  }

  resolve(id: string, by: string, note: string): Promise<Problem> {
    const problem = this.need(id);
    if (!note.trim())
      throw new ActionError("note", "resolving a problem needs a note saying what was done");
    if (problem.state === "resolved")
      throw new ActionError("state", `problem ${id} is already resolved`);
    const resolved = this.saveProblem(problem, "resolved", {
      action: "resolved",
      by,
      note,
      at: new Date(this.options.now()),
    });
    // If the finding is still there, repair starts over; a new problem follows if it fails again.
    const finding = this.options.engine.findings.get(id);
    if (finding) {
      const fresh: Finding = {
        ...finding,
        repairAttempts: 0,
        nextRepairAt: new Date(this.options.now()),
      };
      this.options.engine.updateFinding(id, fresh);
      this.persist(id, fresh);
    }
    return Promise.resolve(resolved);
  }

  async forceRedelivery(id: string, by: string, note?: string): Promise<Problem> {
    const problem = this.need(id);
    const now = this.options.now();
    const finding = this.options.engine.findings.get(id) ?? problem.finding;
    const version =
      this.options.engine.expected.get(problem.itemId)?.version ?? finding.expectedVersion;
    await this.options.send([
      this.request(
        { ...finding, expectedVersion: version },
        by,
        note ? `forced: ${note}` : "forced by an operator",
        now,
      ),
    ]);
    this.options.engine.event(problem.itemId, {
      at: new Date(now),
      type: "redelivery",
      channel: problem.channel,
      version,
      detail: `redelivery forced by ${by}`,
    });
    return this.saveProblem(problem, problem.state, {
      action: "redelivery_forced",
      by,
      ...(note ? { note } : {}),
      at: new Date(now),
    });
  }
}
