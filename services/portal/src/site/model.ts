import {
  Audience,
  Disclosure,
  type ItemState,
  ItemKind,
  ItemStatus,
  type Party,
  type PartyKind,
  Priority,
  type Relation,
  TakedownKind,
} from "@herald/contracts";

/** The channel name under which an item may carry portal-specific overrides. */
export const PORTAL_CHANNEL = "portal";

/** A party to an administrative decision, as the portal shows it. */
export interface PortalParty {
  readonly name: string;
  readonly kind: PartyKind;
  readonly identifier: string;
}

/** The fields of a penalty decision (行政处罚决定), dates as epoch milliseconds. */
export interface PortalPenalty {
  readonly decisionNumber: string;
  readonly party: PortalParty | undefined;
  readonly legalBasis: string;
  readonly decisionDate: number | undefined;
  readonly violation: string;
  readonly penalty: string;
  readonly decidingOffice: string;
}

/** The fields of a licence decision (行政许可决定), dates as epoch milliseconds. */
export interface PortalLicence {
  readonly licenceNumber: string;
  readonly holder: PortalParty | undefined;
  readonly licensedMatter: string;
  readonly decisionDate: number | undefined;
  readonly validFrom: number | undefined;
  readonly validUntil: number | undefined;
  readonly licensingOffice: string;
}

/** How an item was taken down. */
export interface PortalTakedown {
  readonly kind: TakedownKind;
  readonly publicExplanation: string;
  readonly replacedBy: string;
  readonly at: number | undefined;
}

/**
 * The portal's own copy of one item version: what the website shows, nothing
 * more. Converted from the wire type once, at `put`, so that the index holds no
 * trace context, targeting or other channels' overrides, and dates are numbers.
 */
export interface PortalItem {
  readonly id: string;
  readonly version: number;
  readonly checksum: string;
  readonly kind: ItemKind;
  readonly status: ItemStatus;
  readonly title: string;
  /** The portal's short title override, when the editor set one. */
  readonly shortTitle: string;
  readonly summary: string;
  /** Sanitised upstream; the only field ever rendered unescaped. */
  readonly bodyHtml: string;
  readonly attachments: readonly {
    readonly name: string;
    readonly url: string;
    readonly mediaType: string;
    readonly sizeBytes: number;
  }[];
  readonly category: string;
  readonly tags: readonly string[];
  readonly issuingOffice: string;
  readonly documentNumber: string;
  readonly indexNumber: string;
  readonly formedAt: number | undefined;
  readonly publishedAt: number | undefined;
  readonly effectiveAt: number | undefined;
  readonly expiresAt: number | undefined;
  readonly updatedAt: number | undefined;
  readonly related: readonly { readonly relation: Relation; readonly itemId: string }[];
  readonly urgent: boolean;
  /** False for items that must never appear on a public website (internal, not proactive). */
  readonly public: boolean;
  readonly takedown: PortalTakedown | undefined;
  readonly penalty: PortalPenalty | undefined;
  readonly licence: PortalLicence | undefined;
}

function ms(date: Date | undefined): number | undefined {
  return date ? date.getTime() : undefined;
}

function party(value: Party | undefined): PortalParty | undefined {
  return value ? { name: value.name, kind: value.kind, identifier: value.identifier } : undefined;
}

