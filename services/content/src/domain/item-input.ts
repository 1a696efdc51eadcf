import { isDate } from "./clone";
import { z } from "zod";
import { type Violation, ValidationError } from "./errors";
import {
  AUDIENCES,
  DISCLOSURES,
  type ItemFields,
  KINDS,
  PARTY_KINDS,
  PRIORITIES,
  RELATIONS,
} from "./item";

/**
 * The shape of an item as editors and files supply it (JSON, or YAML front
 * matter). Every field is optional here because an edit sends only what changes;
 * what each kind requires is checked on the merged result (`validate-item.ts`).
 */

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date: "2016-05-10" (midnight in Asia/Shanghai, where the issuing office is) or ISO 8601 with an offset. */
const dateInput = z.union([z.date(), z.string()]).transform((value, ctx) => {
  if (isDate(value)) return value;
  const text = DATE_ONLY.test(value) ? `${value}T00:00:00+08:00` : value;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not a date; use YYYY-MM-DD or ISO 8601 with an offset`,
      params: { rule: "date" },
    });
    return z.NEVER;
  }
  return date;
});

const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);
const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-', at most 64");

const party = z.strictObject({
  name: text(200).optional(),
  kind: z.enum(PARTY_KINDS).optional(),
  identifier: text(64).optional(),
});

export const itemInputSchema = z.strictObject({
  id: identifier.optional(),
  kind: z.enum(KINDS).optional(),
  title: text(300).optional(),
  summary: text(2000).optional(),
  body: z.string().max(2_000_000, "at most 2,000,000 characters").optional(),
  attachments: z
    .array(
      z.strictObject({
        name: text(300),
        url: z.url({ protocol: /^https?$/, error: "an http or https URL" }),
        mediaType: text(200).optional(),
        sizeBytes: z.number().int().nonnegative().optional(),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, "lower-case hex SHA-256")
          .optional(),
      }),
    )
    .max(100)
    .optional(),
  category: text(100).optional(),
  tags: z.array(text(50)).max(50).optional(),
  disclosure: z.enum(DISCLOSURES).optional(),
  issuingOffice: text(200).optional(),
  documentNumber: text(100).optional(),
  indexNumber: text(100).optional(),
  dates: z
    .strictObject({
      formedAt: dateInput.optional(),
      effectiveAt: dateInput.optional(),
      expiresAt: dateInput.nullable().optional(),
    })
    .optional(),
  targeting: z
    .strictObject({
      channels: z
        .array(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "a channel name"))
        .max(50)
        .optional(),
      noticeboardSites: z.array(text(64)).max(500).optional(),
      audience: z.enum(AUDIENCES).optional(),
    })
    .optional(),
  overrides: z
    .array(
      z.strictObject({
        channel: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "a channel name"),
        shortTitle: text(100).optional(),
        digest: text(500).optional(),
        coverImageUrl: z.url({ protocol: /^https?$/, error: "an http or https URL" }).optional(),
      }),
    )
    .max(50)
    .optional(),
  related: z
    .array(z.strictObject({ relation: z.enum(RELATIONS), itemId: identifier }))
    .max(100)
    .optional(),
  priority: z.enum(PRIORITIES).optional(),
  penalty: z
    .strictObject({
      decisionNumber: text(100).optional(),
      party: party.optional(),
      legalBasis: text(2000).optional(),
      decisionDate: dateInput.optional(),
      violation: text(5000).optional(),
      penalty: text(2000).optional(),
      decidingOffice: text(200).optional(),
    })
    .optional(),
  licence: z
    .strictObject({
      licenceNumber: text(100).optional(),
      holder: party.optional(),
      licensedMatter: text(500).optional(),
      decisionDate: dateInput.optional(),
      validFrom: dateInput.optional(),
      validUntil: dateInput.optional(),
      licensingOffice: text(200).optional(),
    })
    .optional(),
});

export type ItemInput = z.output<typeof itemInputSchema>;

/** Turns zod issues into violations that name the field path and the rule. */
export function violationsFromZod(error: z.ZodError, prefix = ""): Violation[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    const field = prefix && path ? `${prefix}.${path}` : prefix || path || "(body)";
    const params = (issue as { params?: { rule?: string } }).params;
    const rule =
      params?.rule ??
      (issue.code === "unrecognized_keys"
        ? "unknown-field"
        : issue.code === "invalid_value"
          ? "one-of"
          : issue.code === "too_big"
            ? "too-long"
            : issue.code === "invalid_type"
              ? "type"
              : "format");
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`
        : issue.message;
    return { field, rule, message };
  });
}

/** Parses editor input, throwing a ValidationError that names every bad field. */
export function parseItemInput(raw: unknown): ItemInput {
  const result = itemInputSchema.safeParse(raw);
  if (!result.success) throw new ValidationError(violationsFromZod(result.error));
  return result.data;
}

/** Applies an edit onto the fields it changes; nested objects merge one level deep. */
export function mergeInput(base: ItemFields | undefined, input: ItemInput): Partial<ItemFields> {
  const merged: Record<string, unknown> = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || key === "id") continue;
    const previous = merged[key];
    if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      !isDate(value) &&
      previous !== null &&
      typeof previous === "object" &&
      !Array.isArray(previous)
    ) {
      merged[key] = { ...previous, ...value };
    } else {
      merged[key] = value;
    }
  }
  return merged;
}
