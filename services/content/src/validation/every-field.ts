/**
 * A test fixture: an item with every field the item model has, for the tests
 * that must reach every text field (the registry's completeness, the
 * personal-data and hygiene rules of each field).
 */
import type { ItemFields } from "../domain/item";

/** An item with every field the model has, each list holding one element. */
export function everyField(text: (path: string) => string): ItemFields {
  return {
    kind: "administrative-penalty",
    title: text("title"),
    summary: text("summary"),
    body: text("body"),
    attachments: [
      {
        name: text("attachments.*.name"),
        url: text("attachments.*.url"),
        mediaType: text("attachments.*.mediaType"),
        sizeBytes: 1,
        sha256: text("attachments.*.sha256"),
      },
    ],
    category: text("category"),
    tags: [text("tags.*")],
    disclosure: "proactive",
    issuingOffice: text("issuingOffice"),
    documentNumber: text("documentNumber"),
    indexNumber: text("indexNumber"),
    dates: { formedAt: new Date(0), effectiveAt: new Date(0), expiresAt: new Date(1) },
    targeting: {
      channels: [text("targeting.channels.*")],
      noticeboardSites: [text("targeting.noticeboardSites.*")],
      audience: "public",
    },
    overrides: [
      {
        channel: text("overrides.*.channel"),
        shortTitle: text("overrides.*.shortTitle"),
        digest: text("overrides.*.digest"),
        coverImageUrl: text("overrides.*.coverImageUrl"),
      },
    ],
    related: [{ relation: "see-also", itemId: text("related.*.itemId") }],
    priority: "normal",
    penalty: {
      decisionNumber: text("penalty.decisionNumber"),
      party: {
        name: text("penalty.party.name"),
        kind: "natural-person",
        identifier: text("penalty.party.identifier"),
      },
      legalBasis: text("penalty.legalBasis"),
      decisionDate: new Date(0),
      violation: text("penalty.violation"),
      penalty: text("penalty.penalty"),
      decidingOffice: text("penalty.decidingOffice"),
    },
    licence: {
      licenceNumber: text("licence.licenceNumber"),
      holder: {
        name: text("licence.holder.name"),
        kind: "natural-person",
        identifier: text("licence.holder.identifier"),
      },
      licensedMatter: text("licence.licensedMatter"),
      decisionDate: new Date(0),
      validFrom: new Date(0),
      validUntil: new Date(1),
      licensingOffice: text("licence.licensingOffice"),
    },
  };
}
