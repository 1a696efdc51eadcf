/** How the newmedia commands and `herald status` show the channel's accounts and tasks. */
import { formatTime } from "../reconciler/views";
import { displayWidth, formatColumns } from "../ui/table";
import type {
  AccountList,
  AccountView,
  FreshnessLevel,
  QuotaView,
  TaskList,
  TaskView,
} from "./client";

const columns = (rows: readonly (readonly string[])[]) => formatColumns(rows, displayWidth);

/** ✓ fresh, ! nearing the inspection's limit, ✗ past it. */
export const FRESHNESS_MARK: Readonly<Record<FreshnessLevel, string>> = {
  ok: "✓",
  warning: "!",
  finding: "✗",
};

/** `2026-12-05T08:00:00Z (3 days ago)`, or `never`. */
export function lastPostCell(account: AccountView): string {
  if (!account.lastPost) return "never";
  const days = account.daysSincePost;
  const since =
    days === null ? "" : days === 0 ? " (today)" : ` (${days} day${days === 1 ? "" : "s"} ago)`;
  return `${formatTime(account.lastPost.at)}${since}`;
}

/** The quotas near their limit, flagged (`! submit 95/100`), or `ok`. */
export function quotasCell(quotas: readonly QuotaView[]): string {
  const near = quotas.filter((quota) => quota.warning);
  if (near.length === 0) return quotas.length === 0 ? "-" : "ok";
  return near.map((quota) => `! ${quota.api} ${quota.used}/${quota.limit}`).join(", ");
}

/** The freshness mark, with the channel's message when it is not fresh. */
export function freshnessCell(account: AccountView): string {
  const { level, message } = account.freshness;
  const mark = FRESHNESS_MARK[level] ?? "?";
  return level === "ok" ? mark : `${mark} ${message}`;
}

/** `herald newmedia accounts`: one line an account. */
export function formatAccounts(list: AccountList): string[] {
  if (list.accounts.length === 0) {
    return ["no accounts: the newmedia channel's accounts file lists none"];
  }
  const rows = [
    ["outlet", "name", "ready", "holdings", "last post", "tasks", "quotas", "freshness"],
    ...list.accounts.map((a) => [
      a.outletId,
      a.displayName,
      a.ready ? "yes" : "no",
      String(a.holdings),
      lastPostCell(a),
      String(a.openTasks),
      quotasCell(a.quotas),
      freshnessCell(a),
    ]),
  ];
  const first = list.accounts[0]!.freshness;
  return [
    ...columns(rows),
    "",
    `freshness: ✓ posted recently, ! no post for ${first.warningDays} days, ✗ none for ${first.findingDays} (an inspection fails the account)`,
  ];
}

/** `herald newmedia tasks`: what operators must do by hand, with the post's URL. */
export function formatTasks(list: TaskList, all: boolean): string[] {
  if (list.tasks.length === 0) {
    return [all ? "no operator tasks yet" : "no open operator tasks"];
  }
  const lines: string[] = [
    `${list.tasks.length} ${all ? "" : "open "}operator task${list.tasks.length === 1 ? "" : "s"}:`,
  ];
  for (const task of list.tasks) {
    const state = task.doneAt
      ? `done ${formatTime(task.doneAt)}${task.doneBy ? ` by ${task.doneBy}` : ""}`
      : `open since ${formatTime(task.openedAt)}`;
    lines.push(
      "",
      `  ${task.outletId}  ${task.itemId}  ${task.action}  ${state}`,
      `    ${task.reason}`,
      `    ${task.postUrl}`,
    );
  }
  if (list.tasks.some((task) => !task.doneAt)) {
    lines.push(
      "",
      "delete the post on the platform, then `./herald newmedia done <outlet> <item>` marks it done",
    );
  }
  return lines;
}

/** What `herald newmedia done` prints once the channel accepted it. */
export function formatDone(task: TaskView): string[] {
  return [
    `任务已完成：${task.outletId} 上条目 ${task.itemId} 的帖子已删除 (${task.action}). Task done${task.doneBy ? ` by ${task.doneBy}` : ""}; the takedown of ${task.itemId} on ${task.outletId} is confirmed`,
  ];
}

/** The lines `herald status` adds for the accounts: freshness and open tasks. */
export function formatNewmediaStatus(list: AccountList): string[] {
  if (list.accounts.length === 0) return [];
  const rows = [
    ["account", "name", "last post", "open tasks", "freshness"],
    ...list.accounts.map((a) => [
      a.outletId,
      a.displayName,
      lastPostCell(a),
      String(a.openTasks),
      freshnessCell(a),
    ]),
  ];
  return ["", "newmedia accounts (from the newmedia channel):", ...columns(rows)];
}