/** Converts the wire state into the portal's item. */
export function toPortalItem(state: ItemState): PortalItem {
  const override = state.overrides.find((o) => o.channel === PORTAL_CHANNEL);
  const details = state.details;
  const dates = state.dates;
  return {
    id: state.id,
    version: state.version,
    checksum: state.checksum,
    kind: state.kind,
    status: state.status,
    title: state.title,
    shortTitle: override?.shortTitle ?? "",
    summary: override?.digest || state.summary,
    bodyHtml: state.bodyHtml,
    attachments: state.attachments.map((a) => ({
      name: a.name,
      url: a.url,
      mediaType: a.mediaType,
      sizeBytes: a.sizeBytes,
    })),
    category: state.category,
    tags: state.tags,
    issuingOffice: state.issuingOffice,
    documentNumber: state.documentNumber,
    indexNumber: state.indexNumber,
    formedAt: ms(dates?.formedAt),
    publishedAt: ms(dates?.publishedAt),
    effectiveAt: ms(dates?.effectiveAt),
    expiresAt: ms(dates?.expiresAt),
    updatedAt: ms(state.updatedAt),
    related: state.related.map((r) => ({ relation: r.relation, itemId: r.itemId })),
    urgent: state.priority === Priority.PRIORITY_URGENT,
    public:
      state.targeting?.audience !== Audience.AUDIENCE_INTERNAL &&
      state.disclosure !== Disclosure.DISCLOSURE_ON_REQUEST &&
      state.disclosure !== Disclosure.DISCLOSURE_WITHHELD,
    takedown: state.takedown
      ? {
          kind: state.takedown.kind,
          publicExplanation: state.takedown.publicExplanation,
          replacedBy: state.takedown.replacedBy,
          at: ms(state.takedown.at),
        }
      : undefined,
    penalty:
      details?.$case === "penalty"
        ? {
            ...details.value,
            party: party(details.value.party),
            decisionDate: ms(details.value.decisionDate),
          }
        : undefined,
    licence:
      details?.$case === "licence"
        ? {
            ...details.value,
            holder: party(details.value.holder),
            decisionDate: ms(details.value.decisionDate),
            validFrom: ms(details.value.validFrom),
            validUntil: ms(details.value.validUntil),
          }
        : undefined,
  };
}

/** What the website does with an item's page. */
export type Presence =
  | { readonly kind: "listed" }
  | { readonly kind: "withdrawn" }
  | { readonly kind: "gone" }
  | { readonly kind: "moved"; readonly to: string }
  | { readonly kind: "hidden" };

/**
 * Listed items (published or expired) appear in listings, search, feeds and the
 * sitemap. A withdrawn item keeps only its page; a removed one is gone; a
 * replaced one redirects to its successor.
 */
export function presenceOf(item: PortalItem): Presence {
  if (!item.public) return { kind: "hidden" };
  if (
    item.status === ItemStatus.ITEM_STATUS_PUBLISHED ||
    item.status === ItemStatus.ITEM_STATUS_EXPIRED
  ) {
    return { kind: "listed" };
  }
  if (item.status !== ItemStatus.ITEM_STATUS_RETRACTED) return { kind: "hidden" };
  switch (item.takedown?.kind) {
    case TakedownKind.TAKEDOWN_KIND_REMOVED:
      return { kind: "gone" };
    case TakedownKind.TAKEDOWN_KIND_REPLACED:
      return item.takedown.replacedBy
        ? { kind: "moved", to: item.takedown.replacedBy }
        : { kind: "gone" };
    default:
      // WITHDRAWN, and a retraction that names no kind: keep the page with its explanation.
      return { kind: "withdrawn" };
  }
}

/** True when the item appears in listings, search, feeds and the sitemap. */
export function isListed(item: PortalItem): boolean {
  return presenceOf(item).kind === "listed";
}

/** The time listings sort by: publication, else the version's time, else 0. */
export function sortTime(item: PortalItem): number {
  return item.publishedAt ?? item.updatedAt ?? 0;
}

/** Whether a validity (有效性) line belongs on this kind of item. */
export function carriesValidity(kind: ItemKind): boolean {
  return (
    kind === ItemKind.ITEM_KIND_POLICY_DOCUMENT ||
    kind === ItemKind.ITEM_KIND_POWER_RESPONSIBILITY_ENTRY ||
    kind === ItemKind.ITEM_KIND_SERVICE_GUIDE ||
    kind === ItemKind.ITEM_KIND_ADMINISTRATIVE_LICENCE
  );
}
