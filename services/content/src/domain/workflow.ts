import { deepClone } from "./clone";
import { ForbiddenError, WorkflowError } from "./errors";
import {
  type Actor,
  type Adjustment,
  currentVersion,
  type ItemFields,
  type ItemRecord,
  type ItemVersion,
  type Takedown,
  type TakedownMode,
  type VersionStatus,
} from "./item";

/**
 * The editorial workflow as pure functions over an ItemRecord: each takes the
 * record as read and returns the next one, or throws when the action does not
 * apply. Persisting the result (and claiming its revision) is the store's job.
 *
 *   draft ──submit──► in-review ──approve──► approved ──publish──► published (version n)
 *     ▲                   │                     │  └─publishAt──► scheduled ──(time)──┘
 *     └──────reject───────┴──────(any edit)─────┘
 *   published ──edit──► draft of version n+1 (review again)
 *   published ──takedown──► withdrawn | removed | replaced      published ──(expiresAt)──► expired
 */

export interface Transition {
  record: ItemRecord;
  /** The version this transition made, if it made one. */
  version?: ItemVersion;
}

function next(record: ItemRecord, now: Date): ItemRecord {
  const copy = deepClone(record);
  copy.revision = record.revision + 1;
  copy.updatedAt = now;
  return copy;
}

function audit(
  record: ItemRecord,
  actor: string,
  action: string,
  now: Date,
  extra: { version?: number; note?: string; adjustments?: Adjustment[] } = {},
) {
  record.audit.push({
    at: now,
    actor,
    action,
    revision: record.revision,
    ...(extra.version !== undefined ? { version: extra.version } : {}),
    ...(extra.note ? { note: extra.note } : {}),
    ...(extra.adjustments?.length ? { adjustments: extra.adjustments } : {}),
  });
}

function refreshSchedule(record: ItemRecord) {
  const current = currentVersion(record);
  const publishAt = record.draft?.status === "scheduled" ? record.draft.publishAt : undefined;
  const expiresAt = current?.status === "published" ? current.fields.dates.expiresAt : undefined;
  const due = [publishAt, expiresAt].filter((d): d is Date => d !== undefined);
  record.nextDueAt = due.length ? new Date(Math.min(...due.map((d) => d.getTime()))) : null;
}

export function createItem(
  id: string,
  fields: ItemFields,
  adjustments: Adjustment[],
  actor: Actor,
  now: Date,
): ItemRecord {
  const record: ItemRecord = {
    id,
    revision: 1,
    kind: fields.kind,
    createdAt: now,
    createdBy: actor.name,
    updatedAt: now,
    draft: { fields, status: "draft", author: actor.name, editors: [actor.name], adjustments },
    versions: [],
    audit: [],
    reviewDueAt: null,
    nextDueAt: null,
  };
  audit(record, actor.name, "create", now, { adjustments });
  return record;
}

/** Changes the draft, or starts the draft of the next version of a published item. */
export function editItem(
  record: ItemRecord,
  fields: ItemFields,
  adjustments: Adjustment[],
  actor: Actor,
  now: Date,
): Transition {
  const current = currentVersion(record);
  if (current?.status === "replaced") {
    throw new WorkflowError(
      `item ${record.id} was replaced by ${current.takedown?.replacedBy ?? "another item"}; edit that one`,
      "workflow.replaced",
    );
  }
  if (fields.kind !== record.kind) {
    throw new WorkflowError(
      `the kind of an item cannot change (it is ${record.kind})`,
      "workflow.kind",
    );
  }
  if (current?.disclosed && current.status === "published" && fields.disclosure !== "proactive") {
    throw new WorkflowError(
      "a published item must be taken down before it stops being proactively disclosed",
      "workflow.disclosure",
    );
  }
  const updated = next(record, now);
  const editors = new Set(updated.draft?.editors ?? []);
  editors.add(actor.name);
  updated.draft = {
    fields,
    status: "draft",
    author: updated.draft?.author ?? actor.name,
    editors: [...editors],
    adjustments,
  };
  refreshSchedule(updated);
  audit(updated, actor.name, record.draft ? "edit" : "edit-published", now, { adjustments });
  return { record: updated };
}

