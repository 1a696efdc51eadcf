/**
 * The parts of the reconciler's JSON answers the commands show, and how they show
 * them. Dates arrive as ISO strings.
 */
import { formatDuration } from "../ui/progress";
import { formatColumns } from "../ui/table";

/**
 * `GET /api/v1/items/:id/summary`, which `herald status --json` prints as it is.
 * Each channel's `version` is the version it holds, or the one it owes when it holds none.
 */
export interface StatusSummary {
  id: string;
  version: number;
  channels: Record<string, { state: string; version: number }>;
}

/** A finding on one item and one channel. */
export interface FindingView {
  itemId: string;
  channel: string;
  /** missing, stale, checksum_mismatch, not_removed, failed, declined, unexpected, late, not_announced. */
  kind: string;
  /** For `late`: what is late. */
  cause?: string;
  reason: string;
  code?: string;
  firstSeenAt: string;
  expectedVersion: number;
  repairAttempts: number;
  nextRepairAt?: string;
  repairable: boolean;
  lateWorkingDays?: number;
}

/** One channel's line of `GET /api/v1/items/:id/status`. */
export interface ChannelDeliveryView {
  channel: string;
  state: string;
  expectedVersion: number;
  heldVersion: number;
  externalRef?: string;
  deliveredAt?: string;
  deliveryMs?: number;
  onTime?: boolean;
  finding?: Partial<FindingView> & Pick<FindingView, "kind" | "reason" | "repairAttempts">;
}

/** `GET /api/v1/items/:id/status`. */
export interface ItemStatusView {
  itemId: string;
  version: number;
  title: string;
  kind: string;
  office: string;
  status: string;
  publishedAt?: string;
  deadline?: { dueAt: string; rule: string; provisional: boolean };
  channels: ChannelDeliveryView[];
}

/** One channel's audit. */
export interface AuditRunView {
  channel: string;
  startedAt: string;
  durationMs: number;
  holdings: number;
  /** Items the channel had not read from the item stream yet (its lag). */
  lag?: number;
  error?: string;
}

/** A channel that is up but does not consume the item stream normally (a channel-level finding). */
export interface NotConsumingView {
  channel: string;
  kind: "not_consuming";
  /** starting (for too long), stalled, failing or crashed. */
  state: string;
  /** The channel's own line. */
  detail: string;
  /** `not_consuming.<state>`. */
  code: string;
  /** The sentence for operators, in Chinese, with the code. */
  message: string;
  since: string;
}

/** One line of `GET /api/v1/channels`: the parts the commands show. */
export interface ChannelSummaryView {
  channel: string;
  notConsuming?: NotConsumingView;
}

/** `POST /api/v1/audits`, which `herald reconcile --json` prints as it is. */
export interface AuditReportView {
  runs: AuditRunView[];
  findings: FindingView[];
  /** Accounts (WeChat, Weibo) not updated for long enough to warn of, or to fail inspection. */
  stale?: { channel: string; freshness: { level: "warning" | "finding"; message: string } }[];
  /** Channels whose last audit read them stalled, failing, crashed or starting too long. */
  notConsuming?: NotConsumingView[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** An ISO time to the second: `2026-05-04T09:30:00Z`. */
export function formatTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, "Z");
}

/**
 * The version a channel holds: `v3`; `v2, v3 due` when it holds another version
 * than it should, `none, v3 due` when it holds none (the full status tells which).
 */
function versionCell(version: number, line?: ChannelDeliveryView): string {
  if (line && line.expectedVersion > 0 && line.heldVersion !== line.expectedVersion) {
    const held = line.heldVersion > 0 ? `v${line.heldVersion}` : "none";
    return `${held}, v${line.expectedVersion} due`;
  }
  return version > 0 ? `v${version}` : "-";
}

/** How long delivery took, or why the channel is not as it should be. */
function detailCell(line?: ChannelDeliveryView): string {
  if (!line) return "";
  const finding = line.finding;
  if (finding) {
    const repairs =
      finding.repairAttempts > 0
        ? `; ${plural(finding.repairAttempts, "redelivery", "redeliveries")} asked`
        : "";
    return `${finding.reason}${repairs}`;
  }
  if (line.deliveryMs != null) {
    const onTime = line.onTime === true ? ", on time" : line.onTime === false ? ", late" : "";
    return `${formatDuration(line.deliveryMs)}${onTime}`;
  }
  return "-";
}

