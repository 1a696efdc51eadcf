import { createHash } from "node:crypto";
import {
  Audience as PbAudience,
  Disclosure as PbDisclosure,
  ItemKind,
  ItemState,
  ItemStatus,
  type LicenceDetails as PbLicenceDetails,
  type Party as PbParty,
  PartyKind as PbPartyKind,
  type PenaltyDetails as PbPenaltyDetails,
  Priority as PbPriority,
  Relation as PbRelation,
  TakedownKind,
} from "@herald/contracts";
import type {
  Audience,
  Disclosure,
  ItemFields,
  ItemVersion,
  Kind,
  LicenceDetails,
  Party,
  PartyKind,
  PenaltyDetails,
  Priority,
  Relation,
  TakedownMode,
  VersionStatus,
} from "./item";

/** The content service's names for the wire enums, both ways. WARNING: the wire values never change. */
export const KIND_TO_PB: Record<Kind, ItemKind> = {
  news: ItemKind.ITEM_KIND_NEWS,
  "policy-document": ItemKind.ITEM_KIND_POLICY_DOCUMENT,
  "policy-interpretation": ItemKind.ITEM_KIND_POLICY_INTERPRETATION,
  "administrative-licence": ItemKind.ITEM_KIND_ADMINISTRATIVE_LICENCE,
  "administrative-penalty": ItemKind.ITEM_KIND_ADMINISTRATIVE_PENALTY,
  "power-responsibility-entry": ItemKind.ITEM_KIND_POWER_RESPONSIBILITY_ENTRY,
  "service-guide": ItemKind.ITEM_KIND_SERVICE_GUIDE,
  notice: ItemKind.ITEM_KIND_NOTICE,
  "hotline-qa": ItemKind.ITEM_KIND_HOTLINE_QA,
  "consultation-draft": ItemKind.ITEM_KIND_CONSULTATION_DRAFT,
};
export const DISCLOSURE_TO_PB: Record<Disclosure, PbDisclosure> = {
  proactive: PbDisclosure.DISCLOSURE_PROACTIVE,
  "on-request": PbDisclosure.DISCLOSURE_ON_REQUEST,
  withheld: PbDisclosure.DISCLOSURE_WITHHELD,
};
export const PRIORITY_TO_PB: Record<Priority, PbPriority> = {
  normal: PbPriority.PRIORITY_NORMAL,
  urgent: PbPriority.PRIORITY_URGENT,
};
export const AUDIENCE_TO_PB: Record<Audience, PbAudience> = {
  public: PbAudience.AUDIENCE_PUBLIC,
  internal: PbAudience.AUDIENCE_INTERNAL,
};
export const RELATION_TO_PB: Record<Relation, PbRelation> = {
  interprets: PbRelation.RELATION_INTERPRETS,
  replaces: PbRelation.RELATION_REPLACES,
  "replaced-by": PbRelation.RELATION_REPLACED_BY,
  "see-also": PbRelation.RELATION_SEE_ALSO,
};
export const PARTY_KIND_TO_PB: Record<PartyKind, PbPartyKind> = {
  "natural-person": PbPartyKind.PARTY_KIND_NATURAL_PERSON,
  "legal-person": PbPartyKind.PARTY_KIND_LEGAL_PERSON,
  "other-organisation": PbPartyKind.PARTY_KIND_OTHER_ORGANISATION,
};
export const TAKEDOWN_TO_PB: Record<TakedownMode, TakedownKind> = {
  withdrawn: TakedownKind.TAKEDOWN_KIND_WITHDRAWN,
  removed: TakedownKind.TAKEDOWN_KIND_REMOVED,
  replaced: TakedownKind.TAKEDOWN_KIND_REPLACED,
};
const STATUS_TO_PB: Record<VersionStatus, ItemStatus> = {
  published: ItemStatus.ITEM_STATUS_PUBLISHED,
  withdrawn: ItemStatus.ITEM_STATUS_RETRACTED,
  removed: ItemStatus.ITEM_STATUS_RETRACTED,
  replaced: ItemStatus.ITEM_STATUS_RETRACTED,
  expired: ItemStatus.ITEM_STATUS_EXPIRED,
};

