import type { AccountView } from "./account-view";

/**
 * Merges several Prometheus text expositions into one, keeping each metric's
 * HELP and TYPE once and its series together: every account's runtime reports
 * the same metric names, with its own `outlet` label.
 */
export function mergeExposition(texts: readonly string[]): string {
  const metrics = new Map<string, { help?: string; type?: string; series: string[] }>();
  const metric = (name: string) => {
    let entry = metrics.get(name);
    if (!entry) {
      entry = { series: [] };
      metrics.set(name, entry);
    }
    return entry;
  };
  for (const text of texts) {
    for (const line of text.split("\n")) {
      if (!line) continue;
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (comment) {
        const entry = metric(comment[2]!);
        if (comment[1] === "HELP") entry.help ??= line;
        else entry.type ??= line;
        continue;
      }
      const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)?.[0];
      if (name) metric(name).series.push(line);
    }
  }
  const lines: string[] = [];
  for (const entry of metrics.values()) {
    if (entry.help) lines.push(entry.help);
    if (entry.type) lines.push(entry.type);
    lines.push(...entry.series);
  }
  return `${lines.join("\n")}\n`;
}

/** Each account's quotas, days since its last post and open operator tasks. */
export function newmediaGauges(accounts: readonly AccountView[]): string {
  const lines = [
    "# HELP herald_newmedia_quota_used calls made today against a platform's daily quota",
    "# TYPE herald_newmedia_quota_used gauge",
    ...accounts.flatMap((a) =>
      a.quotas.map(
        (q) => `herald_newmedia_quota_used{outlet="${a.outletId}",api="${q.api}"} ${q.used}`,
      ),
    ),
    "# HELP herald_newmedia_quota_limit a platform's daily quota",
    "# TYPE herald_newmedia_quota_limit gauge",
    ...accounts.flatMap((a) =>
      a.quotas.map(
        (q) => `herald_newmedia_quota_limit{outlet="${a.outletId}",api="${q.api}"} ${q.limit}`,
      ),
    ),
    "# HELP herald_newmedia_days_since_post whole days since the account's last post (-1: never posted)",
    "# TYPE herald_newmedia_days_since_post gauge",
    ...accounts.map(
      (a) => `herald_newmedia_days_since_post{outlet="${a.outletId}"} ${a.daysSincePost ?? -1}`,
    ),
    "# HELP herald_newmedia_operator_tasks_open takedowns waiting on an operator",
    "# TYPE herald_newmedia_operator_tasks_open gauge",
    ...accounts.map(
      (a) => `herald_newmedia_operator_tasks_open{outlet="${a.outletId}"} ${a.openTasks}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
