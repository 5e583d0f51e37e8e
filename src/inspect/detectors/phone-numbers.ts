/**
 * Phone number validity as libphonenumber-js (max metadata) decides it, for the two questions the PII
 * detectors ask: is "+<digits>" (or "00<digits>") a valid number, and with which calling code and
 * national number; is a national number valid in a given region. libphonenumber builds a new RegExp
 * from its metadata for every pattern it tries (10-25 µs a number here, most of a scan's time on
 * contact lists); this module walks the same metadata with the same steps, compiling each pattern
 * once. Branches it does not model return `undefined` and the caller asks libphonenumber itself; a
 * test holds both equal on random and real-shaped numbers of every calling code.
 */
import metadataJson from 'libphonenumber-js/metadata.max.json';
import type { CountryCode } from 'libphonenumber-js/max';

/** A numbering plan of the metadata (version 4 layout): calling code, IDD prefix, patterns... */
type Plan = readonly unknown[];

interface Metadata {
  readonly country_calling_codes: Readonly<Record<string, readonly string[] | undefined>>;
  readonly countries: Readonly<Record<string, Plan | undefined>>;
  readonly nonGeographic?: Readonly<Record<string, Plan | undefined>>;
}

const METADATA = metadataJson as unknown as Metadata;

// Positions in a numbering plan (libphonenumber-js metadata v4).
const CALLING_CODE = 0;
const IDD_PREFIX = 1;
const NATIONAL_NUMBER_PATTERN = 2;
const POSSIBLE_LENGTHS = 3;
const NATIONAL_PREFIX = 5;
const NATIONAL_PREFIX_FOR_PARSING = 7;
const NATIONAL_PREFIX_TRANSFORM_RULE = 8;
const LEADING_DIGITS = 10;
const TYPES = 11;

/** Number types in libphonenumber's order of asking: fixed line first, then the others. */
const FIXED_LINE = 0;
const OTHER_TYPES = [1, 3, 2, 9, 8, 4, 7, 6, 5];

const MIN_LENGTH_FOR_NSN = 2;
const MAX_LENGTH_FOR_NSN = 17;
const MAX_LENGTH_COUNTRY_CODE = 3;

/** What libphonenumber's parse and isValid say about a number. */
export interface PhoneVerdict {
  readonly valid: boolean;
  readonly countryCallingCode: string;
  readonly nationalNumber: string;
  /** The country libphonenumber settles on, if any. */
  readonly country: string | undefined;
}

/** A number libphonenumber does not parse at all. */
const UNPARSED: PhoneVerdict = {
  valid: false,
  countryCallingCode: '',
  nationalNumber: '',
  country: undefined,
};

// ---------------------------------------------------------------------------------------------
// Compiled patterns: each metadata pattern is compiled once, in the form libphonenumber uses it.

const entirePatterns = new Map<string, RegExp>();
const prefixPatterns = new Map<string, RegExp>();

/** libphonenumber's matchesEntirely. */
function matchesEntirely(text: string, pattern: string): boolean {
  let compiled = entirePatterns.get(pattern);
  if (compiled === undefined) {
    compiled = new RegExp(`^(?:${pattern})$`);
    entirePatterns.set(pattern, compiled);
  }
  return compiled.test(text);
}

/** `new RegExp('^(?:' + pattern + ')')`, compiled once. */
function prefixPattern(pattern: string): RegExp {
  let compiled = prefixPatterns.get(pattern);
  if (compiled === undefined) {
    compiled = new RegExp(`^(?:${pattern})`);
    prefixPatterns.set(pattern, compiled);
  }
  return compiled;
}

/** Whether `pattern` first matches `text` at its start (`text.search(pattern) === 0`). */
function searchFindsAtStart(text: string, pattern: string): boolean {
  return prefixPattern(pattern).test(text);
}

// ---------------------------------------------------------------------------------------------
// Metadata lookups (Metadata and NumberingPlan in libphonenumber-js)

