import { deepClone } from "./clone";
import { sanitizeBody } from "../validation/html-policy";
import { checkBodyReferences, checkHygiene, checkPersonalData } from "../validation/item-text";
import { isBlank } from "../validation/text-view";
import { type Violation, ValidationError } from "./errors";
import type { Adjustment, ItemFields, Kind, Party } from "./item";

/** What validation needs to know beyond the input: a lookup of other items. */
export interface ValidationContext {
  /** The kind and public status of another item, to check relations. */
  lookup(itemId: string): Promise<{ kind: Kind; published: boolean } | undefined>;
  /** Hosts a body's images may come from (`CONTENT_IMAGE_HOSTS`); none when absent. */
  imageHosts?: readonly string[];
}

export interface ValidatedItem {
  fields: ItemFields;
  adjustments: Adjustment[];
}

const BODY_OPTIONAL: ReadonlySet<Kind> = new Set([
  "administrative-penalty",
  "administrative-licence",
]);

function normalise(input: Partial<ItemFields>): ItemFields {
  const dates = input.dates ?? {};
  const fields: ItemFields = {
    kind: input.kind ?? ("" as Kind),
    title: input.title ?? "",
    summary: input.summary ?? "",
    body: input.body ?? "",
    attachments: (input.attachments ?? []).map((a) => ({
      name: a.name,
      url: a.url,
      mediaType: a.mediaType ?? "",
      sizeBytes: a.sizeBytes ?? 0,
      sha256: a.sha256 ?? "",
    })),
    category: input.category ?? "",
    tags: input.tags ?? [],
    disclosure: input.disclosure ?? "proactive",
    issuingOffice: input.issuingOffice ?? "",
    documentNumber: input.documentNumber ?? "",
    indexNumber: input.indexNumber ?? "",
    dates: {
      ...(dates.formedAt ? { formedAt: dates.formedAt } : {}),
      ...(dates.effectiveAt ? { effectiveAt: dates.effectiveAt } : {}),
      ...(dates.expiresAt ? { expiresAt: dates.expiresAt } : {}),
    },
    targeting: {
      channels: input.targeting?.channels ?? [],
      noticeboardSites: input.targeting?.noticeboardSites ?? [],
      audience: input.targeting?.audience ?? "public",
    },
    overrides: (input.overrides ?? []).map((o) => ({
      channel: o.channel,
      shortTitle: o.shortTitle ?? "",
      digest: o.digest ?? "",
      coverImageUrl: o.coverImageUrl ?? "",
    })),
    related: input.related ?? [],
    priority: input.priority ?? "normal",
  };
  if (input.penalty) fields.penalty = input.penalty;
  if (input.licence) fields.licence = input.licence;
  return fields;
}

function requirePresent(violations: Violation[], field: string, value: unknown, what: string) {
  // Text made only of invisible characters shows nothing: it is as good as absent.
  if (value === undefined || value === null || (typeof value === "string" && isBlank(value))) {
    violations.push({ field, rule: "required", message: `${what} is required` });
  }
}

function checkParty(violations: Violation[], path: string, party: Partial<Party> | undefined) {
  requirePresent(violations, `${path}.name`, party?.name, "the party's name");
  requirePresent(violations, `${path}.kind`, party?.kind, "the party's kind");
}

