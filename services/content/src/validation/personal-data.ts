/**
 * Finds and masks personal data that must not reach a public item: mainland
 * resident ID numbers, mainland mobile numbers and bank card numbers. Works on
 * the raw string, so it serves plain text and HTML alike; masking only ever turns
 * digits into `*`, which keeps markup intact and every offset valid.
 */

/** The kinds of personal data recognised. */
export type PersonalDataKind = "id-number" | "mobile" | "bank-card";

/** One occurrence of personal data; `start`/`end` are UTF-16 offsets into the text (end exclusive). */
export interface PersonalDataMatch {
  kind: PersonalDataKind;
  start: number;
  end: number;
  /** The matched text as written, separators and prefixes included. */
  text: string;
}

/** A match and the masked text that replaced it (same length as `text`). */
export type MaskedPersonalData = PersonalDataMatch & { replacement: string };

// Province-level codes of GB/T 2260 (71 Taiwan, 81 Hong Kong, 82 Macao), 83 which begins
// Taiwan residents' residence permits (81 and 82 begin those of Hong Kong and Macao
// residents), and 91 which begins the foreigners' permanent residence ID card.
const PROVINCES: ReadonlySet<string> = new Set([
  ...["11", "12", "13", "14", "15", "21", "22", "23"],
  ...["31", "32", "33", "34", "35", "36", "37"],
  ...["41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"],
  ...["61", "62", "63", "64", "65", "71", "81", "82", "83", "91"],
]);
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARACTERS = "10X98765432";

// Digits or Latin letters on either side mean the number is part of a longer code.
const ID_CANDIDATE = /(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])/g;
const MOBILE_CANDIDATE =
  /(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])/g;
const CARD_CANDIDATE = /(?<![0-9A-Za-z])[0-9]{16,19}(?![0-9A-Za-z])/g;
// Groups of four with one separator used throughout; a 17-19 digit card ends in a short group.
const GROUPED_CARD_CANDIDATE =
  /(?<![0-9A-Za-z]|[0-9][ -])[0-9]{4}([ -])[0-9]{4}(?:\1[0-9]{4}){2}(?:\1[0-9]{1,3})?(?![0-9A-Za-z])(?!\1[0-9])/g;

// Where matches overlap, the more specific kind wins.
const PRIORITY: Record<PersonalDataKind, number> = { "id-number": 0, "bank-card": 1, mobile: 2 };

/** Today's date in China (UTC+8) as YYYYMMDD, the latest plausible birth date. */
function todayInChina(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll("-", "");
}

function isBirthDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1900 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    yyyymmdd <= todayInChina()
  );
}

/** Region and birth date are plausible: the shape of an ID number, whatever its check character. */
function hasIdShape(candidate: string): boolean {
  return PROVINCES.has(candidate.slice(0, 2)) && isBirthDate(candidate.slice(6, 14));
}