/**
 * What `herald status <id>` prints: the item, then a line per channel with its
 * state, the version it holds, and how long delivery took or the finding's reason
 * (those come from the full status, when there is one).
 */
export function formatStatus(summary: StatusSummary, status?: ItemStatusView): string[] {
  const head =
    summary.version > 0
      ? `${summary.id}: version ${summary.version}${status ? `, ${status.status}` : ""}`
      : `${summary.id}: no version published`;
  const lines = [head];
  if (status?.title) lines.push(`  ${status.title}`);
  if (status?.deadline) {
    const { dueAt, rule, provisional } = status.deadline;
    lines.push(`  deadline ${formatTime(dueAt)} (${rule}${provisional ? ", provisional" : ""})`);
  }
  const channels = Object.entries(summary.channels);
  if (channels.length === 0) {
    lines.push("  no channel holds or owes it yet");
    return lines;
  }
  const byChannel = new Map(status?.channels.map((line) => [line.channel, line]));
  const rows = channels.map(([channel, { state, version }]) => {
    const line = byChannel.get(channel);
    return [channel, state, versionCell(version, line), detailCell(line)];
  });
  return [
    ...lines,
    "",
    ...formatColumns([["channel", "state", "version", "delivered in / finding"], ...rows]),
  ];
}

/** A finding's kind, with what is late for `late`. */
function kindCell(finding: FindingView): string {
  if (finding.kind !== "late") return finding.kind;
  const days =
    finding.lateWorkingDays != null ? plural(finding.lateWorkingDays, "working day") : undefined;
  const about = [finding.cause, days].filter(Boolean).join(", ");
  return about ? `late (${about})` : "late";
}

function repairsCell(finding: FindingView): string {
  return finding.repairable
    ? String(finding.repairAttempts)
    : `${finding.repairAttempts}, not repairable`;
}

/** The findings as a table, or "no findings". */
export function formatFindings(findings: readonly FindingView[]): string[] {
  if (findings.length === 0) return ["no findings"];
  const rows = findings.map((f) => [
    f.channel,
    f.itemId,
    kindCell(f),
    formatTime(f.firstSeenAt),
    repairsCell(f),
    f.reason,
  ]);
  return [
    `${plural(findings.length, "finding")}:`,
    ...formatColumns([["channel", "item", "kind", "first seen", "repairs", "reason"], ...rows]),
  ];
}

/** The channels not consuming normally, one line each, or nothing when every channel is. */
export function formatNotConsuming(findings: readonly NotConsumingView[]): string[] {
  if (findings.length === 0) return [];
  return [
    "",
    "channels not consuming normally (still serving; new versions may not arrive):",
    ...findings.map((f) => `✗ ${f.channel}: ${f.message}`),
  ];
}

/**
 * What `herald reconcile` prints: each channel's audit (holdings read and how
 * long it took, or why it could not be audited), then every open finding.
 */
export function formatReport(report: AuditReportView): string[] {
  const runs =
    report.runs.length === 0
      ? ["no channel to audit: the reconciler knows none yet"]
      : [
          `audited ${plural(report.runs.length, "channel")}:`,
          ...formatColumns(
            report.runs.map((run) => [
              run.channel,
              run.error
                ? `not audited after ${formatDuration(run.durationMs)}: ${run.error}`
                : `${plural(run.holdings, "holding")} read in ${formatDuration(run.durationMs)}` +
                  (run.lag ? `, ${plural(run.lag, "item")} not read from the stream yet` : ""),
            ]),
          ),
        ];
  const stale = (report.stale ?? []).map(
    ({ channel, freshness }) =>
      `${freshness.level === "finding" ? "✗" : "!"} ${channel}: ${freshness.message}`,
  );
  return [
    ...runs,
    ...(stale.length > 0 ? ["", "accounts not kept up to date:", ...stale] : []),
    ...formatNotConsuming(report.notConsuming ?? []),
    "",
    ...formatFindings(report.findings),
  ];
}