function checkKindRules(fields: ItemFields, violations: Violation[]) {
  const { kind } = fields;
  if (!BODY_OPTIONAL.has(kind) && isBlank(fields.body, { html: true })) {
    requirePresent(violations, "body", "", "the body");
  }
  if (fields.penalty && kind !== "administrative-penalty") {
    violations.push({
      field: "penalty",
      rule: "kind-mismatch",
      message: "penalty details belong only to administrative-penalty items",
    });
  }
  if (fields.licence && kind !== "administrative-licence") {
    violations.push({
      field: "licence",
      rule: "kind-mismatch",
      message: "licence details belong only to administrative-licence items",
    });
  }
  if (kind === "policy-document") {
    requirePresent(violations, "issuingOffice", fields.issuingOffice, "the issuing office");
    requirePresent(violations, "documentNumber", fields.documentNumber, "the document number");
  }
  if (kind === "administrative-penalty") {
    const p = fields.penalty;
    requirePresent(violations, "penalty.decisionNumber", p?.decisionNumber, "the decision number");
    checkParty(violations, "penalty.party", p?.party);
    requirePresent(violations, "penalty.legalBasis", p?.legalBasis, "the legal basis");
    requirePresent(violations, "penalty.decisionDate", p?.decisionDate, "the decision date");
  }
  if (kind === "administrative-licence") {
    const l = fields.licence;
    requirePresent(violations, "licence.licenceNumber", l?.licenceNumber, "the licence number");
    checkParty(violations, "licence.holder", l?.holder);
    requirePresent(violations, "licence.validFrom", l?.validFrom, "the start of validity");
    requirePresent(violations, "licence.validUntil", l?.validUntil, "the end of validity");
    if (l?.validFrom && l.validUntil && l.validUntil <= l.validFrom) {
      violations.push({
        field: "licence.validUntil",
        rule: "after",
        message: "the end of validity must be after its start",
      });
    }
  }
  const { effectiveAt, expiresAt } = fields.dates;
  if (effectiveAt && expiresAt && expiresAt <= effectiveAt) {
    violations.push({
      field: "dates.expiresAt",
      rule: "after",
      message: "expiry must be after the effective date",
    });
  }
  fields.overrides.forEach((o, i) => {
    if (fields.overrides.findIndex((other) => other.channel === o.channel) !== i) {
      violations.push({
        field: `overrides.${i}.channel`,
        rule: "unique",
        message: `channel ${o.channel} has more than one override`,
      });
    }
  });
}

async function checkRelations(
  fields: ItemFields,
  context: ValidationContext,
  violations: Violation[],
  selfId: string | undefined,
) {
  const interprets = fields.related.filter((r) => r.relation === "interprets");
  if (fields.kind === "policy-interpretation" && interprets.length === 0) {
    violations.push({
      field: "related",
      rule: "required",
      message:
        "an interpretation must name the policy document it interprets (relation interprets)",
    });
  }
  for (const [i, related] of fields.related.entries()) {
    if (related.itemId === selfId) {
      violations.push({
        field: `related.${i}.itemId`,
        rule: "not-self",
        message: "an item cannot relate to itself",
      });
      continue;
    }
    if (related.relation !== "interprets") continue;
    const target = await context.lookup(related.itemId);
    if (!target || target.kind !== "policy-document" || !target.published) {
      violations.push({
        field: `related.${i}.itemId`,
        rule: "published-policy-document",
        message: `${related.itemId} must be a published policy document`,
      });
    }
  }
}

function checkBody(
  fields: ItemFields,
  imageHosts: readonly string[],
  violations: Violation[],
  adjustments: Adjustment[],
) {
  if (!fields.body) return;
  const check = sanitizeBody(fields.body, { imageHosts });
  for (const refused of check.refused) {
    violations.push({
      field: "body",
      rule: refused.rule,
      message: refused.message,
      excerpt: refused.excerpt,
    });
  }
  for (const s of check.stripped) {
    adjustments.push({
      field: "body",
      rule: `html.stripped.${s.what}`,
      description: `removed ${s.count} × ${s.what} ${s.name}${s.excerpt ? ` (first: ${s.excerpt})` : ""}`,
    });
  }
  fields.body = check.html;
}

/**
 * Checks a complete set of fields for publication and returns them cleaned: the
 * body sanitised, personal data masked where the rules allow. HTTP, gRPC and the
 * CLI (which calls the HTTP API) all reach it through `ItemService`. Every problem is
 * collected before throwing, so the editor sees them all at once.
 */
export async function validateItem(
  input: Partial<ItemFields>,
  context: ValidationContext,
  selfId?: string,
): Promise<ValidatedItem> {
  const fields = normalise(deepClone(input));
  const violations: Violation[] = [];
  const adjustments: Adjustment[] = [];
  requirePresent(violations, "kind", input.kind, "the kind");
  requirePresent(violations, "title", fields.title, "the title");
  if (violations.length === 0) checkKindRules(fields, violations);
  // Hygiene reads the fields as submitted, before the sanitiser rewrites the body.
  checkHygiene(fields, violations);
  checkBody(fields, context.imageHosts ?? [], violations, adjustments);
  checkBodyReferences(fields.body, violations);
  checkPersonalData(fields, selfId, violations, adjustments);
  await checkRelations(fields, context, violations, selfId);
  if (violations.length > 0) throw new ValidationError(violations);
  return { fields, adjustments };
}