function stringAt(plan: Plan, index: number): string | undefined {
  const value = plan[index];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function lengthsAt(plan: Plan, index: number): readonly number[] | undefined {
  const value = plan[index];
  return Array.isArray(value) ? (value as number[]) : undefined;
}

/** Countries of a calling code; undefined for unknown and non-geographic codes (getCountryCodesForCallingCode). */
function countriesOf(callingCode: string): readonly string[] | undefined {
  const countries = METADATA.country_calling_codes[callingCode];
  if (countries === undefined) return undefined;
  if (countries.length === 1 && (countries[0] ?? '').length === 3) return undefined;
  return countries;
}

/** Metadata.hasCallingCode. */
function hasCallingCode(callingCode: string): boolean {
  return countriesOf(callingCode) !== undefined || METADATA.nonGeographic?.[callingCode] !== undefined;
}

/** The plan a calling code selects (getNumberingPlanMetadata): its main country, or the non-geographic plan. */
function planOfCallingCode(callingCode: string): Plan | undefined {
  const country = countriesOf(callingCode)?.[0];
  if (country !== undefined) return METADATA.countries[country];
  return METADATA.nonGeographic?.[callingCode];
}

function planOfCountry(country: string): Plan | undefined {
  return METADATA.countries[country];
}

function typesOf(plan: Plan): readonly (readonly unknown[] | undefined)[] | undefined {
  const types = plan[TYPES];
  return Array.isArray(types) && types.length > 0 ? (types as (readonly unknown[] | undefined)[]) : undefined;
}

/** isNumberTypeEqualTo. */
function isOfType(nationalNumber: string, type: number, plan: Plan): boolean {
  const definition: readonly unknown[] | undefined = typesOf(plan)?.[type];
  if (definition === undefined) return false;
  const pattern: unknown = definition[0];
  if (typeof pattern !== 'string' || pattern === '') return false;
  const ownLengths: unknown = definition[1];
  const lengths =
    (Array.isArray(ownLengths) ? (ownLengths as number[]) : undefined) ?? lengthsAt(plan, POSSIBLE_LENGTHS);
  if (lengths !== undefined && !lengths.includes(nationalNumber.length)) return false;
  return matchesEntirely(nationalNumber, pattern);
}

/** Whether getNumberType finds a type (any type) for the number in this plan. */
function hasNumberType(nationalNumber: string, plan: Plan): boolean {
  if (!matchesEntirely(nationalNumber, stringAt(plan, NATIONAL_NUMBER_PATTERN) ?? '')) return false;
  if (isOfType(nationalNumber, FIXED_LINE, plan)) return true;
  for (const type of OTHER_TYPES) if (isOfType(nationalNumber, type, plan)) return true;
  return false;
}

/** isValidNumber for a plan (types when the plan has them, else the national number pattern). */
function validInPlan(nationalNumber: string, plan: Plan): boolean {
  if (typesOf(plan) !== undefined) return hasNumberType(nationalNumber, plan);
  return matchesEntirely(nationalNumber, stringAt(plan, NATIONAL_NUMBER_PATTERN) ?? '');
}

/** getCountryByCallingCode (getCountryByNationalNumber for shared calling codes such as +1). */
function countryByCallingCode(callingCode: string, nationalNumber: string): string | undefined {
  const countries = countriesOf(callingCode);
  if (countries === undefined) return undefined;
  if (countries.length === 1) return countries[0];
  for (const country of countries) {
    const plan = planOfCountry(country);
    if (plan === undefined) continue;
    const leadingDigits = stringAt(plan, LEADING_DIGITS);
    if (leadingDigits !== undefined) {
      if (nationalNumber !== '' && searchFindsAtStart(nationalNumber, leadingDigits)) return country;
    } else if (hasNumberType(nationalNumber, plan)) {
      return country;
    }
  }
  return undefined;
}

/** checkNumberLength without a type: IS_POSSIBLE, TOO_SHORT, TOO_LONG or INVALID_LENGTH. */
function lengthVerdict(nationalNumber: string, plan: Plan): 'possible' | 'short' | 'long' | 'invalid' {
  const lengths = lengthsAt(plan, POSSIBLE_LENGTHS);
  if (lengths === undefined) return 'possible';
  const length = nationalNumber.length;
  const minimum = lengths[0] ?? 0;
  if (minimum === length) return 'possible';
  if (minimum > length) return 'short';
  if ((lengths[lengths.length - 1] ?? 0) < length) return 'long';
  return lengths.indexOf(length, 1) >= 0 ? 'possible' : 'invalid';
}

/** extractNationalNumber: the national number with a national prefix (and carrier code) removed when that is right. */
function extractNationalNumber(number: string, plan: Plan): string {
  const nationalNumber = withoutNationalPrefix(number, plan);
  if (nationalNumber === number) return number;
  // shouldHaveExtractedNationalPrefix
  const pattern = stringAt(plan, NATIONAL_NUMBER_PATTERN) ?? '';
  if (matchesEntirely(number, pattern) && !matchesEntirely(nationalNumber, pattern)) return number;
  if (lengthsAt(plan, POSSIBLE_LENGTHS) !== undefined) {
    const country = countryByCallingCode(stringAt(plan, CALLING_CODE) ?? '', nationalNumber);
    const lengthPlan = country === undefined ? plan : (planOfCountry(country) ?? plan);
    const verdict = lengthVerdict(nationalNumber, lengthPlan);
    if (verdict === 'short' || verdict === 'invalid') return number;
  }
  return nationalNumber;
}

/** extractNationalNumberFromPossiblyIncompleteNumber, national number only. */
function withoutNationalPrefix(number: string, plan: Plan): string {
  const forParsing = stringAt(plan, NATIONAL_PREFIX_FOR_PARSING) ?? stringAt(plan, NATIONAL_PREFIX);
  if (number === '' || forParsing === undefined) return number;
  const pattern = prefixPattern(forParsing);
  const match = pattern.exec(number);
  if (match === null) return number;
  const groups = match.length - 1;
  const hasGroups = groups > 0 && Boolean(match[groups]);
  const transform = stringAt(plan, NATIONAL_PREFIX_TRANSFORM_RULE);
  if (transform !== undefined && hasGroups) return number.replace(pattern, transform);
  return number.slice(match[0].length);
}

/**
 * The verdict for a number with its calling code found (parse from extractNationalNumber on, then
 * isValid), `rest` being the digits after the calling code.
 */
function verdictFor(callingCode: string, rest: string): PhoneVerdict {
  if (rest === '') return UNPARSED;
  const callingPlan = planOfCallingCode(callingCode);
  if (callingPlan === undefined) return UNPARSED;
  const nationalNumber = extractNationalNumber(rest, callingPlan);
  const country = countryByCallingCode(callingCode, nationalNumber);
  return finalVerdict(callingCode, nationalNumber, country);
}

function finalVerdict(
  callingCode: string,
  nationalNumber: string,
  country: string | undefined,
): PhoneVerdict {
  if (nationalNumber.length < MIN_LENGTH_FOR_NSN || nationalNumber.length > MAX_LENGTH_FOR_NSN)
    return UNPARSED;
  const plan = country === undefined ? planOfCallingCode(callingCode) : planOfCountry(country);
  const valid = plan !== undefined && validInPlan(nationalNumber, plan);
  return { valid, countryCallingCode: callingCode, nationalNumber, country };
}

/** extractCountryCallingCode for "+<digits>": the verdict once the calling code is read. */
function internationalVerdict(digits: string): PhoneVerdict {
  if (digits === '' || digits[0] === '0') return UNPARSED;
  for (let length = 1; length <= MAX_LENGTH_COUNTRY_CODE && length <= digits.length; length++) {
    const callingCode = digits.slice(0, length);
    if (hasCallingCode(callingCode)) return verdictFor(callingCode, digits.slice(length));
  }
  return UNPARSED;
}

const ONLY_DIGITS = /^[0-9]+$/;

/**
 * What `parsePhoneNumberFromString(number, 'VN')` then `isValid()` give for `number`, a "+" and
 * digits, or digits starting with "00" (Vietnam's international prefix). Undefined when this module
 * does not model the case ("000…"): ask libphonenumber.
 */
export function internationalPhoneVerdict(number: string): PhoneVerdict | undefined {
  if (number.length > 250) return undefined;
  if (number.startsWith('+')) {
    const digits = number.slice(1);
    if (digits.length < 3 || !ONLY_DIGITS.test(digits)) return undefined;
    return internationalVerdict(digits);
  }
  if (!ONLY_DIGITS.test(number)) return undefined;
  // stripIddPrefix with Vietnam's international prefix; a 0 after it is not stripped (national parsing)
  const prefix = iddPrefixAtStart('VN', number);
  if (prefix === undefined) return undefined;
  const afterPrefix = number.slice(prefix);
  if (afterPrefix === '' || afterPrefix[0] === '0') return undefined;
  return internationalVerdict(afterPrefix);
}

const iddPatterns = new Map<string, RegExp | null>();

/** Length of the region's international (IDD) prefix when `digits` starts with it (its first match is at 0). */
function iddPrefixAtStart(region: string, digits: string): number | undefined {
  let pattern = iddPatterns.get(region);
  if (pattern === undefined) {
    const plan = planOfCountry(region);
    const idd = plan === undefined ? undefined : stringAt(plan, IDD_PREFIX);
    pattern = idd === undefined ? null : new RegExp(idd);
    iddPatterns.set(region, pattern);
  }
  const match = pattern?.exec(digits);
  return match === null || match === undefined || match.index !== 0 ? undefined : match[0].length;
}

/**
 * What `parsePhoneNumberFromString(digits, region)` gives: whether the number parses to `region` and
 * is valid there. Undefined when this module does not model the case (digits starting with the
 * region's international prefix or its calling code): ask libphonenumber.
 */
export function nationalPhoneValid(digits: string, region: CountryCode): boolean | undefined {
  const plan = planOfCountry(region);
  if (plan === undefined || digits.length < 2 || digits.length > 250 || !ONLY_DIGITS.test(digits))
    return undefined;
  const callingCode = stringAt(plan, CALLING_CODE) ?? '';
  if (iddPrefixAtStart(region, digits) !== undefined) return undefined;
  if (callingCode === '' || digits.startsWith(callingCode)) return undefined;
  const nationalNumber = extractNationalNumber(digits, plan);
  const country = countryByCallingCode(callingCode, nationalNumber) ?? region;
  const verdict = finalVerdict(callingCode, nationalNumber, country);
  return verdict.valid && verdict.country === region;
}
