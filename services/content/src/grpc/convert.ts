import { dropUndefined } from "../domain/clone";
import type { ItemDraft, LicenceDetails, Party, PenaltyDetails } from "@herald/contracts";
import {
  AUDIENCE_TO_PB,
  DISCLOSURE_TO_PB,
  fromPb,
  KIND_TO_PB,
  PARTY_KIND_TO_PB,
  PRIORITY_TO_PB,
  RELATION_TO_PB,
} from "../domain/item-state";

/**
 * gRPC ItemDraft → the editor-input shape, so both APIs share one validation.
 * A draft is the whole item: proto3 cannot tell an empty field from an absent
 * one, so an Update replaces every field. Unspecified enums stay absent and
 * fall back to their defaults (or fail as required).
 */
export function draftToInput(draft: ItemDraft): Record<string, unknown> {
  const input: Record<string, unknown> = {
    kind: fromPb(KIND_TO_PB, draft.kind),
    title: draft.title,
    summary: draft.summary,
    body: draft.bodyHtml,
    attachments: draft.attachments.map((a) => ({
      name: a.name,
      url: a.url,
      ...(a.mediaType ? { mediaType: a.mediaType } : {}),
      ...(a.sizeBytes ? { sizeBytes: a.sizeBytes } : {}),
      ...(a.sha256 ? { sha256: a.sha256 } : {}),
    })),
    category: draft.category,
    tags: draft.tags,
    disclosure: fromPb(DISCLOSURE_TO_PB, draft.disclosure),
    issuingOffice: draft.issuingOffice,
    documentNumber: draft.documentNumber,
    indexNumber: draft.indexNumber,
    dates: {
      formedAt: draft.dates?.formedAt,
      effectiveAt: draft.dates?.effectiveAt,
      expiresAt: draft.dates?.expiresAt ?? null,
    },
    targeting: {
      channels: draft.targeting?.channels ?? [],
      noticeboardSites: draft.targeting?.noticeboardSites ?? [],
      audience: draft.targeting ? fromPb(AUDIENCE_TO_PB, draft.targeting.audience) : undefined,
    },
    overrides: draft.overrides.map((o) => ({
      channel: o.channel,
      shortTitle: o.shortTitle,
      digest: o.digest,
      ...(o.coverImageUrl ? { coverImageUrl: o.coverImageUrl } : {}),
    })),
    related: draft.related.map((r) => ({
      relation: fromPb(RELATION_TO_PB, r.relation),
      itemId: r.itemId,
    })),
    priority: fromPb(PRIORITY_TO_PB, draft.priority),
  };
  if (draft.id) input.id = draft.id;
  if (draft.details?.$case === "penalty") input.penalty = penaltyToInput(draft.details.value);
  if (draft.details?.$case === "licence") input.licence = licenceToInput(draft.details.value);
  return dropUndefined(input);
}

function partyToInput(party: Party | undefined) {
  if (!party) return undefined;
  return {
    name: party.name,
    kind: fromPb(PARTY_KIND_TO_PB, party.kind),
    identifier: party.identifier,
  };
}

function penaltyToInput(p: PenaltyDetails) {
  return {
    decisionNumber: p.decisionNumber,
    party: partyToInput(p.party),
    legalBasis: p.legalBasis,
    decisionDate: p.decisionDate,
    violation: p.violation,
    penalty: p.penalty,
    decidingOffice: p.decidingOffice,
  };
}

function licenceToInput(l: LicenceDetails) {
  return {
    licenceNumber: l.licenceNumber,
    holder: partyToInput(l.holder),
    licensedMatter: l.licensedMatter,
    decisionDate: l.decisionDate,
    validFrom: l.validFrom,
    validUntil: l.validUntil,
    licensingOffice: l.licensingOffice,
  };
}

const PROTO_NAMES: Record<string, string> = { body: "body_html" };

/** An input field path ("dates.formedAt") as the proto field path ("item.dates.formed_at"). */
export function protoFieldPath(field: string, root = "item"): string {
  const parts = field.split(".").map((part) => {
    const named = PROTO_NAMES[part] ?? part;
    return named.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  });
  return [root, ...parts].filter(Boolean).join(".");
}
