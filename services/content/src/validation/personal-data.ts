/**
 * Finds and masks personal data that must not reach a public item: mainland
 * resident ID numbers (18 and 15 digits), mainland mobile numbers and bank card
 * numbers. It reads the text as a reader sees it (`text-view.ts`: NFKC,
 * invisible characters gone, and for HTML the markup flattened), and reports and
 * masks every match where it was written in the original.
 */
import {
  isBankCard,
  isMobileNumber,
  isOldResidentIdNumber,
  isResidentIdNumber,
} from "./personal-data-rules";
import { type TextView, textView } from "./text-view";

/** The kinds of personal data recognised. */
export type PersonalDataKind = "id-number" | "mobile" | "bank-card";

/** One occurrence of personal data; `start`/`end` are UTF-16 offsets into the original text (end exclusive). */
export interface PersonalDataMatch {
  kind: PersonalDataKind;
  start: number;
  end: number;
  /** The matched text as written, separators, prefixes and inline markup included. */
  text: string;
}

/** A match and what replaced it in the masked text. */
export type MaskedPersonalData = PersonalDataMatch & { replacement: string };

/** Whether the text is HTML (an item body): its markup is flattened before matching. */
export interface ScanOptions {
  html?: boolean;
}

// Where matches overlap, the more specific kind wins.
const PRIORITY: Record<PersonalDataKind, number> = { "id-number": 0, "bank-card": 1, mobile: 2 };

/**
 * A run of digit groups in the view: groups of digits with up to three
 * separators (space, hyphen, dot) between them, the last group possibly ending
 * in the ID check character X.
 */
const RUN = /[0-9]+(?:[ .-]{1,3}[0-9]+)*(?:[Xx](?![0-9A-Za-z]))?/g;
const GROUP = /[0-9]+[Xx]?/g;
const LATIN_LETTER = /[A-Za-z]/;
/** No number recognised here is longer: 19 digits is the longest card number. */
const MAX_DIGITS = 19;

interface Group {
  start: number;
  end: number;
  digits: string;
}

/** A candidate in the view: view offsets and the digits it is made of. */
interface Found {
  kind: PersonalDataKind;
  start: number;
  end: number;
  digits: string;
}

/**
 * What a candidate is. `lettersAround`: Latin letters touch it, which makes an
 * ID or card number part of a longer code (a unified social credit code, a
 * reference), while a mobile stays a mobile after "Tel". `partOfRun`: it is
 * several groups of a longer run, where only an 18-character ID number, with its
 * region, birth date and check character, is specific enough to be believed; a
 * Luhn check passes one run of digits in ten, and 1[3-9] starts many figures.
 */
function kindOf(
  digits: string,
  lettersAround: boolean,
  partOfRun: boolean,
): PersonalDataKind | undefined {
  if (partOfRun) {
    return !lettersAround && digits.length === 18 && isResidentIdNumber(digits)
      ? "id-number"
      : undefined;
  }
  if (!lettersAround) {
    if (digits.length === 18 && isResidentIdNumber(digits)) return "id-number";
    if (digits.length === 15 && isOldResidentIdNumber(digits)) return "id-number";
    if (isBankCard(digits)) return "bank-card";
  }
  return isMobileNumber(digits) ? "mobile" : undefined;
}

/**
 * Every candidate made of whole groups of one run: a number written in groups,
 * regular or not, is the concatenation of neighbouring groups, and never starts
 * or ends inside a group (so a longer unbroken run of digits is never read as a
 * shorter number). A candidate is the whole run, one group of it, or an ID number.
 */
function candidatesInRun(view: TextView, runStart: number, run: string, found: Found[]): void {
  const groups: Group[] = [];
  for (const match of run.matchAll(GROUP)) {
    const start = runStart + match.index;
    groups.push({ start, end: start + match[0].length, digits: match[0] });
  }
  const runEnd = runStart + run.length;
  const letterBefore = LATIN_LETTER.test(view.text.charAt(runStart - 1));
  const letterAfter = LATIN_LETTER.test(view.text.charAt(runEnd));
  for (let a = 0; a < groups.length; a += 1) {
    let digits = "";
    for (let b = a; b < groups.length; b += 1) {
      digits += groups[b]!.digits;
      if (digits.length > MAX_DIGITS) break;
      const lettersAround = (a === 0 && letterBefore) || (b === groups.length - 1 && letterAfter);
      const partOfRun = a !== b && (a > 0 || b < groups.length - 1);
      const kind = kindOf(digits, lettersAround, partOfRun);
      if (kind) found.push({ kind, start: groups[a]!.start, end: groups[b]!.end, digits });
    }
  }
}

/**
 * The candidates to keep: by priority, then the longer, then the earlier, each
 * kept unless it overlaps one already kept. Marks taken view units in a bitmap,
 * so a text with many candidates costs their total length, not their count squared.
 */
function chooseNonOverlapping(found: Found[], viewLength: number): Found[] {
  found.sort(
    (x, y) =>
      PRIORITY[x.kind] - PRIORITY[y.kind] || y.digits.length - x.digits.length || x.start - y.start,
  );
  const taken = new Uint8Array(viewLength + 1);
  const kept: Found[] = [];
  for (const match of found) {
    let free = true;
    for (let i = match.start; i < match.end && free; i += 1) free = taken[i] === 0;
    if (!free) continue;
    taken.fill(1, match.start, match.end);
    kept.push(match);
  }
  return kept.sort((x, y) => x.start - y.start);
}

