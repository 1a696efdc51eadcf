/**
 * The content service's own model of an item. Protobuf types stay at the edges
 * (`item-state.ts` converts); everything in between speaks these.
 */

export const KINDS = [
  "news",
  "policy-document",
  "policy-interpretation",
  "administrative-licence",
  "administrative-penalty",
  "power-responsibility-entry",
  "service-guide",
  "notice",
  "hotline-qa",
  "consultation-draft",
] as const;
export type Kind = (typeof KINDS)[number];

export const DISCLOSURES = ["proactive", "on-request", "withheld"] as const;
export type Disclosure = (typeof DISCLOSURES)[number];

export const PRIORITIES = ["normal", "urgent"] as const;
export type Priority = (typeof PRIORITIES)[number];

export const AUDIENCES = ["public", "internal"] as const;
export type Audience = (typeof AUDIENCES)[number];

export const RELATIONS = ["interprets", "replaces", "replaced-by", "see-also"] as const;
export type Relation = (typeof RELATIONS)[number];

export const PARTY_KINDS = ["natural-person", "legal-person", "other-organisation"] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export const TAKEDOWN_MODES = ["withdrawn", "removed", "replaced"] as const;
export type TakedownMode = (typeof TAKEDOWN_MODES)[number];

export interface Attachment {
  name: string;
  url: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
}

export interface Party {
  name: string;
  kind: PartyKind;
  identifier: string;
}

export interface PenaltyDetails {
  decisionNumber: string;
  party: Party;
  legalBasis: string;
  decisionDate: Date;
  violation: string;
  penalty: string;
  decidingOffice: string;
}

export interface LicenceDetails {
  licenceNumber: string;
  holder: Party;
  licensedMatter: string;
  decisionDate: Date;
  validFrom?: Date;
  validUntil?: Date;
  licensingOffice: string;
}

export interface ChannelOverride {
  channel: string;
  shortTitle: string;
  digest: string;
  coverImageUrl: string;
}

export interface Related {
  relation: Relation;
  itemId: string;
}

/** What an editor or an upstream system supplies for one version. */
export interface ItemFields {
  kind: Kind;
  title: string;
  summary: string;
  /** Sanitised HTML. */
  body: string;
  attachments: Attachment[];
  category: string;
  tags: string[];
  disclosure: Disclosure;
  issuingOffice: string;
  documentNumber: string;
  indexNumber: string;
  dates: { formedAt?: Date; effectiveAt?: Date; expiresAt?: Date };
  targeting: { channels: string[]; noticeboardSites: string[]; audience: Audience };
  overrides: ChannelOverride[];
  related: Related[];
  priority: Priority;
  penalty?: PenaltyDetails;
  licence?: LicenceDetails;
}

/** A change the service made to what was submitted (masking, stripping). */
export interface Adjustment {
  field: string;
  rule: string;
  description: string;
}

export const DRAFT_STATUSES = ["draft", "in-review", "approved", "scheduled"] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/** The working copy of an item's next version and where it stands in review. */
export interface Draft {
  fields: ItemFields;
  status: DraftStatus;
  author: string;
  /** Everyone who changed this draft: none of them may approve it. */
  editors: string[];
  submittedBy?: string;
  approvedBy?: string;
  publishAt?: Date;
  rejection?: { by: string; reason: string; at: Date };
  adjustments: Adjustment[];
}

export const VERSION_STATUSES = [
  "published",
  "withdrawn",
  "removed",
  "replaced",
  "expired",
] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export interface Takedown {
  mode: TakedownMode;
  reason: string;
  publicExplanation: string;
  replacedBy?: string;
  decisionRevokedAt?: Date;
  at: Date;
}

export interface Deadline {
  dueAt: Date;
  rule: string;
  provisional: boolean;
}

/** One version of the item as it was made public (or recorded, if not disclosed). Immutable. */
export interface ItemVersion {
  version: number;
  status: VersionStatus;
  fields: ItemFields;
  /** When the item was first published; the same on every later version. */
  publishedAt: Date;
  /** When this version was made. */
  at: Date;
  by: string;
  takedown?: Takedown;
  deadline?: Deadline;
  /** SHA-256 of the ItemState, for disclosed versions. */
  checksum?: string;
  /** False for items not proactively disclosed: the version never left the service. */
  disclosed: boolean;
  /** W3C trace context of the operation that made the version; its message continues it. */
  trace?: { traceparent: string; tracestate: string };
}

export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  revision: number;
  version?: number;
  note?: string;
  adjustments?: Adjustment[];
}

/** The whole record of one item, stored as one document per revision. */
export interface ItemRecord {
  id: string;
  /** Counts every change; the claim of revision n+1 is what makes concurrent writers safe. */
  revision: number;
  kind: Kind;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  draft: Draft | null;
  /** Every version, oldest first; the last is the current one. */
  versions: ItemVersion[];
  audit: AuditEntry[];
  /** For items not proactively disclosed: when their non-disclosure is due for review. */
  reviewDueAt: Date | null;
  /** When the scheduler next has something to do: a scheduled publication or an expiry. */
  nextDueAt: Date | null;
}

export function currentVersion(record: ItemRecord): ItemVersion | undefined {
  return record.versions[record.versions.length - 1];
}

/** The newest version that left the service, if any: what every channel should hold. */
export function latestDisclosed(record: ItemRecord): ItemVersion | undefined {
  for (let i = record.versions.length - 1; i >= 0; i--) {
    if (record.versions[i]!.disclosed) return record.versions[i];
  }
  return undefined;
}

/** The status shown to editors: the draft's when there is one, else the current version's. */
export function displayStatus(record: ItemRecord): DraftStatus | VersionStatus {
  return record.draft?.status ?? currentVersion(record)?.status ?? "draft";
}

/** Who is acting, from an authenticated token or client certificate. */
export interface Actor {
  name: string;
  roles: readonly Role[];
  /** Kinds an upstream client may act on; undefined means all. */
  kinds?: readonly Kind[];
}

export const ROLES = ["editor", "reviewer", "admin", "upstream", "channel"] as const;
export type Role = (typeof ROLES)[number];