function requireDraft(record: ItemRecord, statuses: readonly string[], action: string) {
  const draft = record.draft;
  if (!draft || !statuses.includes(draft.status)) {
    throw new WorkflowError(
      `cannot ${action} item ${record.id}: it is ${draft?.status ?? currentVersion(record)?.status ?? "empty"}, and ${action} needs ${statuses.join(" or ")}`,
      `workflow.${action}`,
    );
  }
  return draft;
}

export function submitItem(record: ItemRecord, actor: Actor, now: Date): Transition {
  requireDraft(record, ["draft"], "submit");
  const updated = next(record, now);
  updated.draft!.status = "in-review";
  updated.draft!.submittedBy = actor.name;
  delete updated.draft!.rejection;
  audit(updated, actor.name, "submit", now);
  return { record: updated };
}

export function approveItem(
  record: ItemRecord,
  actor: Actor,
  now: Date,
  fourEyes: boolean,
  note?: string,
): Transition {
  const draft = requireDraft(record, ["in-review"], "approve");
  if (fourEyes && draft.editors.includes(actor.name)) {
    throw new ForbiddenError(
      `four-eyes rule: ${actor.name} edited this draft and may not approve it; another reviewer must`,
    );
  }
  const updated = next(record, now);
  updated.draft!.status = "approved";
  updated.draft!.approvedBy = actor.name;
  audit(updated, actor.name, "approve", now, note ? { note } : {});
  return { record: updated };
}

export function rejectItem(
  record: ItemRecord,
  actor: Actor,
  now: Date,
  reason: string,
): Transition {
  requireDraft(record, ["in-review", "approved", "scheduled"], "reject");
  const updated = next(record, now);
  const draft = updated.draft!;
  draft.status = "draft";
  delete draft.approvedBy;
  delete draft.publishAt;
  draft.rejection = { by: actor.name, reason, at: now };
  refreshSchedule(updated);
  audit(updated, actor.name, "reject", now, { note: reason });
  return { record: updated };
}

function addVersion(
  record: ItemRecord,
  status: VersionStatus,
  fields: ItemFields,
  by: string,
  now: Date,
  takedown?: Takedown,
): ItemVersion {
  const previous = currentVersion(record);
  const version: ItemVersion = {
    version: (previous?.version ?? 0) + 1,
    status,
    fields,
    publishedAt: previous?.publishedAt ?? now,
    at: now,
    by,
    disclosed: fields.disclosure === "proactive",
    ...(takedown ? { takedown } : {}),
  };
  record.versions.push(version);
  return version;
}

/**
 * Publishes the approved draft now, or schedules it for `publishAt`. `direct`
 * publishes a draft in any state: the caller has checked that the actor may
 * waive review (an admin, or an upstream system whose own process is the review).
 */
export function publishItem(
  record: ItemRecord,
  actor: Actor,
  now: Date,
  options: { publishAt?: Date; direct?: boolean; reviewIntervalDays: number },
): Transition {
  const draft = options.direct
    ? requireDraft(record, ["draft", "in-review", "approved", "scheduled"], "publish")
    : requireDraft(record, ["approved", "scheduled"], "publish");
  const updated = next(record, now);
  if (options.publishAt && options.publishAt.getTime() > now.getTime()) {
    updated.draft!.status = "scheduled";
    updated.draft!.publishAt = options.publishAt;
    if (options.direct) updated.draft!.approvedBy = actor.name;
    refreshSchedule(updated);
    audit(updated, actor.name, options.direct ? "schedule-direct" : "schedule", now, {
      note: `publish at ${options.publishAt.toISOString()}`,
    });
    return { record: updated };
  }
  const version = addVersion(updated, "published", draft.fields, actor.name, now);
  updated.draft = null;
  updated.reviewDueAt = version.disclosed
    ? null
    : (record.reviewDueAt ?? new Date(now.getTime() + options.reviewIntervalDays * 86_400_000));
  refreshSchedule(updated);
  audit(updated, actor.name, options.direct ? "publish-direct" : "publish", now, {
    version: version.version,
    ...(version.disclosed ? {} : { note: "recorded, not disclosed" }),
  });
  return { record: updated, version };
}

