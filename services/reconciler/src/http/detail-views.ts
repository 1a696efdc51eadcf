/** Views of problems, an item's page and audits: plain data, formatted for display. */
import { CONSUMING_LABELS } from "../consuming";
import type {
  AuditReport,
  ChannelSummary,
  Finding,
  ItemStatus,
  Problem,
  ProblemState,
  TimelineEvent,
} from "../model";
import {
  FINDING_LABELS,
  formatDuration,
  itemPath,
  itemStatusName,
  kindName,
  PROBLEM_ACTION_LABELS,
  PROBLEM_STATE_LABELS,
  problemPath,
  safeExternalHref,
  STATE_LABELS,
  TIMELINE_LABELS,
  timeView,
} from "./format";

/** What a finding says, for a problem or an audit report. */
export function findingView(f: Finding) {
  return {
    kind: f.kind,
    kindLabel: FINDING_LABELS[f.kind],
    cause: f.cause ? FINDING_LABELS[f.cause] : "",
    reason: f.reason,
    code: f.code ?? "",
    firstSeenAt: timeView(f.firstSeenAt),
    expectedVersion: f.expectedVersion,
    repairAttempts: f.repairAttempts,
    nextRepairAt: timeView(f.nextRepairAt),
    repairable: f.repairable,
    lateWorkingDays: f.lateWorkingDays ?? 0,
    channel: f.channel,
    itemId: f.itemId,
    itemHref: itemPath(f.itemId),
  };
}

/** The choices of the problems page's state filter, as `?state=` values. */
export const PROBLEM_FILTERS: readonly { value: string; label: string }[] = [
  { value: "open,acknowledged", label: "未解决（待处理和已确认）" },
  { value: "open", label: "待处理 open" },
  { value: "acknowledged", label: "已确认 acknowledged" },
  { value: "resolved", label: "已解决 resolved" },
  { value: "open,acknowledged,resolved", label: "全部 all" },
];

/** The notices shown after a form posted back to the problems page. */
const DONE_NOTICES: Readonly<Record<string, string>> = {
  acknowledged: "已确认问题",
  resolved: "已将问题标记为解决",
  redelivered: "已要求渠道重新投递",
};

/** The problems page: the filter, a notice after an action, and each problem with its forms. */
export function problemsView(
  problems: readonly Problem[],
  filter: {
    readonly states: readonly ProblemState[];
    readonly channel?: string | undefined;
    readonly channels: readonly string[];
    readonly done?: string | undefined;
    readonly doneProblem?: string | undefined;
    /** This page's path and query (without the notice), for the forms to come back to. */
    readonly back: string;
  },
) {
  const selected = filter.states.join(",");
  const notice = filter.done ? DONE_NOTICES[filter.done] : undefined;
  return {
    filters: PROBLEM_FILTERS.map((f) => ({ ...f, selected: f.value === selected })),
    channels: filter.channels.map((name) => ({ value: name, selected: name === filter.channel })),
    notice: notice ? `${notice}：${filter.doneProblem ?? ""}` : undefined,
    back: filter.back,
    problems: problems.map((p) => ({
      id: p.id,
      channel: p.channel,
      itemId: p.itemId,
      itemHref: itemPath(p.itemId),
      state: p.state,
      stateLabel: PROBLEM_STATE_LABELS[p.state],
      openedAt: timeView(p.openedAt),
      finding: findingView(p.finding),
      history: p.actions.map((a) => ({
        label: PROBLEM_ACTION_LABELS[a.action],
        by: a.by,
        note: a.note ?? "",
        at: timeView(a.at),
      })),
      // Forms only where the action makes sense; the actions still check the state.
      acknowledgeAction:
        p.state === "open" ? problemPath(p.channel, p.itemId, "acknowledge") : undefined,
      resolveAction:
        p.state !== "resolved" ? problemPath(p.channel, p.itemId, "resolve") : undefined,
      redeliverAction:
        p.state !== "resolved" ? problemPath(p.channel, p.itemId, "redeliver") : undefined,
    })),
  };
}

/** An item's page: its status on every channel and its timeline, oldest first. */
export function itemView(status: ItemStatus, timeline: readonly TimelineEvent[]) {
  return {
    id: status.itemId,
    title: status.title,
    version: status.version,
    kind: kindName(status.kind),
    office: status.office,
    status: itemStatusName(status.status),
    publishedAt: timeView(status.publishedAt),
    deadline: status.deadline
      ? {
          dueAt: timeView(status.deadline.dueAt),
          rule: status.deadline.rule,
          provisional: status.deadline.provisional,
        }
      : undefined,
    channels: status.channels.map((c) => ({
      channel: c.channel,
      state: c.state,
      label: STATE_LABELS[c.state],
      expectedVersion: c.expectedVersion,
      heldVersion: c.heldVersion,
      externalRef: c.externalRef ?? "",
      externalHref: safeExternalHref(c.externalRef),
      deliveredAt: timeView(c.deliveredAt),
      delivery: formatDuration(c.deliveryMs),
      onTime: c.onTime === undefined ? "" : c.onTime ? "按期" : "超期",
      finding: c.finding ? findingView(c.finding) : undefined,
      awaiting: c.awaiting?.reason ?? "",
    })),
    // Sorted here too: the page promises oldest first whatever order the query returns.
    timeline: [...timeline]
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((e) => ({
        at: timeView(e.at),
        type: e.type,
        label: TIMELINE_LABELS[e.type],
        channel: e.channel ?? "",
        version: e.version ?? 0,
        detail: e.detail,
      })),
  };
}

/** The "audit now" form: every known channel as a checkbox (none ticked means all). */
export function auditFormView(channels: readonly ChannelSummary[]) {
  return { channels: channels.map((c) => ({ name: c.channel, announced: c.announced })) };
}

/** The result of an audit. */
export function auditReportView(report: AuditReport) {
  return {
    runs: report.runs.map((r) => ({
      channel: r.channel,
      startedAt: timeView(r.startedAt),
      duration: formatDuration(r.durationMs),
      holdings: r.holdings,
      error: r.error ?? "",
    })),
    failed: report.runs.filter((r) => r.error).length,
    notConsuming: (report.notConsuming ?? []).map((f) => ({
      channel: f.channel,
      label: `未正常消费（${CONSUMING_LABELS[f.state]}）`,
      detail: f.detail,
      code: f.code,
      since: timeView(f.since),
    })),
    findings: report.findings.map(findingView),
  };
}
