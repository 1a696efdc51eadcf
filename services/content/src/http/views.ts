import { currentVersion, displayStatus, type ItemRecord, type ItemVersion } from "../domain/item";

/** The JSON an editor sees of an item: its draft, its current version and where it stands. */
export function itemView(record: ItemRecord) {
  const current = currentVersion(record);
  return {
    id: record.id,
    revision: record.revision,
    kind: record.kind,
    status: displayStatus(record),
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt,
    draft: record.draft,
    current: current ? versionView(current) : null,
    versionCount: record.versions.length,
    reviewDueAt: record.reviewDueAt,
    nextDueAt: record.nextDueAt,
  };
}

export function versionView(version: ItemVersion) {
  return { ...version };
}

/** One line of a listing. */
export function itemSummary(record: ItemRecord) {
  const current = currentVersion(record);
  const fields = record.draft?.fields ?? current?.fields;
  return {
    id: record.id,
    revision: record.revision,
    kind: record.kind,
    status: displayStatus(record),
    title: fields?.title ?? "",
    disclosure: fields?.disclosure,
    version: current?.version ?? 0,
    updatedAt: record.updatedAt,
    reviewDueAt: record.reviewDueAt,
  };
}