export interface TakedownRequest {
  mode: TakedownMode;
  reason: string;
  publicExplanation?: string | undefined;
  replacedBy?: string | undefined;
  decisionRevokedAt?: Date | undefined;
}

export function takeDownItem(
  record: ItemRecord,
  actor: Actor,
  now: Date,
  request: TakedownRequest,
): Transition {
  const current = currentVersion(record);
  const from: readonly string[] = ["published", "expired", "withdrawn"];
  if (!current || !from.includes(current.status)) {
    throw new WorkflowError(
      `cannot take down item ${record.id}: it is ${current?.status ?? "not published"}`,
      "workflow.takedown",
    );
  }
  if (current.status === "withdrawn" && request.mode === "withdrawn") {
    throw new WorkflowError(`item ${record.id} is already withdrawn`, "workflow.takedown");
  }
  const updated = next(record, now);
  const takedown: Takedown = {
    mode: request.mode,
    reason: request.reason,
    publicExplanation: request.publicExplanation ?? "",
    at: now,
    ...(request.replacedBy ? { replacedBy: request.replacedBy } : {}),
    ...(request.decisionRevokedAt ? { decisionRevokedAt: request.decisionRevokedAt } : {}),
  };
  const fields = deepClone(current.fields);
  if (request.replacedBy) {
    fields.related = [
      ...fields.related.filter((r) => r.relation !== "replaced-by"),
      { relation: "replaced-by", itemId: request.replacedBy },
    ];
  }
  const version = addVersion(updated, request.mode, fields, actor.name, now, takedown);
  const discarded = updated.draft !== null;
  updated.draft = null;
  refreshSchedule(updated);
  audit(updated, actor.name, `takedown-${request.mode}`, now, {
    version: version.version,
    note: discarded ? `${request.reason} (pending draft discarded)` : request.reason,
  });
  return { record: updated, version };
}

/** What the scheduler does when an item's time has come: publish it or expire it. */
export function runDue(
  record: ItemRecord,
  now: Date,
  reviewIntervalDays: number,
): Transition | undefined {
  const draft = record.draft;
  if (draft?.status === "scheduled" && draft.publishAt && draft.publishAt <= now) {
    const scheduler: Actor = { name: "scheduler", roles: [] };
    const published = publishItem(record, scheduler, now, { direct: true, reviewIntervalDays });
    published.record.audit.at(-1)!.action = "publish-scheduled";
    published.record.audit.at(-1)!.note = `approved by ${draft.approvedBy ?? "unknown"}`;
    return published;
  }
  const current = currentVersion(record);
  const expiresAt = current?.fields.dates.expiresAt;
  if (current?.status === "published" && expiresAt && expiresAt <= now) {
    const updated = next(record, now);
    const version = addVersion(updated, "expired", current.fields, "scheduler", now);
    refreshSchedule(updated);
    audit(updated, "scheduler", "expire", now, { version: version.version });
    return { record: updated, version };
  }
  return undefined;
}

/** Records the periodic review of an item that is not disclosed, and sets the next one. */
export function reviewNonDisclosure(
  record: ItemRecord,
  actor: Actor,
  now: Date,
  nextReviewAt: Date,
  note: string,
): Transition {
  const current = currentVersion(record);
  if (!current || current.disclosed) {
    throw new WorkflowError(
      `item ${record.id} is not a recorded, undisclosed item`,
      "workflow.disclosure-review",
    );
  }
  const updated = next(record, now);
  updated.reviewDueAt = nextReviewAt;
  audit(updated, actor.name, "disclosure-review", now, { note });
  return { record: updated };
}