/** Inverts one of the maps above. */
export function fromPb<D extends string, P extends number>(
  map: Record<D, P>,
  value: P,
): D | undefined {
  for (const [domain, pb] of Object.entries(map) as Array<[D, P]>) if (pb === value) return domain;
  return undefined;
}

function partyToPb(party: Party): PbParty {
  return {
    name: party.name,
    kind: PARTY_KIND_TO_PB[party.kind],
    identifier: party.identifier ?? "",
  };
}

function penaltyToPb(p: PenaltyDetails): PbPenaltyDetails {
  return {
    decisionNumber: p.decisionNumber,
    party: partyToPb(p.party),
    legalBasis: p.legalBasis,
    decisionDate: p.decisionDate,
    violation: p.violation ?? "",
    penalty: p.penalty ?? "",
    decidingOffice: p.decidingOffice ?? "",
  };
}

function licenceToPb(l: LicenceDetails): PbLicenceDetails {
  return {
    licenceNumber: l.licenceNumber,
    holder: partyToPb(l.holder),
    licensedMatter: l.licensedMatter ?? "",
    decisionDate: l.decisionDate,
    validFrom: l.validFrom,
    validUntil: l.validUntil,
    licensingOffice: l.licensingOffice ?? "",
  };
}

/** The fields an ItemState shares with the ItemDraft of the gRPC API. */
export function fieldsToPb(fields: ItemFields) {
  return {
    kind: KIND_TO_PB[fields.kind],
    title: fields.title,
    summary: fields.summary,
    bodyHtml: fields.body,
    attachments: fields.attachments.map((a) => ({ ...a })),
    category: fields.category,
    tags: [...fields.tags],
    disclosure: DISCLOSURE_TO_PB[fields.disclosure],
    issuingOffice: fields.issuingOffice,
    documentNumber: fields.documentNumber,
    indexNumber: fields.indexNumber,
    targeting: {
      channels: [...fields.targeting.channels],
      noticeboardSites: [...fields.targeting.noticeboardSites],
      audience: AUDIENCE_TO_PB[fields.targeting.audience],
    },
    overrides: fields.overrides.map((o) => ({ ...o })),
    related: fields.related.map((r) => ({
      relation: RELATION_TO_PB[r.relation],
      itemId: r.itemId,
    })),
    priority: PRIORITY_TO_PB[fields.priority],
    details: fields.penalty
      ? { $case: "penalty" as const, value: penaltyToPb(fields.penalty) }
      : fields.licence
        ? { $case: "licence" as const, value: licenceToPb(fields.licence) }
        : undefined,
  };
}

/** Lower-case hex SHA-256 of the state's encoding with checksum and trace left empty. */
export function itemChecksum(state: ItemState): string {
  const canonical = ItemState.encode({ ...state, checksum: "", trace: undefined }).finish();
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The ItemState of one version: the value of its message on herald.items.v1. The
 * checksum is computed here; the trace is the context of the operation that made it.
 */
export function versionToItemState(id: string, version: ItemVersion): ItemState {
  const { fields } = version;
  const state: ItemState = {
    id,
    version: version.version,
    status: STATUS_TO_PB[version.status],
    ...fieldsToPb(fields),
    dates: {
      formedAt: fields.dates.formedAt,
      publishedAt: version.publishedAt,
      effectiveAt: fields.dates.effectiveAt,
      expiresAt: fields.dates.expiresAt,
    },
    checksum: "",
    trace: undefined,
    takedown: version.takedown
      ? {
          kind: TAKEDOWN_TO_PB[version.takedown.mode],
          reason: version.takedown.reason,
          publicExplanation: version.takedown.publicExplanation,
          replacedBy: version.takedown.replacedBy ?? "",
          at: version.takedown.at,
          decisionRevokedAt: version.takedown.decisionRevokedAt,
        }
      : undefined,
    deadline: version.deadline
      ? {
          dueAt: version.deadline.dueAt,
          rule: version.deadline.rule,
          provisional: version.deadline.provisional,
        }
      : undefined,
    updatedAt: version.at,
  };
  state.checksum = itemChecksum(state);
  if (version.trace) state.trace = { ...version.trace };
  return state;
}
