/**
 * What makes a run of digits personal data: the structure of mainland resident
 * ID numbers (18 characters with a check character, and the old 15-digit form),
 * mobile numbers and bank card numbers. Pure predicates over digit strings;
 * `personal-data.ts` finds the candidates in a text.
 */

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

/** Today's date in China (UTC+8) as YYYYMMDD, the latest plausible birth date. */
function todayInChina(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll("-", "");
}

function isBirthDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  // Most candidates fail here, before a Date is made for them.
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
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

export function isResidentIdNumber(candidate: string): boolean {
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

export function isBankCard(digits: string): boolean {
  if (!/^[0-9]{16,19}$/.test(digits)) return false;
  // An ID-shaped number with a wrong check character is a typo or a serial, not a card.
  if (digits.length === 18 && hasIdShape(digits)) return false;
  return hasIssuerPrefix(digits) && passesLuhn(digits);
}

/**
 * An ID number of the first generation (1984-1999): six digits of region, the
 * birth date as YYMMDD in the 1900s, and a three-digit sequence, with no check
 * digit, so the region and the date are all there is to check.
 */
export function isOldResidentIdNumber(digits: string): boolean {
  return (
    /^[0-9]{15}$/.test(digits) &&
    PROVINCES.has(digits.slice(0, 2)) &&
    isBirthDate(`19${digits.slice(6, 12)}`)
  );
}

const MOBILE = /^(?:0086|86)?1[3-9][0-9]{9}$/;

/** A mainland mobile number: 1[3-9] and 9 more digits, optionally after 86 or 0086. */
export function isMobileNumber(digits: string): boolean {
  return MOBILE.test(digits);
}