/** A match in original offsets, with the original range of each digit the mask replaces. */
interface Located extends PersonalDataMatch {
  maskedDigits: Array<[number, number]>;
}

/** Which digits of a match are masked, by their position among its `count` digits. */
function isMaskedDigit(kind: PersonalDataKind, index: number, count: number): boolean {
  switch (kind) {
    case "id-number":
      // Region and sequence/check stay; the birth date goes (8 digits, or 6 in the old form).
      return count === 15 ? index >= 6 && index < 12 : index >= 6 && index < 14;
    case "mobile":
      // The middle four of the 11-digit number, whatever prefix comes first.
      return index >= count - 8 && index < count - 4;
    case "bank-card":
      return index >= 6 && index < count - 4;
  }
}

/** The matches in one view of `text`, whose offsets start at `base`. */
function scanView(text: string, view: TextView, base: number): Located[] {
  const found: Found[] = [];
  for (const run of view.text.matchAll(RUN)) {
    // Shorter runs hold no number recognised here.
    if (run[0].length >= 11) candidatesInRun(view, run.index, run[0], found);
  }
  for (const match of found) {
    // A "+" before a country code belongs to the number as written.
    if (
      match.kind === "mobile" &&
      match.digits.startsWith("86") &&
      view.text[match.start - 1] === "+"
    ) {
      match.start -= 1;
    }
  }
  return chooseNonOverlapping(found, view.text.length).map((match) => {
    const start = base + view.starts[match.start]!;
    const end = base + view.ends[match.end - 1]!;
    const maskedDigits: Array<[number, number]> = [];
    let index = 0;
    for (let i = match.start; i < match.end; i += 1) {
      if (!/[0-9Xx]/.test(view.text[i]!)) continue;
      if (isMaskedDigit(match.kind, index, match.digits.length)) {
        maskedDigits.push([base + view.starts[i]!, base + view.ends[i]!]);
      }
      index += 1;
    }
    return { kind: match.kind, start, end, text: text.slice(start, end), maskedDigits };
  });
}

/** Start tags with attributes, whose values (a title, an alt text, a tel: link) a reader also meets. */
const TAG_WITH_ATTRIBUTES = /<[A-Za-z][A-Za-z0-9-]*\s[^>]*>/g;

function scan(text: string, options: ScanOptions): Located[] {
  const found = scanView(text, textView(text, options), 0);
  if (!options.html) return found;
  // The flattened view leaves tags out, so each tag's attributes are read on their own.
  for (const tag of text.matchAll(TAG_WITH_ATTRIBUTES)) {
    if (!/[0-9\uFF10-\uFF19&]/.test(tag[0])) continue;
    const inside = tag[0].slice(1, -1);
    found.push(...scanView(text, textView(inside, { html: true }), tag.index + 1));
  }
  return found.sort((x, y) => x.start - y.start);
}

/**
 * Every ID number, mobile number and bank card number in `text`, sorted by
 * position and never overlapping (an ID number is never also a card number).
 *
 * - ID number: 18 characters with a known province code, a real birth date from
 *   1900 to today, and a correct ISO 7064 MOD 11-2 check character; or 15 digits
 *   with a known province code and a real birth date (YYMMDD) in the 1900s.
 * - Mobile: 1[3-9] and 9 more digits, optionally after +86/86/0086.
 * - Bank card: 16-19 digits passing the Luhn check and starting with a UnionPay,
 *   Visa, Mastercard, JCB, Discover or Diners prefix.
 *
 * Each may be written in groups of any size, separated by spaces, hyphens or
 * dots (of any width), with invisible characters or inline markup anywhere in
 * it; none may be part of a longer unbroken run of digits (or, for ID and card
 * numbers, have Latin letters on either side). In HTML, attribute values (a
 * title, an alt text, a `tel:` link) are read too.
 */
export function findPersonalData(text: string, options: ScanOptions = {}): PersonalDataMatch[] {
  return scan(text, options).map(({ kind, start, end, text: written }) => ({
    kind,
    start,
    end,
    text: written,
  }));
}

/**
 * `text` with every match of {@link findPersonalData} masked, each digit (or
 * check character) replaced by one `*` where it was written, whatever its width
 * or form (`&#49;` included): an ID number keeps its first 6 and last 4
 * characters (`110105********002X`), a mobile number its prefix, first 3 and last
 * 4 digits (`+86 138 **** 5678`), a card number its first 6 and last 4 digits.
 * Separators and markup stay as they were. Offsets are those of the original.
 */
export function maskPersonalData(
  text: string,
  options: ScanOptions = {},
): { text: string; masked: MaskedPersonalData[] } {
  const found = scan(text, options);
  /** `text` from `from` to `to` with the digits in `digits` (sorted, inside) replaced. */
  const splice = (from: number, to: number, digits: ReadonlyArray<[number, number]>): string => {
    const parts: string[] = [];
    let cursor = from;
    for (const [start, end] of digits) {
      parts.push(text.slice(cursor, start), "*");
      cursor = end;
    }
    parts.push(text.slice(cursor, to));
    return parts.join("");
  };
  const masked = found.map(({ kind, start, end, text: written, maskedDigits }) => ({
    kind,
    start,
    end,
    text: written,
    replacement: splice(start, end, maskedDigits),
  }));
  const all = found.flatMap((match) => match.maskedDigits).sort((x, y) => x[0] - y[0]);
  return { text: splice(0, text.length, all), masked };
}
