import { deepClone } from "./clone";
import { sanitizeBody } from "../validation/html-policy";
import { findPersonalData, maskPersonalData } from "../validation/personal-data";
import { type Violation, ValidationError } from "./errors";
import type { Adjustment, ItemFields, Kind, Party } from "./item";

/** What validation needs to know beyond the input: a lookup of other items. */
export interface ValidationContext {
  /** The kind and public status of another item, to check relations. */
  lookup(itemId: string): Promise<{ kind: Kind; published: boolean } | undefined>;
}

export interface ValidatedItem {
  fields: ItemFields;
  adjustments: Adjustment[];
}

const BODY_OPTIONAL: ReadonlySet<Kind> = new Set([
  "administrative-penalty",
  "administrative-licence",
]);
const MASKING_KINDS: ReadonlySet<Kind> = new Set([
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
  if (value === undefined || value === null || value === "") {
    violations.push({ field, rule: "required", message: `${what} is required` });
  }
}

function checkParty(violations: Violation[], path: string, party: Partial<Party> | undefined) {
  requirePresent(violations, `${path}.name`, party?.name, "the party's name");
  requirePresent(violations, `${path}.kind`, party?.kind, "the party's kind");
}

function checkKindRules(fields: ItemFields, violations: Violation[]) {
  const { kind } = fields;
  if (!BODY_OPTIONAL.has(kind)) requirePresent(violations, "body", fields.body.trim(), "the body");
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

/** Every free-text field of an item, with its path, for the personal-data scan. */
function textFields(fields: ItemFields): Array<[string, string, (masked: string) => void]> {
  const out: Array<[string, string, (masked: string) => void]> = [
    ["title", fields.title, (v) => (fields.title = v)],
    ["summary", fields.summary, (v) => (fields.summary = v)],
    ["body", fields.body, (v) => (fields.body = v)],
    ["documentNumber", fields.documentNumber, (v) => (fields.documentNumber = v)],
  ];
  fields.tags.forEach((t, i) => out.push([`tags.${i}`, t, (v) => (fields.tags[i] = v)]));
  fields.attachments.forEach((a, i) =>
    out.push([`attachments.${i}.name`, a.name, (v) => (a.name = v)]),
  );
  fields.overrides.forEach((o, i) => {
    out.push([`overrides.${i}.shortTitle`, o.shortTitle, (v) => (o.shortTitle = v)]);
    out.push([`overrides.${i}.digest`, o.digest, (v) => (o.digest = v)]);
  });
  const p = fields.penalty;
  if (p) {
    for (const key of ["legalBasis", "violation", "penalty", "decisionNumber"] as const) {
      out.push([`penalty.${key}`, p[key] ?? "", (v) => (p[key] = v)]);
    }
    if (p.party) {
      const party = p.party;
      out.push(["penalty.party.name", party.name, (v) => (party.name = v)]);
      out.push(["penalty.party.identifier", party.identifier, (v) => (party.identifier = v)]);
    }
  }
  const l = fields.licence;
  if (l) {
    out.push(["licence.licensedMatter", l.licensedMatter ?? "", (v) => (l.licensedMatter = v)]);
    if (l.holder) {
      const holder = l.holder;
      out.push(["licence.holder.name", holder.name, (v) => (holder.name = v)]);
      out.push(["licence.holder.identifier", holder.identifier, (v) => (holder.identifier = v)]);
    }
  }
  return out;
}

const PII_NAMES = {
  "id-number": "an ID number",
  mobile: "a mobile number",
  "bank-card": "a bank card number",
};

function checkPersonalData(fields: ItemFields, violations: Violation[], adjustments: Adjustment[]) {
  if (fields.disclosure !== "proactive") return;
  const party = fields.penalty?.party ?? fields.licence?.holder;
  const mask = MASKING_KINDS.has(fields.kind) && party?.kind === "natural-person";
  for (const [path, value, set] of textFields(fields)) {
    if (!value) continue;
    if (mask) {
      const result = maskPersonalData(value);
      if (result.masked.length === 0) continue;
      set(result.text);
      for (const m of result.masked) {
        adjustments.push({
          field: path,
          rule: `personal-data.masked.${m.kind}`,
          description: `masked ${PII_NAMES[m.kind]} at characters ${m.start}-${m.end} as ${m.replacement}`,
        });
      }
      continue;
    }
    for (const m of findPersonalData(value)) {
      violations.push({
        field: path,
        rule: `personal-data.${m.kind}`,
        message: `contains ${PII_NAMES[m.kind]} at characters ${m.start}-${m.end}; public items may not carry personal data (only penalty and licence decisions about a natural person are masked)`,
        excerpt: m.text,
      });
    }
  }
}

function checkBody(fields: ItemFields, violations: Violation[], adjustments: Adjustment[]) {
  if (!fields.body) return;
  const check = sanitizeBody(fields.body);
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
      description: `removed ${s.count} × ${s.what} ${s.name}`,
    });
  }
  fields.body = check.html;
}

/**
 * Checks a complete set of fields for publication and returns them cleaned: the
 * body sanitised, personal data masked where the rules allow. Every problem is
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
  checkBody(fields, violations, adjustments);
  checkPersonalData(fields, violations, adjustments);
  await checkRelations(fields, context, violations, selfId);
  if (violations.length > 0) throw new ValidationError(violations);
  return { fields, adjustments };
}