/** The ISO 7064 MOD 11-2 check character of the first 17 digits. */
function idCheckCharacter(digits17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(digits17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARACTERS[sum % 11] ?? "";
}

function isResidentIdNumber(candidate: string): boolean {
  return (
    hasIdShape(candidate) &&
    idCheckCharacter(candidate.slice(0, 17)) === candidate[17]?.toUpperCase()
  );
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    const digit = Number(digits[digits.length - 1 - i]);
    const doubled = i % 2 === 1 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return sum % 10 === 0;
}

/**
 * Whether a known card network issues numbers with this prefix and length. Visa
 * and Mastercard only issue 16 (and Visa 19) digits, which keeps 18-digit serials
 * such as customs declaration numbers out; Amex numbers have 15 digits, so they
 * never fall in the 16-19 range searched here.
 */
function hasIssuerPrefix(digits: string): boolean {
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  const length = digits.length;
  if (digits.startsWith("4")) return length === 16 || length === 19; // Visa
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return length === 16; // Mastercard
  // UnionPay 62, JCB 35, Discover 60/65, Diners Club 30/36/38.
  return [62, 35, 60, 65, 30, 36, 38].includes(two);
}

function isBankCard(digits: string): boolean {
  // An ID-shaped number with a wrong check character is a typo or a serial, not a card.
  if (digits.length === 18 && hasIdShape(digits)) return false;
  return hasIssuerPrefix(digits) && passesLuhn(digits);
}

function candidates(
  text: string,
  pattern: RegExp,
  kind: PersonalDataKind,
  accept: (digits: string) => boolean,
): PersonalDataMatch[] {
  const found: PersonalDataMatch[] = [];
  for (const match of text.matchAll(pattern)) {
    const digits = match[0].replace(/[^0-9Xx]/g, "");
    if (accept(digits)) {
      found.push({ kind, start: match.index, end: match.index + match[0].length, text: match[0] });
    }
  }
  return found;
}

/**
 * Every ID number, mobile number and bank card number in `text`, sorted by
 * position and never overlapping (an ID number is never also a card number).
 *
 * - ID number: 18 characters with a known province code, a real birth date from
 *   1900 to today, and a correct ISO 7064 MOD 11-2 check character.
 * - Mobile: 1[3-9] and 9 more digits, optionally after +86/86/0086, with spaces
 *   or hyphens allowed between the 3-4-4 groups.
 * - Bank card: 16-19 digits, plain or in groups of four, passing the Luhn check
 *   and starting with a UnionPay, Visa, Mastercard, JCB, Discover or Diners prefix.
 *
 * None of them may be part of a longer run of digits (or, for ID and card
 * numbers, letters).
 */
export function findPersonalData(text: string): PersonalDataMatch[] {
  const all = [
    ...candidates(text, ID_CANDIDATE, "id-number", isResidentIdNumber),
    ...candidates(text, CARD_CANDIDATE, "bank-card", isBankCard),
    ...candidates(text, GROUPED_CARD_CANDIDATE, "bank-card", isBankCard),
    ...candidates(text, MOBILE_CANDIDATE, "mobile", () => true),
  ].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || a.start - b.start);
  const kept: PersonalDataMatch[] = [];
  for (const match of all) {
    if (kept.every((other) => match.end <= other.start || match.start >= other.end))
      kept.push(match);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Replaces the digits (and check character) for which `mask` is true with `*`. */
function maskDigits(text: string, mask: (index: number, count: number) => boolean): string {
  const count = [...text].filter((char) => /[0-9Xx]/.test(char)).length;
  let index = 0;
  return [...text]
    .map((char) => {
      if (!/[0-9Xx]/.test(char)) return char;
      index += 1;
      return mask(index - 1, count) ? "*" : char;
    })
    .join("");
}

function replacementFor(match: PersonalDataMatch): string {
  switch (match.kind) {
    case "id-number":
      // Region and check character stay; birth date and sequence go.
      return maskDigits(match.text, (i) => i >= 6 && i < 14);
    case "mobile":
      // The middle four of the 11-digit number, whatever prefix comes first.
      return maskDigits(match.text, (i, count) => i >= count - 8 && i < count - 4);
    case "bank-card":
      return maskDigits(match.text, (i, count) => i >= 6 && i < count - 4);
  }
}

/**
 * `text` with every match of {@link findPersonalData} masked: an ID number keeps
 * its first 6 and last 4 characters (`110105********002X`), a mobile number its
 * prefix, first 3 and last 4 digits (`+86 138 **** 5678`), a card number its
 * first 6 and last 4 digits, separators kept. Masking preserves length, so each
 * match's offsets hold in both the original and the masked text.
 */
export function maskPersonalData(text: string): { text: string; masked: MaskedPersonalData[] } {
  const masked = findPersonalData(text).map((match) => ({
    ...match,
    replacement: replacementFor(match),
  }));
  let out = "";
  let cursor = 0;
  for (const match of masked) {
    out += text.slice(cursor, match.start) + match.replacement;
    cursor = match.end;
  }
  return { text: out + text.slice(cursor), masked };
}
