/**
 * Every text field of an item, in one place: what the personal-data scan and the
 * text-hygiene rules go through. A field added to the item model must be added
 * here (`text-fields.test.ts` fails otherwise).
 */
import type { ItemFields, Kind } from "../domain/item";

/** What happens to personal data found in a field of an item whose rules mask it. */
export type PersonalDataHandling =
  /** Masked in a penalty or licence decision about a natural person, refused elsewhere. */
  | "mask"
  /** Always refused: an address or an identifier that a mask would break. */
  | "refuse"
  /** Not scanned: the format rule already allows nothing but what it describes. */
  | "none";

export interface TextField {
  /** The path, with `*` for every element of a list, e.g. `attachments.*.name`. */
  path: string;
  /** The kinds the field belongs to; undefined for every kind. */
  kinds?: readonly Kind[];
  personalData: PersonalDataHandling;
  /** Line breaks and tabs are allowed (and, for the body, markup). */
  multiline: boolean;
  /** The field holds HTML: personal data is matched on the text a browser shows. */
  html?: boolean;
}

const PENALTY: readonly Kind[] = ["administrative-penalty"];
const LICENCE: readonly Kind[] = ["administrative-licence"];

export const TEXT_FIELDS: readonly TextField[] = [
  { path: "title", personalData: "mask", multiline: false },
  { path: "summary", personalData: "mask", multiline: true },
  { path: "body", personalData: "mask", multiline: true, html: true },
  { path: "category", personalData: "mask", multiline: false },
  { path: "tags.*", personalData: "mask", multiline: false },
  { path: "issuingOffice", personalData: "mask", multiline: false },
  { path: "documentNumber", personalData: "mask", multiline: false },
  { path: "indexNumber", personalData: "mask", multiline: false },
  { path: "attachments.*.name", personalData: "mask", multiline: false },
  { path: "attachments.*.url", personalData: "refuse", multiline: false },
  { path: "attachments.*.mediaType", personalData: "refuse", multiline: false },
  // Lower-case hex by its format rule: its digit runs are random, not numbers.
  { path: "attachments.*.sha256", personalData: "none", multiline: false },
  { path: "targeting.channels.*", personalData: "refuse", multiline: false },
  { path: "targeting.noticeboardSites.*", personalData: "refuse", multiline: false },
  { path: "overrides.*.channel", personalData: "refuse", multiline: false },
  { path: "overrides.*.shortTitle", personalData: "mask", multiline: false },
  { path: "overrides.*.digest", personalData: "mask", multiline: true },
  { path: "overrides.*.coverImageUrl", personalData: "refuse", multiline: false },
  { path: "related.*.itemId", personalData: "refuse", multiline: false },
  { path: "penalty.decisionNumber", kinds: PENALTY, personalData: "mask", multiline: false },
  { path: "penalty.party.name", kinds: PENALTY, personalData: "mask", multiline: false },
  { path: "penalty.party.identifier", kinds: PENALTY, personalData: "mask", multiline: false },
  { path: "penalty.legalBasis", kinds: PENALTY, personalData: "mask", multiline: true },
  { path: "penalty.violation", kinds: PENALTY, personalData: "mask", multiline: true },
  { path: "penalty.penalty", kinds: PENALTY, personalData: "mask", multiline: true },
  { path: "penalty.decidingOffice", kinds: PENALTY, personalData: "mask", multiline: false },
  { path: "licence.licenceNumber", kinds: LICENCE, personalData: "mask", multiline: false },
  { path: "licence.holder.name", kinds: LICENCE, personalData: "mask", multiline: false },
  { path: "licence.holder.identifier", kinds: LICENCE, personalData: "mask", multiline: false },
  { path: "licence.licensedMatter", kinds: LICENCE, personalData: "mask", multiline: true },
  { path: "licence.licensingOffice", kinds: LICENCE, personalData: "mask", multiline: false },
];

/**
 * Fields that hold one of a fixed set of values (checked by the input schema),
 * never free text: listed so that the completeness test knows them.
 */
export const ENUM_FIELDS: readonly string[] = [
  "kind",
  "disclosure",
  "priority",
  "targeting.audience",
  "related.*.relation",
  "penalty.party.kind",
  "licence.holder.kind",
];

/** One value of a registered field in an item, with its concrete path and a way to replace it. */
export interface TextValue {
  field: TextField;
  /** The concrete path, e.g. `attachments.2.name`. */
  path: string;
  value: string;
  set: (value: string) => void;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null && !(value instanceof Date);
}

function child(container: Container, key: string): unknown {
  return Array.isArray(container) ? container[Number(key)] : container[key];
}

function assign(container: Container, key: string, value: string): void {
  if (Array.isArray(container)) container[Number(key)] = value;
  else container[key] = value;
}

/** Every string at `segments` below `container`, expanding `*` over list elements. */
function collect(
  container: Container,
  segments: readonly string[],
  prefix: string,
  field: TextField,
  out: TextValue[],
): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  const keys =
    head === "*" ? (Array.isArray(container) ? container.map((_, i) => String(i)) : []) : [head];
  for (const key of keys) {
    const value = child(container, key);
    const path = prefix ? `${prefix}.${key}` : key;
    if (rest.length === 0) {
      if (typeof value === "string") {
        out.push({ field, path, value, set: (next) => assign(container, key, next) });
      }
    } else if (isContainer(value)) {
      collect(value, rest, path, field, out);
    }
  }
}

/** The values of every registered text field present in `fields`, in registry order. */
export function textValues(fields: ItemFields): TextValue[] {
  const out: TextValue[] = [];
  const root = fields as unknown as Record<string, unknown>;
  for (const field of TEXT_FIELDS) collect(root, field.path.split("."), "", field, out);
  return out;
}
