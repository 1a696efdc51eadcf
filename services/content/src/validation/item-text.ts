/**
 * The checks every text field of an item goes through (`text-fields.ts` lists
 * them): text hygiene, and personal data found, masked or refused.
 */
import type { Violation } from "../domain/errors";
import type { Adjustment, ItemFields, Kind } from "../domain/item";
import { findPersonalData, maskPersonalData, type PersonalDataMatch } from "./personal-data";
import { textValues } from "./text-fields";
import { hygieneMessage, hygieneProblems } from "./text-hygiene";

/** Kinds whose decisions about a natural person are published with personal data masked. */
const MASKING_KINDS: ReadonlySet<Kind> = new Set([
  "administrative-penalty",
  "administrative-licence",
]);

const PII_NAMES = {
  "id-number": "an ID number",
  mobile: "a mobile number",
  "bank-card": "a bank card number",
};

/** Refuses control characters, bidi controls, lone surrogates and line separators in every text field. */
export function checkHygiene(fields: ItemFields, violations: Violation[]) {
  for (const { field, path, value } of textValues(fields)) {
    for (const problem of hygieneProblems(value, field.multiline)) {
      violations.push({
        field: path,
        rule: problem.rule,
        message: hygieneMessage(problem, field.multiline),
      });
    }
  }
}

/**
 * Refuses what the sanitised body holds that the body as written did not show:
 * characters written as references (`&#x202E;`, `&#7;`), which the parser
 * decodes into the text and attributes it writes out.
 */
export function checkBodyReferences(sanitisedBody: string, violations: Violation[]) {
  const reported = new Set(violations.filter((v) => v.field === "body").map((v) => v.rule));
  for (const problem of hygieneProblems(sanitisedBody, true)) {
    if (reported.has(problem.rule)) continue;
    violations.push({
      field: "body",
      rule: problem.rule,
      message: `${hygieneMessage(problem, true).replace(/ at character \d+/, "")}; it was written as a character reference`,
    });
  }
}

/**
 * Scans every text field (`text-fields.ts`) for personal data. In a proactive
 * penalty or licence decision about a natural person, fields that can be masked
 * are; everything else found is refused, naming the field and the rule.
 */
export function checkPersonalData(
  fields: ItemFields,
  selfId: string | undefined,
  violations: Violation[],
  adjustments: Adjustment[],
) {
  if (fields.disclosure !== "proactive") return;
  const party = fields.penalty?.party ?? fields.licence?.holder;
  const masking = MASKING_KINDS.has(fields.kind) && party?.kind === "natural-person";
  const refuse = (path: string, matches: readonly PersonalDataMatch[]) => {
    for (const m of matches) {
      violations.push({
        field: path,
        rule: `personal-data.${m.kind}`,
        message: `contains ${PII_NAMES[m.kind]} at characters ${m.start}-${m.end}; public items may not carry personal data (only penalty and licence decisions about a natural person are masked, and never in addresses or identifiers)`,
        excerpt: m.text,
      });
    }
  };
  if (selfId) refuse("id", findPersonalData(selfId));
  for (const { field, path, value, set } of textValues(fields)) {
    if (!value || field.personalData === "none") continue;
    const options = { html: field.html ?? false };
    if (!masking || field.personalData === "refuse") {
      refuse(path, findPersonalData(value, options));
      continue;
    }
    const result = maskPersonalData(value, options);
    if (result.masked.length === 0) continue;
    set(result.text);
    for (const m of result.masked) {
      adjustments.push({
        field: path,
        rule: `personal-data.masked.${m.kind}`,
        description: `masked ${PII_NAMES[m.kind]} at characters ${m.start}-${m.end} as ${m.replacement}`,
      });
    }
  }
}
