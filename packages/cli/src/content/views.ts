/** The parts of the content service's JSON answers the commands show. */

export interface Adjustment {
  field: string;
  rule: string;
  description: string;
}

export interface VersionView {
  version: number;
  status: string;
  fields: { title: string; kind: string };
  publishedAt: string;
  at: string;
  takedown?: {
    mode: string;
    reason: string;
    publicExplanation: string;
    replacedBy?: string;
    at: string;
  };
  deadline?: { dueAt: string; rule: string; provisional: boolean };
}

export interface ItemView {
  id: string;
  /** Changes with every stored change; a reviewer approves or rejects the revision read. */
  revision: number;
  kind: string;
  status: string;
  updatedAt: string;
  draft: { status: string; fields: { title: string }; publishAt?: string } | null;
  current: VersionView | null;
  versionCount: number;
  /** Where the outbox relay stands with the newest public version; null when there is none. */
  relay?: RelayView | null;
}

export interface RelayView {
  state: "announced" | "queued" | "set-aside";
  since?: string;
  reason?: string;
  retryAt?: string;
}

/** `herald announce`'s answer. */
export interface AnnounceAnswer {
  id: string;
  version: number;
  relay: RelayView;
}

export function describeRelay(relay: RelayView): string {
  if (relay.state === "set-aside") {
    return `set aside since ${relay.since ?? "?"}: ${relay.reason ?? ""} (next try ${relay.retryAt ?? "?"}; herald announce retries now)`;
  }
  return relay.state === "queued" ? `queued since ${relay.since ?? "?"}` : "announced";
}

export interface PublishAnswer {
  id: string;
  version: number;
  item: ItemView;
  adjustments: Adjustment[];
}

export interface ChangeAnswer {
  item: ItemView;
  adjustments: Adjustment[];
  published?: { version: number; checksum: string };
}

function rows(pairs: Array<[string, string]>): string[] {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

export function formatAdjustments(adjustments: readonly Adjustment[], indent = "  "): string[] {
  if (adjustments.length === 0) return [];
  return [
    `${indent}changed by the service:`,
    ...adjustments.map((a) => `${indent}  ${a.field}: ${a.description} [${a.rule}]`),
  ];
}

export function formatPublished(answer: PublishAnswer): string[] {
  const { item } = answer;
  const scheduled = item.status === "scheduled" && item.draft?.publishAt;
  return [
    scheduled
      ? `scheduled ${answer.id}: publishes at ${item.draft?.publishAt}`
      : `published ${answer.id}, version ${answer.version}`,
    ...rows([
      ["kind", item.kind],
      ["title", item.current?.fields.title ?? item.draft?.fields.title ?? ""],
      ["status", item.status],
    ]),
    ...formatAdjustments(answer.adjustments),
  ];
}

function describeTakedown(t: NonNullable<VersionView["takedown"]>): string {
  return [
    `${t.mode} at ${t.at}: ${t.reason}`,
    t.publicExplanation ? `public explanation: ${t.publicExplanation}` : "",
    t.replacedBy ? `replaced by ${t.replacedBy}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** The summary `herald item` prints. */
export function formatItem(item: ItemView): string[] {
  const current = item.current;
  const deadline = current?.deadline;
  return [
    item.id,
    ...rows([
      ["kind", item.kind],
      ["status", item.status],
      [
        "revision",
        item.draft?.status === "in-review"
          ? `${item.revision} (in review: herald approve|reject ${item.id} --revision ${item.revision})`
          : String(item.revision),
      ],
      [
        "version",
        current
          ? `${current.version} (of ${item.versionCount})`
          : "none: not published yet (draft only)",
      ],
      ["title", current?.fields.title ?? item.draft?.fields.title ?? ""],
      ["published", current?.publishedAt ?? "-"],
      ["updated", item.updatedAt],
      [
        "deadline",
        deadline
          ? `${deadline.dueAt} (${deadline.rule}${deadline.provisional ? ", provisional" : ""})`
          : "-",
      ],
      ["takedown", current?.takedown ? describeTakedown(current.takedown) : "-"],
      ...(item.relay ? ([["relay", describeRelay(item.relay)]] as Array<[string, string]>) : []),
      ...(item.draft && current ? ([["draft", item.draft.status]] as Array<[string, string]>) : []),
    ]),
  ];
}

/** `herald seed`'s table: one line per item. */
export function formatSeeded(
  answers: readonly { id: string; kind: string; version: number; title: string }[],
): string[] {
  const idWidth = Math.max(...answers.map((a) => a.id.length));
  const kindWidth = Math.max(...answers.map((a) => a.kind.length));
  return answers.map(
    (a) => `  ${a.id.padEnd(idWidth)}  ${a.kind.padEnd(kindWidth)}  v${a.version}  ${a.title}`,
  );
}
