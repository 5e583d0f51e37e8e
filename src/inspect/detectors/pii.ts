/**
 * Global PII detectors: e-mail addresses, phone numbers, payment cards, IBANs, IP addresses, dates of
 * birth, US Social Security numbers, passport numbers, English person names and street addresses of
 * the US, the UK and continental Europe (`european-addresses.ts`; Vietnamese addresses are
 * `vietnam.ts`'s). Precision first: a
 * value is reported when its structure checks out (Luhn, mod 97, numbering plans, calendar) or a
 * label says what it is; labels such as "order id" near a look-alike lower the confidence.
 *
 * Safe on hostile input: every pattern is linear (bounded repetitions, no nested quantifiers), the
 * digit-shaped detectors share one pass over the text (`digit-runs.ts`), library validators only see
 * short candidates, and every loop checks the scan deadline.
 */
import { isIPv6 } from 'node:net';
import { countrySpecs, isValidIBAN } from 'ibantools';
import { findPhoneNumbersInText, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { AsciiWords } from './ascii-words.js';
import {
  NAME_LETTER_CLASS,
  NAME_UPPER_CLASS,
  isNameLower,
  isNameUpper,
  nameFold,
  nameWordHash,
} from './name-letters.js';
import { internationalPhoneVerdict, nationalPhoneValid } from './phone-numbers.js';
import type { PhoneVerdict } from './phone-numbers.js';
import type { Detector, ScanBudget } from '../types.js';
import {
  cardScheme,
  isRepeatedDigit,
  luhnValid,
  plausibleBirthDate,
  ssnValid,
  vietnamesePhoneKind,
} from './checks.js';
import {
  contextBefore,
  contextual,
  currentYear,
  foldRange,
  foldedWordHash,
  isWordCode,
  labelEndsAt,
  kindMask,
  labelMayEndBetween,
  labelMayEndNear,
  nfcView,
  today,
  WordHashes,
} from './context.js';
import type { ContextKind } from './context.js';
import {
  HAS_AT,
  HAS_CAPITAL_DIGIT,
  HAS_COLON,
  HAS_COMBINING,
  HAS_DOT,
  HAS_LETTER_NON_ASCII,
  HAS_LOWER_ASCII,
  HAS_SPACE,
  HAS_UPPER_ASCII,
  detector,
  gate,
  groupLengthBit,
} from './text-profile.js';
import type { Emit, TextProfile } from './text-profile.js';
import {
  AMBIGUOUS_FIRST_NAMES,
  FIRST_NAMES,
  LAST_NAMES,
  NOT_SURNAMES,
  TITLES,
} from './data/english-names.js';
import {
  ATTACHED_AFTER,
  ATTACHED_BEFORE,
  PLUS_BEFORE,
  digitRuns,
  digitsOf,
  groupLength,
  hasUniformGaps,
  isDigit,
  isStandalone,
  outOfTime,
} from './digit-runs.js';
import type { DigitRuns } from './digit-runs.js';
import { VN_SURNAMES } from './data/vn-names.js';
import { europeanAddressAt } from './european-addresses.js';

/**
 * The global PII detectors, one per finding type.
 *
 * @example
 * const findings = piiDetectors().flatMap((detector) => detector.detect(text, { deadline: performance.now() + 50 }));
 */
export function piiDetectors(): Detector[] {
  return [
    // "a@b.cd": an '@', a dot and a letter top-level domain
    detector(
      'pii.email',
      ['email'],
      gate({ minLength: 6, all: HAS_AT | HAS_DOT, any: ASCII_LETTER }),
      detectEmails,
    ),
    detector('pii.phone', ['phone'], gate({ minLength: 8, minTokenDigits: 8 }), detectPhones),
    detector('pii.payment_card', ['payment_card'], gate({ minLength: 13, minTokenDigits: 13 }), detectCards),
    // two capitals (the country) right before digits, 15 characters or more (Norway's length)
    detector(
      'pii.iban',
      ['iban'],
      gate({ minLength: MIN_IBAN_LENGTH, all: HAS_CAPITAL_DIGIT, minTokenDigits: 2, minAsciiCapitals: 2 }),
      detectIbans,
    ),
    // a dotted quad (4 digits or more) or an IPv6 colon; detectIpAddresses looks at each
    detector(
      'pii.ip_address',
      ['ip_address'],
      gate({ minLength: 2, any: HAS_DOT | HAS_COLON }),
      detectIpAddresses,
    ),
    // a date has 4 digits or more, and a label (letters) says it is a birth date
    detector(
      'pii.date_of_birth',
      ['date_of_birth'],
      gate({ minLength: 4, minTokenDigits: 4, any: ANY_LETTER }),
      detectBirthDates,
    ),
    detector('pii.us_ssn', ['us_ssn'], gate({ minLength: 9, minTokenDigits: 9 }), detectSsns),
    // 6 to 9 digits in one run, after a label
    detector(
      'pii.passport',
      ['passport'],
      gate({
        minLength: MIN_PASSPORT_LENGTH,
        groupLengths: (groupLengthBit(MAX_PASSPORT_LENGTH + 1) - 1) & ~1,
        any: ANY_LETTER,
      }),
      detectPassports,
    ),
    // two capitalized words one space apart
    detector(
      'pii.person_name',
      ['person_name'],
      gate({ minLength: 3, all: HAS_SPACE, minCapitals: 2 }),
      detectEnglishNames,
    ),
    // "1 Main St, City, NV 89012": a 5-digit ZIP, a state, capitalized city and street; a UK
    // postcode after them ("221B Baker Street, London NW1 6XE"); or a European postcode of 4 or 5
    // digits and a town after a street ("Hauptstraße 5, 10115 Berlin", "12 rue de la Paix, 75002 Paris")
    detector(
      'pii.address',
      ['address'],
      gate({
        minLength: 15,
        all: HAS_SPACE,
        groupLengths: groupLengthBit(5) | groupLengthBit(4) | groupLengthBit(3) | groupLengthBit(1),
        minCapitals: 1,
      }),
      detectStreetAddresses,
    ),
  ];
}

/** Some ASCII letter. */
const ASCII_LETTER = HAS_LOWER_ASCII | HAS_UPPER_ASCII;
/** Some letter: context labels need one (every label folds to ASCII letters). */
const ANY_LETTER = ASCII_LETTER | HAS_LETTER_NON_ASCII;
/** The shortest IBAN (Norway). */
const MIN_IBAN_LENGTH = Math.min(
  ...Object.values(countrySpecs).map((spec) => spec.chars ?? Number.POSITIVE_INFINITY),
);

// ---------------------------------------------------------------------------------------------
// E-mail

const DOT = 0x2e;
const HYPHEN = 0x2d;

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** RFC 5322 atext without the rarely used symbols, plus dots. */
function isLocalPartCode(code: number): boolean {
  return (
    isAsciiAlphanumeric(code) ||
    code === DOT ||
    code === 0x5f ||
    code === 0x25 ||
    code === 0x2b ||
    code === HYPHEN
  );
}

function isDomainCode(code: number): boolean {
  return isAsciiAlphanumeric(code) || code === DOT || code === HYPHEN;
}

/** Top-level "domains" that are file extensions: "icon@2x.png" is an asset name, not an address. */
const FILE_EXTENSIONS = new AsciiWords(
  'png jpg jpeg gif svg webp ico bmp js mjs cjs ts tsx jsx css scss json yaml yml xml zip gz tar md txt pdf py rb go rs java kt swift'
    .split(' ')
    .map((extension) => [extension, true] as const),
);

function detectEmails(text: string, budget: ScanBudget, emit: Emit): void {
  let iteration = 0;
  for (let at = text.indexOf('@'); at !== -1;) {
    if (outOfTime(++iteration, budget)) return;
    const end = emailEnd(text, at);
    const start = end === undefined ? undefined : localPartStart(text, at);
    if (end !== undefined && start !== undefined) {
      const asset = FILE_EXTENSIONS.has(text, text.lastIndexOf('.', end - 1) + 1, end);
      emit(start, end, asset ? 0.3 : 0.95);
      at = text.indexOf('@', end);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
}

function localPartStart(text: string, at: number): number | undefined {
  let start = at;
  while (start > 0 && at - start < 64 && isLocalPartCode(text.charCodeAt(start - 1))) start--;
  if (start > 0 && isLocalPartCode(text.charCodeAt(start - 1))) return undefined; // longer than 64
  while (start < at && text.charCodeAt(start) === DOT) start++;
  if (start === at || text.charCodeAt(at - 1) === DOT) return undefined;
  // "https://user:password@host": credentials in a URL, the secret detectors' business
  if (start > 0 && inUrlUserinfo(text, start)) return undefined;
  return start;
}

/**
 * Whether `start` lies in the `user:password` part of a URL: after `scheme://`, with a colon
 * between, and only characters a userinfo may hold ("Pa55w0rd!2024@host" is a password, not an
 * e-mail address). An "@" is let through, as user names that are addresses are written unencoded
 * ("smtp://noreply@company.com:Sup3rS3cret@smtp.example.com").
 */
function inUrlUserinfo(text: string, start: number): boolean {
  let colon = false;
  for (let index = start; index > 0 && start - index < MAX_USERINFO; index--) {
    const code = text.charCodeAt(index - 1);
    // "/" ends the "://" before the userinfo
    if (code === 0x2f) return colon && index >= 3 && text.startsWith('://', index - 3);
    if (code === 0x3a) colon = true;
    else if (code <= 0x20 || USERINFO_STOPS.includes(String.fromCharCode(code))) return false;
  }
  return false;
}

/** Characters a URL's userinfo does not hold unencoded (besides "/" and whitespace; "@" aside, above). */
const USERINFO_STOPS = '?#"\'<>[]{}';
/** Longest `user:password` looked back over. */
const MAX_USERINFO = 512;

/** End of the domain after `@` when it is a valid host name with a letter TLD, else undefined. */
function emailEnd(text: string, at: number): number | undefined {
  let end = at + 1;
  while (end < text.length && end - at <= 254 && isDomainCode(text.charCodeAt(end))) end++;
  while (end > at + 1 && (text.charCodeAt(end - 1) === DOT || text.charCodeAt(end - 1) === HYPHEN)) end--;
  if (end - at - 1 > 253) return undefined;
  // the labels between the dots, read in place
  let labels = 0;
  let labelStart = at + 1;
  let topLevel = labelStart;
  for (let position = at + 1; position <= end; position++) {
    if (position < end && text.charCodeAt(position) !== DOT) continue;
    const length = position - labelStart;
    if (length === 0 || length > 63) return undefined;
    if (text.charCodeAt(labelStart) === HYPHEN || text.charCodeAt(position - 1) === HYPHEN) return undefined;
    labels++;
    topLevel = labelStart;
    labelStart = position + 1;
  }
  if (labels < 2) return undefined;
  // /^(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})$/ (a label holds letters, digits and hyphens only)
  const length = end - topLevel;
  if (length >= 4 && text.startsWith('xn--', topLevel)) return length >= 5 ? end : undefined;
  if (length < 2 || length > 24) return undefined;
  for (let position = topLevel; position < end; position++) {
    const code = text.charCodeAt(position) | 0x20;
    if (code < 0x61 || code > 0x7a) return undefined;
  }
  return end;
}

// ---------------------------------------------------------------------------------------------
// Phone numbers (Vietnamese numbers are `vietnam.ts`'s; this one covers +CC and US formats)

/**
 * How far (in characters) a label that a value needs may end before it: "Tel: ", `"dob": "`,
 * "Số hộ chiếu: ". Further labels usually belong to another value of the same line.
 */
const NEAR_LABEL = 16;

/** Regions tried for a national number that a label announces as a phone ("Tel: 020 7946 0958"). */
const LABELLED_REGIONS: readonly CountryCode[] = [
  'US',
  'GB',
  'SG',
  'AU',
  'JP',
  'KR',
  'CN',
  'TH',
  'FR',
  'DE',
  'ES',
  'IT',
  'NL',
  'PT',
  'BE',
  'CH',
  'AT',
  'PL',
  'IE',
  'BR',
];
const PHONE_KINDS: readonly ContextKind[] = ['phone'];
const PHONE_MASK = kindMask(PHONE_KINDS);

function detectPhones(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) return;
    if ((runs.tokenDigits[token] ?? 0) < 8) continue;
    const flags = runs.tokenFlags[token] ?? 0;
    if ((flags & ATTACHED_BEFORE) !== 0) continue;
    const first = runs.tokenFirst[token] ?? 0;
    const last = runs.tokenLast[token] ?? 0;
    if ((flags & PLUS_BEFORE) !== 0) {
      internationalPhones(runs, token, (runs.groupStart[first] ?? 0) - 1, emit);
    } else if (text.startsWith('00', runs.groupStart[first]) && groupLength(runs, first) <= 5) {
      internationalPhones(runs, token, runs.groupStart[first] ?? 0, emit);
    } else {
      nationalPhones(runs, token, first, last, emit);
    }
  }
}

/**
 * Numbers written with a country code, checked by libphonenumber on the token only (never the whole
 * text): one parse when the token can hold only one number, a search of the token when it is longer.
 */
function internationalPhones(runs: DigitRuns, token: number, start: number, emit: Emit): void {
  const first = runs.tokenFirst[token] ?? 0;
  const tokenLast = runs.tokenLast[token] ?? 0;
  let last = first;
  let digits = groupLength(runs, first);
  while (last < tokenLast && digits + groupLength(runs, last + 1) <= 20) {
    last++;
    digits += groupLength(runs, last);
  }
  if (digits < 8) return;
  const end = runs.groupEnd[last] ?? start;
  // a number glued to a word after it ("+14155552671abc") is not one
  const limit = last === tokenLast && ((runs.tokenFlags[token] ?? 0) & ATTACHED_AFTER) !== 0 ? end - 1 : end;
  try {
    if (digits <= 15) {
      const international = runs.text.charCodeAt(start) === 0x2b ? '+' : '';
      const number = digitsOf(runs, first, last);
      // +84 and 0084 numbers that vn.phone reports: libphonenumber would read them as Vietnamese
      // (calling code 84) and they would be dropped below, so it is not asked
      if ((number.startsWith('84') || number.startsWith('0084')) && vietnamesePhoneKind(number) !== undefined)
        return;
      const verdict = phoneVerdict(international + number);
      if (
        verdict.valid &&
        end <= limit &&
        !isVietnamese(verdict.countryCallingCode, verdict.nationalNumber)
      ) {
        emit(start, end, contextual(0.85, contextBefore(runs.text, start), PHONE_KINDS, 0.95, 0.4));
      }
      return; // one number, valid or not
    }
    for (const match of findPhoneNumbersInText(runs.text.slice(start, end), { defaultCountry: 'VN' })) {
      const matchStart = start + match.startsAt;
      const matchEnd = start + match.endsAt;
      if (matchEnd > limit || isVietnamese(match.number.countryCallingCode, match.number.nationalNumber))
        continue;
      emit(
        matchStart,
        matchEnd,
        contextual(0.85, contextBefore(runs.text, matchStart), PHONE_KINDS, 0.95, 0.4),
      );
    }
  } catch {
    // libphonenumber refused the candidate: nothing to report
  }
}

/**
 * libphonenumber's verdict on "+<digits>" or "00<digits>" (default country Vietnam): from
 * `phone-numbers.ts`, which walks the same metadata without rebuilding its patterns, or from the
 * library itself for the cases that module leaves to it.
 */
function phoneVerdict(number: string): PhoneVerdict {
  const verdict = internationalPhoneVerdict(number);
  if (verdict !== undefined) return verdict;
  const parsed = parsePhoneNumberFromString(number, 'VN');
  return {
    valid: parsed?.isValid() === true,
    countryCallingCode: parsed?.countryCallingCode ?? '',
    nationalNumber: parsed?.nationalNumber ?? '',
    country: parsed?.country,
  };
}

/** Vietnamese numbers are reported by vn.phone. */
function isVietnamese(countryCallingCode: string, nationalNumber: string): boolean {
  return countryCallingCode === '84' && vietnamesePhoneKind('84' + nationalNumber) !== undefined;
}

/** US numbers in their usual shapes, and other national numbers when a label says "phone". */
function nationalPhones(runs: DigitRuns, token: number, first: number, last: number, emit: Emit): void {
  const text = runs.text;
  let found = false;
  for (let group = first; group <= last; group++) {
    // (415) 555-2671, 415-555-2671, 415.555.2671, 1-800-555-0199
    const leadingOne = groupLength(runs, group) === 1 && text[runs.groupStart[group] ?? 0] === '1';
    const area = leadingOne ? group + 1 : group;
    if (area + 2 <= last) {
      if (
        groupLength(runs, area) === 3 &&
        groupLength(runs, area + 1) === 3 &&
        groupLength(runs, area + 2) === 4 &&
        isStandalone(runs, token, group, area + 2) &&
        nanpShape(runs, group, area)
      ) {
        const digits = digitsOf(runs, area, area + 2);
        if (vietnamesePhoneKind(digits) === undefined && nationalNumberValid(digits, 'US')) {
          const start =
            text.charCodeAt((runs.groupStart[group] ?? 0) - 1) === 0x28
              ? (runs.groupStart[group] ?? 0) - 1
              : (runs.groupStart[group] ?? 0);
          const hits = contextBefore(text, start);
          emit(start, runs.groupEnd[area + 2] ?? 0, contextual(0.6, hits, PHONE_KINDS, 0.85, 0.3));
          found = true;
          group = area + 2;
          continue;
        }
      }
    }
  }
  // Any other national number, only when labelled as a phone.
  if (found) return;
  const digitCount = runs.tokenDigits[token] ?? 0;
  if (digitCount < 8 || digitCount > 13 || last - first > 5 || !isStandalone(runs, token, first, last))
    return;
  const start = runs.groupStart[first] ?? 0;
  if (!labelMayEndNear(text, start, NEAR_LABEL, PHONE_MASK)) return;
  const digits = digitsOf(runs, first, last);
  if (vietnamesePhoneKind(digits) !== undefined) return;
  const hits = contextBefore(text, start);
  if (hits.empty || hits.distance('phone') > NEAR_LABEL || hits.verdict(PHONE_KINDS) !== 'positive') return;
  for (const region of LABELLED_REGIONS) {
    if (nationalNumberValid(digits, region)) {
      emit(start, runs.groupEnd[last] ?? 0, 0.75);
      return;
    }
  }
}

/** The separators of a NANP number: "(415) 555-2671" or the same one between all groups. */
function nanpShape(runs: DigitRuns, group: number, area: number): boolean {
  const text = runs.text;
  const areaStart = runs.groupStart[area] ?? 0;
  if (text.charCodeAt(areaStart - 1) === 0x28) {
    const close = runs.groupEnd[area] ?? 0;
    return text.charCodeAt(close) === 0x29 && hasUniformGaps(runs, area + 1, area + 2, ' -.');
  }
  return hasUniformGaps(runs, group, area + 2, ' -.');
}

function nationalNumberValid(digits: string, region: CountryCode): boolean {
  const valid = nationalPhoneValid(digits, region);
  if (valid !== undefined) return valid;
  try {
    const parsed = parsePhoneNumberFromString(digits, region);
    return parsed !== undefined && parsed.country === region && parsed.isValid();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Payment cards

const CARD_KINDS: readonly ContextKind[] = ['card'];

function detectCards(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) return;
    if ((runs.tokenDigits[token] ?? 0) < 13) continue;
    const first = runs.tokenFirst[token] ?? 0;
    const last = runs.tokenLast[token] ?? 0;
    for (let start = first; start <= last; start++) {
      const end = cardWindowEnd(runs, token, start, last);
      if (end === undefined) continue;
      const digits = digitsOf(runs, start, end);
      if (!luhnValid(digits) || isRepeatedDigit(digits)) continue;
      const scheme = cardScheme(digits);
      const hits = contextBefore(text, runs.groupStart[start] ?? 0);
      const base = scheme === undefined ? 0.3 : scheme === 'napas' ? 0.85 : 0.9;
      const confidence = contextual(base, hits, CARD_KINDS, Math.min(0.98, base + 0.45));
      emit(runs.groupStart[start] ?? 0, runs.groupEnd[end] ?? 0, confidence);
      start = end;
    }
  }
}

/**
 * The last group of a card number starting at group `start`: one run of 13-19 digits, or groups of
 * 4-6 digits joined by the same space or dash (4-4-4-4, 4-6-5, 4-4-4-4-3).
 */
function cardWindowEnd(runs: DigitRuns, token: number, start: number, last: number): number | undefined {
  const firstLength = groupLength(runs, start);
  if (firstLength >= 13) {
    return firstLength <= 19 && isStandalone(runs, token, start, start) ? start : undefined;
  }
  if (firstLength < 4 || firstLength > 6) return undefined;
  let digits = firstLength;
  for (let end = start + 1; end <= last && end - start < 6; end++) {
    const length = groupLength(runs, end);
    digits += length;
    if (digits > 19) return undefined;
    if (!hasUniformGaps(runs, start, end, ' -\u00a0')) return undefined;
    if (digits >= 13 && isStandalone(runs, token, start, end)) return end;
    if (length < 4 || length > 6) return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// IBAN

function detectIbans(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  let after = 0;
  for (let group = 0; group < runs.groups; group++) {
    if (outOfTime(group + 1, budget)) return;
    const digitsStart = runs.groupStart[group] ?? 0;
    const start = digitsStart - 2;
    if (start < after || !isUpperAscii(text.charCodeAt(start)) || !isUpperAscii(text.charCodeAt(start + 1)))
      continue;
    if (start > 0 && isWordCode(text.charCodeAt(start - 1))) continue;
    if (groupLength(runs, group) < 2) continue;
    const length =
      IBAN_LENGTHS[(text.charCodeAt(start) - 0x41) * 26 + text.charCodeAt(start + 1) - 0x41] ?? 0;
    if (length === 0) continue;
    const end = ibanEnd(text, start, length);
    if (end === undefined) continue;
    if (isValidIBAN(text.slice(start, end).replace(/ /g, ''))) {
      emit(start, end, 0.95);
      after = end;
    }
  }
}

/** IBAN length by country code (first letter * 26 + second), 0 for a country without IBANs. */
const IBAN_LENGTHS = buildIbanLengths();

function buildIbanLengths(): Uint8Array {
  const lengths = new Uint8Array(26 * 26);
  for (const [country, spec] of Object.entries(countrySpecs)) {
    if (!/^[A-Z]{2}$/.test(country) || spec.chars === undefined) continue;
    lengths[(country.charCodeAt(0) - 0x41) * 26 + country.charCodeAt(1) - 0x41] = spec.chars;
  }
  return lengths;
}

function isUpperAscii(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

/** End of `length` IBAN characters from `start`, allowing single spaces between them; undefined if cut short. */
function ibanEnd(text: string, start: number, length: number): number | undefined {
  let count = 0;
  let position = start;
  while (count < length && position < text.length) {
    const code = text.charCodeAt(position);
    if (isUpperAscii(code) || isDigit(code)) {
      count++;
      position++;
    } else if (
      code === 0x20 &&
      count > 0 &&
      position + 1 < text.length &&
      isAsciiAlphanumeric(text.charCodeAt(position + 1))
    ) {
      position++;
    } else {
      break;
    }
  }
  if (count !== length) return undefined;
  if (position < text.length && isWordCode(text.charCodeAt(position))) return undefined;
  return position;
}

// ---------------------------------------------------------------------------------------------
// IP addresses

const IP_KINDS: readonly ContextKind[] = ['ip'];

function detectIpAddresses(text: string, budget: ScanBudget, emit: Emit, profile: TextProfile): void {
  // a dotted quad is one token of four groups
  if (profile.maxTokenGroups >= 4 && (profile.flags & HAS_DOT) !== 0) detectIpv4(text, budget, emit);
  if ((profile.flags & HAS_COLON) !== 0) detectIpv6(text, budget, emit);
}

function detectIpv4(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) return;
    if ((runs.tokenDigits[token] ?? 0) < 4) continue;
    const first = runs.tokenFirst[token] ?? 0;
    const last = runs.tokenLast[token] ?? 0;
    for (let start = first; start + 3 <= last; start++) {
      const end = start + 3;
      if (!hasUniformGaps(runs, start, end, '.')) continue;
      if (start > first && text.charCodeAt((runs.groupStart[start] ?? 0) - 1) === DOT) continue; // 1.2.3.4.5
      if (end < last && text.charCodeAt(runs.groupEnd[end] ?? 0) === DOT) continue;
      // glued to a word before ("v1.2.3.4"), but not to the field before it in a CSV row ("web01,10.0.0.12")
      if (
        start === first &&
        ((runs.tokenFlags[token] ?? 0) & ATTACHED_BEFORE) !== 0 &&
        !isFieldSeparator(text.charCodeAt((runs.groupStart[start] ?? 0) - 1))
      ) {
        continue;
      }
      // the IPv4 tail of an IPv6 address ("::ffff:192.0.2.1") is reported with it
      const before = (runs.groupStart[start] ?? 0) - 1;
      if (
        text.charCodeAt(before) === COLON &&
        (isHexCode(text.charCodeAt(before - 1)) || text.charCodeAt(before - 1) === COLON)
      ) {
        continue;
      }
      const after = text.charCodeAt(runs.groupEnd[end] ?? 0);
      if (end === last && !Number.isNaN(after) && isWordCode(after)) continue;
      const octets: number[] = [];
      for (let group = start; group <= end; group++) {
        const value = digitsOf(runs, group, group);
        if (value.length > 3 || (value.length > 1 && value[0] === '0')) break;
        octets.push(Number(value));
      }
      if (octets.length !== 4 || octets.some((octet) => octet > 255)) continue;
      const spanStart = runs.groupStart[start] ?? 0;
      const hits = contextBefore(text, spanStart);
      const base = ipv4Confidence(octets);
      // "version 1.2.3.4", "Chrome 1.2.3.4": a version number shaped like an address
      const version = !hits.empty && hits.distance('version') < hits.distance('ip');
      const confidence = version ? 0.1 : contextual(base, hits, IP_KINDS, Math.min(0.95, base + 0.1));
      emit(spanStart, runs.groupEnd[end] ?? 0, confidence);
      start = end;
    }
  }
}

/** `,`, `;` or `|`: what separates the fields of a CSV row or table line. */
function isFieldSeparator(code: number): boolean {
  return code === 0x2c || code === 0x3b || code === 0x7c;
}

function ipv4Confidence(octets: readonly number[]): number {
  const [a = 0, b = 0] = octets;
  if (a === 0 || a === 127 || a >= 224 || octets.every((octet) => octet === 255)) return 0.3; // unspecified, loopback, multicast
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 0.7; // private
  if ((a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254)) return 0.7; // shared, link-local
  return 0.85;
}

function detectIpv6(text: string, budget: ScanBudget, emit: Emit): void {
  let iteration = 0;
  for (let colon = text.indexOf(':'); colon !== -1;) {
    if (outOfTime(++iteration, budget)) return;
    // a colon between hex digits, or the first of two: "db8:85a3", "fe80::", "::1"
    const previous = text.charCodeAt(colon - 1);
    const next = text.charCodeAt(colon + 1);
    if (next !== COLON && !(isHexCode(previous) && isHexCode(next))) {
      colon = text.indexOf(':', colon + 1);
      continue;
    }
    let start = colon;
    while (start > 0 && colon - start < 4 && isHexCode(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && end - start < 45 && isIpv6Code(text.charCodeAt(end))) end++;
    colon = text.indexOf(':', end);
    const before = start > 0 ? text.charCodeAt(start - 1) : -1;
    if (before !== -1 && (isWordCode(before) || before === COLON || before === DOT)) continue;
    // a sentence full stop or a single trailing colon ("at fe80::1.", "addr 2001:db8::1: up")
    if (text.charCodeAt(end - 1) === DOT) end--;
    if (text.charCodeAt(end - 1) === COLON && text.charCodeAt(end - 2) !== COLON) end--;
    if (end < text.length && (isWordCode(text.charCodeAt(end)) || text.charCodeAt(end) === COLON)) continue;
    // every IPv6 address has "::" or six colons or more ("21:37:18" is a time): no slice, no regex
    if (!mayBeIpv6(text, start, end)) continue;
    const candidate = text.slice(start, end);
    if (!isIPv6(candidate)) continue;
    let groups = 0;
    for (const part of candidate.split(':')) if (part !== '') groups++;
    const mappedIpv4 = candidate.includes('.');
    const base = candidate === '::1' || candidate === '::' ? 0.2 : groups >= 3 || mappedIpv4 ? 0.8 : 0.45;
    emit(start, end, contextual(base, contextBefore(text, start), IP_KINDS, base + 0.1));
  }
}

const COLON = 0x3a;
/** Whether `text[start, end)` has "::" or at least six colons, as every IPv6 address does. */
function mayBeIpv6(text: string, start: number, end: number): boolean {
  let colons = 0;
  for (let index = start; index < end; index++) {
    if (text.charCodeAt(index) !== COLON) continue;
    if (text.charCodeAt(index + 1) === COLON && index + 1 < end) return true;
    if (++colons >= 6) return true;
  }
  return false;
}

function isHexCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

function isIpv6Code(code: number): boolean {
  return isHexCode(code) || code === COLON || code === DOT;
}

// ---------------------------------------------------------------------------------------------
// Dates of birth (only when labelled: "DOB", "date of birth", "ngày sinh", "born on")

const DOB_KINDS: readonly ContextKind[] = ['dob'];
const DOB_MASK = kindMask(DOB_KINDS);
/** The accented letters month names are written with, by the letter they fold to. */
const ACCENTED_FORMS = { a: '[aäà]', e: '[eéèê]', i: '[ií]', o: '[oôó]', u: '[uûú]', c: '[cç]' } as const;
/**
 * Month names by number: English (with its abbreviations), French, Spanish, Italian, German, Dutch
 * and Portuguese, written folded (lower case, no diacritics: "fevrier" is "février", "marz" "März").
 */
const MONTH_NAMES: readonly (readonly string[])[] = [
  ['january', 'jan', 'janvier', 'enero', 'gennaio', 'januar', 'janner', 'januari', 'janeiro'],
  ['february', 'feb', 'fevrier', 'febrero', 'febbraio', 'februar', 'februari', 'fevereiro'],
  ['march', 'mar', 'mars', 'marzo', 'marz', 'maerz', 'maart', 'marco'],
  ['april', 'apr', 'avril', 'abril', 'aprile'],
  ['may', 'mai', 'mayo', 'maggio', 'mei', 'maio'],
  ['june', 'jun', 'juin', 'junio', 'giugno', 'juni', 'junho'],
  ['july', 'jul', 'juillet', 'julio', 'luglio', 'juli', 'julho'],
  ['august', 'aug', 'aout', 'agosto', 'augustus'],
  ['september', 'sept', 'sep', 'septembre', 'septiembre', 'setiembre', 'settembre', 'setembro'],
  ['october', 'oct', 'octobre', 'octubre', 'ottobre', 'oktober', 'outubro'],
  ['november', 'nov', 'novembre', 'noviembre', 'novembro'],
  ['december', 'dec', 'decembre', 'diciembre', 'dicembre', 'dezember', 'dezembro'],
];
/** Folded month name → its number. */
const MONTH_INDEX = new Map(
  MONTH_NAMES.flatMap((names, index) => names.map((name) => [name, index + 1] as const)),
);
/**
 * The month names as a pattern: each folded letter also matches its accented forms as texts write
 * them ("f[eé]vrier"), longest names first (an alternation of literals: no nested quantifier).
 */
const MONTHS = [...MONTH_INDEX.keys()]
  .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
  .map((name) => name.replace(/[aeiouc]/g, (letter) => ACCENTED_FORMS[letter as keyof typeof ACCENTED_FORMS]))
  .join('|');
/**
 * "12 May ", "12th of May, ", "3. März ", "1er mars ", "17 de julio de " before a year (anchored at
 * the end of a short slice).
 */
const DAY_MONTH_BEFORE_YEAR = new RegExp(
  `(?:^|[^0-9A-Za-z])(([0-3]?[0-9])(?:st|nd|rd|th|er)?\\.? {1,2}(?:of |de )?(${MONTHS})\\.?,?(?: de)? {1,2})$`,
  'i',
);
/** "07-Nov-", "7/November/" before a year (the same separator twice: group 3, the month group 4). */
const DAY_MONTH_DASHED_BEFORE_YEAR = new RegExp(
  `(?:^|[^0-9A-Za-z])(([0-3]?[0-9])([-/])(${MONTHS})\\3)$`,
  'i',
);
/** "May 12, " before a year. */
const MONTH_DAY_BEFORE_YEAR = new RegExp(
  `(?:^|[^A-Za-z])((${MONTHS})\\.? {1,2}([0-3]?[0-9])(?:st|nd|rd|th)?,? {1,2})$`,
  'i',
);
/** "ngày 12 tháng 5 năm ", "12 tháng 05, " before a year. */
const VIETNAMESE_DAY_MONTH_BEFORE_YEAR =
  /(?:^|[^0-9A-Za-zÀ-ỹ])((?:ngày |ngay )?([0-3]?[0-9]) {1,2}(?:tháng|thang) {1,2}([01]?[0-9]),? {1,2}(?:năm |nam )?)$/i;

function detectBirthDates(text: string, budget: ScanBudget, emit: Emit, profile: TextProfile): void {
  const view = nfcView(text, budget, (profile.flags & HAS_COMBINING) !== 0);
  const runs = digitRuns(view.text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) return;
    if ((runs.tokenDigits[token] ?? 0) < 4) continue;
    const first = runs.tokenFirst[token] ?? 0;
    const last = runs.tokenLast[token] ?? 0;
    for (let group = first; group <= last; group++) {
      const length = groupLength(runs, group);
      if (group + 2 <= last && numericBirthDate(runs, token, group)) {
        emit(view.start(runs.groupStart[group] ?? 0), view.end(runs.groupEnd[group + 2] ?? 0), 0.85);
        group += 2;
      } else if (length === 4) {
        const start = textualDateStart(runs, group);
        if (start !== undefined) emit(view.start(start), view.end(runs.groupEnd[group] ?? 0), 0.85);
      }
    }
  }
}

/** dd/mm/yyyy, mm/dd/yyyy, yyyy-mm-dd, dd.mm.yy... starting at `group`, labelled as a birth date. */
function numericBirthDate(runs: DigitRuns, token: number, group: number): boolean {
  const a = groupLength(runs, group);
  const b = groupLength(runs, group + 1);
  const c = groupLength(runs, group + 2);
  const yearFirst = a === 4 && b <= 2 && c <= 2;
  const yearLast = a <= 2 && b <= 2 && (c === 4 || c === 2);
  if (!yearFirst && !yearLast) return false;
  if (!hasUniformGaps(runs, group, group + 2, '/-.')) return false;
  const text = runs.text;
  const end = runs.groupEnd[group + 2] ?? 0;
  // "1990-05-12T00:00:00Z" is still a date; other glued text is not
  const standalone =
    isStandalone(runs, token, group, group + 2) || (text[end] === 'T' && isDigit(text.charCodeAt(end + 1)));
  if (!standalone) return false;
  const start = runs.groupStart[group] ?? 0;
  if (!labelledNear(text, start, DOB_KINDS, DOB_MASK) && !afterBirthAbbreviation(text, start)) return false;
  const x = Number(digitsOf(runs, group, group));
  const y = Number(digitsOf(runs, group + 1, group + 1));
  const z = Number(digitsOf(runs, group + 2, group + 2));
  const now = today();
  if (yearFirst) return plausibleBirthDate(x, y, z, now);
  const year = c === 4 ? z : expandTwoDigitYear(z, now);
  return plausibleBirthDate(year, y, x, now) || plausibleBirthDate(year, x, y, now);
}

/**
 * "NS:" (ngày sinh) or "N/S:" right before `start`, as Vietnamese forms and CVs abbreviate the
 * birth date. Upper case and a colon only: folded, "ns" would also be nanoseconds before a log line.
 */
const BIRTH_ABBREVIATION = /(?:^|[^\p{L}\p{N}])N\/?S ?: {0,2}$/u;

function afterBirthAbbreviation(text: string, start: number): boolean {
  return start >= 3 && BIRTH_ABBREVIATION.test(text.slice(Math.max(0, start - 8), start));
}

/**
 * Whether a label of `kinds` (`mask` their `kindMask`) ends within NEAR_LABEL characters before
 * `start`, nearer than any negative one.
 */
function labelledNear(text: string, start: number, kinds: readonly ContextKind[], mask: number): boolean {
  if (!labelMayEndNear(text, start, NEAR_LABEL, mask)) return false;
  const hits = contextBefore(text, start);
  return !hits.empty && hits.nearest(kinds) <= NEAR_LABEL && hits.verdict(kinds) === 'positive';
}

function expandTwoDigitYear(year: number, today: Date): number {
  const century = Math.floor(today.getFullYear() / 100) * 100;
  return century + year > today.getFullYear() ? century - 100 + year : century + year;
}

/** The number of a month name as a pattern matched it ("Sept", "février"), 0 if none. */
function monthNumber(name: string): number {
  const folded = foldRange(name, 0, name.length);
  return MONTH_INDEX.get(folded) ?? 0;
}

/** The month names, day suffixes and "de" ("17 de julio de 1989") a written date can end with before its year. */
const DATE_END_WORDS = new AsciiWords([
  ...[...MONTH_INDEX.keys()].map((month) => [month, 'month'] as const),
  ...['st', 'nd', 'rd', 'th', 'er'].map((suffix) => [suffix, 'suffix'] as const),
  ['de', 'de'] as const,
]);

/**
 * Whether `text` before the space at `space` can end a written date as the patterns of
 * `textualDateStart` read it: a month name ("May ", "Sept., "), a day ("12, ", "12th "), or
 * Vietnamese "năm ". A necessary condition read from a dozen characters, so the patterns run only
 * on the few years that follow such a word.
 */
function mayEndWrittenDate(text: string, space: number): boolean {
  // "năm 1990", "nam 1990" (any case)
  if (space >= 3) {
    const n = text.charCodeAt(space - 3) | 0x20;
    const a = text.charCodeAt(space - 2);
    const m = text.charCodeAt(space - 1) | 0x20;
    if (n === 0x6e && m === 0x6d && ((a | 0x20) === 0x61 || a === 0x102 || a === 0x103)) return true;
  }
  let end = space;
  if (text.charCodeAt(end - 1) === 0x20) end--;
  if (text.charCodeAt(end - 1) === 0x2c) end--;
  const dotted = text.charCodeAt(end - 1) === DOT;
  if (dotted) end--;
  if (!dotted && isDigit(text.charCodeAt(end - 1))) {
    // "May 12, 1990", "tháng 5 1990": a day or a month of one or two digits, one or two spaces
    // after a month name (and its dot) or "tháng"
    let before = isDigit(text.charCodeAt(end - 2)) ? end - 2 : end - 1;
    if (isDigit(text.charCodeAt(before - 1)) || text.charCodeAt(before - 1) !== 0x20) return false;
    before--;
    if (text.charCodeAt(before - 1) === 0x20) before--;
    if (text.charCodeAt(before - 1) === DOT) before--;
    const letter = text.charCodeAt(before - 1);
    return isLowerAscii(letter) || isUpperAscii(letter);
  }
  let start = wordStartBefore(text, end);
  if (start < 0) return false;
  let word = dateEndWord(text, start, end);
  if (!dotted && isDigit(text.charCodeAt(start - 1))) return word === 'suffix';
  if (word === 'de' && !dotted && text.charCodeAt(start - 1) === 0x20) {
    // "17 de julio de 1989": the word before "de" is the month
    end = start - 1;
    start = wordStartBefore(text, end);
    if (start < 0) return false;
    word = dateEndWord(text, start, end);
  }
  return text.charCodeAt(start - 1) === 0x20 && word === 'month';
}

/** Start of the word of name letters (at most nine) ending at `end`, or -1. */
function wordStartBefore(text: string, end: number): number {
  let start = end;
  while (
    start > 0 &&
    end - start < 10 &&
    (nameFold(text.charCodeAt(start - 1)) !== 0 || text.charCodeAt(start - 1) === 0x27)
  )
    start--;
  return start === end || end - start > 9 ? -1 : start;
}

/** What DATE_END_WORDS says of the word at `[start, end)`, read with its accents folded ("février"). */
function dateEndWord(text: string, start: number, end: number): string | undefined {
  return DATE_END_WORDS.getHashed(text, start, end, nameWordHash(text, start, end), nameFold);
}

/** Start of a written date ("12 May 1990", "May 12, 1990", "ngày 12 tháng 5 năm 1990") ending with the year at `group`. */
function textualDateStart(runs: DigitRuns, group: number): number | undefined {
  const text = runs.text;
  const yearStart = runs.groupStart[group] ?? 0;
  const yearEnd = runs.groupEnd[group] ?? 0;
  if (yearStart < 5 || (yearEnd < text.length && isWordCode(text.charCodeAt(yearEnd)))) return undefined;
  // every written date the patterns below read ends with a space before the year, or with a month
  // name and a dash or slash ("07-Nov-1958", "7/Nov/1958")
  const separator = text.charCodeAt(yearStart - 1);
  const dashed = separator === HYPHEN || separator === 0x2f;
  if (
    dashed
      ? !isNameLetter(text.charCodeAt(yearStart - 2))
      : separator !== 0x20 || !mayEndWrittenDate(text, yearStart - 1)
  )
    return undefined;
  // the group has four digits
  const year =
    (text.charCodeAt(yearStart) - 0x30) * 1000 +
    (text.charCodeAt(yearStart + 1) - 0x30) * 100 +
    (text.charCodeAt(yearStart + 2) - 0x30) * 10 +
    (text.charCodeAt(yearStart + 3) - 0x30);
  if (year < 1890 || year > currentYear()) return undefined;
  // the label is looked up before the date or its day, both in the 40 characters before the year
  if (!labelMayEndBetween(text, yearStart - 40, yearStart, NEAR_LABEL, DOB_MASK)) return undefined;
  const sliceStart = Math.max(0, yearStart - 40);
  const slice = text.slice(sliceStart, yearStart);
  let day: number;
  let month: number;
  let dateText: string;
  let match = (dashed ? DAY_MONTH_DASHED_BEFORE_YEAR : DAY_MONTH_BEFORE_YEAR).exec(slice);
  if (match !== null) {
    dateText = match[1] ?? '';
    day = Number(match[2]);
    // the dashed pattern's third group is its separator
    month = monthNumber(match[dashed ? 4 : 3] ?? '');
  } else if (dashed) {
    return undefined;
  } else if ((match = MONTH_DAY_BEFORE_YEAR.exec(slice)) !== null) {
    dateText = match[1] ?? '';
    month = monthNumber(match[2] ?? '');
    day = Number(match[3]);
  } else if ((match = VIETNAMESE_DAY_MONTH_BEFORE_YEAR.exec(slice)) !== null) {
    dateText = match[1] ?? '';
    day = Number(match[2]);
    month = Number(match[3]);
  } else {
    return undefined;
  }
  const start = yearStart - dateText.length;
  // "sinh ngày 12 tháng 5": the label ends inside the date, so look before its number too
  const dayStart = start + dateText.search(/[0-9]/);
  if (!labelledNear(text, start, DOB_KINDS, DOB_MASK) && !labelledNear(text, dayStart, DOB_KINDS, DOB_MASK))
    return undefined;
  return plausibleBirthDate(year, month, day, today()) ? start : undefined;
}

// ---------------------------------------------------------------------------------------------
// US Social Security numbers

const SSN_KINDS: readonly ContextKind[] = ['ssn'];

function detectSsns(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) return;
    if ((runs.tokenDigits[token] ?? 0) < 9) continue;
    const first = runs.tokenFirst[token] ?? 0;
    const last = runs.tokenLast[token] ?? 0;
    for (let group = first; group <= last; group++) {
      const start = runs.groupStart[group] ?? 0;
      if (
        group + 2 <= last &&
        groupLength(runs, group) === 3 &&
        groupLength(runs, group + 1) === 2 &&
        groupLength(runs, group + 2) === 4 &&
        isStandalone(runs, token, group, group + 2)
      ) {
        const dashed = hasUniformGaps(runs, group, group + 2, '-');
        const spaced = !dashed && hasUniformGaps(runs, group, group + 2, ' ');
        if ((dashed || spaced) && ssnValid(digitsOf(runs, group, group + 2))) {
          const hits = contextBefore(text, start);
          const labelled = hits.verdict(SSN_KINDS) === 'positive';
          if (dashed || labelled) {
            emit(
              start,
              runs.groupEnd[group + 2] ?? 0,
              contextual(dashed ? 0.7 : 0.5, hits, SSN_KINDS, dashed ? 0.95 : 0.85, 0.3),
            );
            group += 2;
            continue;
          }
        }
      }
      if (groupLength(runs, group) === 9 && isStandalone(runs, token, group, group)) {
        const digits = digitsOf(runs, group, group);
        if (ssnValid(digits) && contextBefore(text, start).verdict(SSN_KINDS) === 'positive') {
          emit(start, runs.groupEnd[group] ?? 0, 0.85);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Passport numbers (only when labelled: "passport", "hộ chiếu")

const PASSPORT_KINDS: readonly ContextKind[] = ['passport'];
const PASSPORT_MASK = kindMask(PASSPORT_KINDS);

/** Passport numbers are 6 to 9 letters and digits (the most any country issues in one token). */
const MIN_PASSPORT_LENGTH = 6;
const MAX_PASSPORT_LENGTH = 9;

/**
 * Passport numbers after a passport label: a token of 6–9 capital letters and digits with at least
 * three digits, standing alone ("B1234567" in Vietnam, "C03005988", "YA4829163", "19AB58732" in
 * France, "C01X00T47" in Germany, "NXR83KP14" in the Netherlands, "PAA123456" in Spain); digits
 * alone only from 8 of them.
 */
function detectPassports(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  let tokenEnd = 0;
  for (let group = 0; group < runs.groups; group++) {
    if (outOfTime(group + 1, budget)) return;
    const digitsStart = runs.groupStart[group] ?? 0;
    if (digitsStart < tokenEnd) continue; // a later group of a token already read
    // the token of capital letters and digits around this group
    let start = digitsStart;
    while (
      start > 0 &&
      digitsStart - start <= MAX_PASSPORT_LENGTH &&
      isPassportUnit(text.charCodeAt(start - 1))
    )
      start--;
    let end = runs.groupEnd[group] ?? 0;
    while (end < text.length && end - start <= MAX_PASSPORT_LENGTH && isPassportUnit(text.charCodeAt(end)))
      end++;
    tokenEnd = end;
    const length = end - start;
    if (length < MIN_PASSPORT_LENGTH || length > MAX_PASSPORT_LENGTH) continue;
    if (end < text.length && (isWordCode(text.charCodeAt(end)) || text.charCodeAt(end) === HYPHEN)) continue;
    if (start > 0 && (isWordCode(text.charCodeAt(start - 1)) || text.charCodeAt(start - 1) === HYPHEN))
      continue;
    // "12.3456789", "1/2345678": the tail of another number
    if (start > 1 && isDigit(text.charCodeAt(start - 2)) && text.charCodeAt(start - 1) !== 0x20) continue;
    let digits = 0;
    for (let index = start; index < end; index++) if (isDigit(text.charCodeAt(index))) digits++;
    if (digits < 3) continue;
    if (digits === length && length < 8) continue; // bare short numbers are too common
    if (isDimensions(text, start, end)) continue;
    if (!labelledNear(text, start, PASSPORT_KINDS, PASSPORT_MASK)) continue;
    const vietnamese = length === 8 && digits === 7 && !isDigit(text.charCodeAt(start));
    emit(start, end, vietnamese ? 0.9 : 0.8);
  }
}

/** `/^\d+X\d+[A-Z]*$/` on `text[start, end)`: a size such as "35X45MM" (a passport photo's), not a number. */
function isDimensions(text: string, start: number, end: number): boolean {
  let at = start;
  while (at < end && isDigit(text.charCodeAt(at))) at++;
  if (at === start || text.charCodeAt(at) !== 0x58 || !isDigit(text.charCodeAt(at + 1))) return false;
  at++;
  while (at < end && isDigit(text.charCodeAt(at))) at++;
  while (at < end && isUpperAscii(text.charCodeAt(at))) at++;
  return at === end;
}

function isPassportUnit(code: number): boolean {
  return isDigit(code) || isUpperAscii(code);
}

// ---------------------------------------------------------------------------------------------
// English person names: titles, labels, and given name + surname pairs from compromise's lexicon

/**
 * A capitalized word followed by another: where a name can start. In name letters (name-letters.ts:
 * ASCII and the Latin letters of European names); Vietnamese names are vietnam.ts's.
 */
const CAPITALIZED_PAIR = new RegExp(
  `[${NAME_UPPER_CLASS}][${NAME_LETTER_CLASS}']{0,24}\\.?[ \\u00a0][${NAME_UPPER_CLASS}]`,
  'g',
);
const MAX_NAME_WORDS = 6;

// What a name word is, from one lookup of its lower-case form (bits of `wordClasses`).
const GIVEN_NAME = 1;
const TITLE = 2;
const SURNAME = 4;
const NOT_SURNAME = 8;
const AMBIGUOUS_GIVEN_NAME = 16;
const VIETNAMESE_SURNAME = 32;
/**
 * A greeting that opens a capitalized run ("Dear Genoveva Parker,", "Dear Jack Frost,"): the words after
 * it may be a name. Fewer than the greeting labels of context-words.ts, whose other words also start
 * ordinary titles ("Attention Deficit Disorder", "Signed Copies").
 */
const GREETING = 128;
const GREETING_WORDS = ['dear', 'hi', 'hello', 'hey', 'attn', 'thanks'];

const WORD_CLASSES = buildWordClasses();

function buildWordClasses(): AsciiWords<number> {
  const classes = new Map<string, number>();
  const add = (words: Iterable<string>, bit: number): void => {
    for (const word of words) classes.set(word, (classes.get(word) ?? 0) | bit);
  };
  add(FIRST_NAMES, GIVEN_NAME);
  add(TITLES, TITLE);
  add(LAST_NAMES, SURNAME);
  add(NOT_SURNAMES, NOT_SURNAME);
  add(GREETING_WORDS, GREETING);
  add(AMBIGUOUS_FIRST_NAMES, AMBIGUOUS_GIVEN_NAME);
  add(
    VN_SURNAMES.map((surname) => foldRange(surname, 0, surname.length)),
    VIETNAMESE_SURNAME,
  );
  return new AsciiWords(classes);
}

/** A name word's dot abbreviates it ("J.", "Dr."): a bit of `wordClasses` beside the classes above. */
const DOTTED = 64;
/**
 * The words of the run readCapitalizedWords read last (without a trailing dot), and their classes
 * (GIVEN_NAME, TITLE... of the word in lower case, and DOTTED): scratch space reused by every run.
 */
const wordStarts = new Int32Array(MAX_NAME_WORDS);
const wordEnds = new Int32Array(MAX_NAME_WORDS);
const wordClasses = new Int32Array(MAX_NAME_WORDS);

function detectEnglishNames(text: string, budget: ScanBudget, emit: Emit): void {
  detectCapitalizedNames(text, budget, emit);
  detectNamesWithParticles(text, budget, emit);
}

function detectCapitalizedNames(text: string, budget: ScanBudget, emit: Emit): void {
  let iteration = 0;
  // CAPITALIZED_PAIR.exec without its match object: the start is found back from the end
  for (let from = 0; ;) {
    CAPITALIZED_PAIR.lastIndex = from;
    if (!CAPITALIZED_PAIR.test(text)) return;
    if (outOfTime(++iteration, budget)) return;
    const start = capitalizedPairStart(text, from, CAPITALIZED_PAIR.lastIndex);
    if (start > 0 && isWordCode(text.charCodeAt(start - 1))) {
      from = start + 1;
      continue;
    }
    // most capitalized runs hold no given name or title and have no label before: skip them unread
    const runEnd = nameRunEnd(text, start);
    from = Math.max(runEnd, start + 1);
    if (!runHasName && !labelEndsAt(text, start, 'name') && !labelEndsAt(text, start, 'greeting')) continue;
    const words = readCapitalizedWords(text, start);
    if (words === 0 && labelledAsName(text, start)) {
      // "Customer: JOHN SMITH", "Nombre: MARÍA GARCÍA LÓPEZ"
      const end = upperCaseNameEnd(text, start);
      if (end > start) emit(start, end, 0.85);
      continue;
    }
    if (words < 2 || ((wordClasses[0] as number) & VIETNAMESE_SURNAME) !== 0) continue;
    namesInWords(text, words, emit);
  }
}

/** Words of an upper-case name after a name label. */
const MAX_UPPER_CASE_NAME_WORDS = 4;

/**
 * End of the upper-case name starting at `start`: two to four words of capital name letters (with
 * apostrophes and hyphens: "O'NEIL", "GARCÍA-LÓPEZ"), one of them a known given name or surname and
 * none a title or a word that is no surname; -1 when there is none. A listed Vietnamese surname
 * first leaves the name to the Vietnamese detector.
 */
function upperCaseNameEnd(text: string, start: number): number {
  let position = start;
  let count = 0;
  let known = false;
  let end = -1;
  while (count < MAX_UPPER_CASE_NAME_WORDS) {
    let wordEnd = position;
    while (wordEnd < text.length && wordEnd - position < 25) {
      const code = text.charCodeAt(wordEnd);
      if (isNameUpper(code) || (code === 0x27 && isNameUpper(text.charCodeAt(wordEnd + 1)))) wordEnd++;
      else if (code === HYPHEN && isNameUpper(text.charCodeAt(wordEnd + 1))) wordEnd++;
      else break;
    }
    if (wordEnd - position < 2 || (wordEnd < text.length && isWordCode(text.charCodeAt(wordEnd)))) break;
    const hash = nameWordHash(text, position, wordEnd);
    const classes = WORD_CLASSES.getHashed(text, position, wordEnd, hash, nameFold) ?? 0;
    if (count === 0 && (classes & VIETNAMESE_SURNAME) !== 0) return -1;
    if ((classes & (NOT_SURNAME | TITLE | GREETING)) !== 0) break;
    if ((classes & (GIVEN_NAME | SURNAME)) !== 0) known = true;
    count++;
    end = wordEnd;
    if (text.charCodeAt(wordEnd) !== 0x20) break;
    position = wordEnd + 1;
  }
  return count >= 2 && known ? end : -1;
}

/**
 * A surname's particles after a capitalized word: " van den B", " da S", " de la C", " von M". The
 * match ends at the surname's capital.
 */
const PARTICLE_SURNAME = new RegExp(
  ` (?:van|von|de|del|della|di|da|du|dos|das|der|den|le|ter|ten|zu|bin)(?: (?:der|den|de|la|het|los|las|dos))? [${NAME_UPPER_CLASS}]`,
  'g',
);

/** Titles that address a person by surname ("Mr. van der Meer", "Mevrouw de Vries"). */
const ADDRESS_TITLES = new AsciiWords(
  (
    'mr mrs ms miss dr prof herr frau meneer mevrouw dhr mevr monsieur madame mademoiselle mme mlle sr sra ' +
    'senor senora signor signora sig dott'
  )
    .split(' ')
    .map((word) => [word, true] as const),
);
/** First letters of the particles van, von, ter, ten and zu (no Romance particle starts so). */
const GERMANIC_PARTICLE_START = new Set([0x76, 0x74, 0x7a]);
const SAINTS = new AsciiWords(
  ['san', 'santa', 'santo', 'saint', 'sainte', 'st', 'ste', 'sankt', 'sao'].map(
    (word) => [word, true] as const,
  ),
);

/** Words that open the name of a place or an organisation with a particle after them ("Château de Saumur"), folded. */
const PLACE_HEADS = new AsciiWords(
  (
    'chateau castello castillo castelo schloss burg canal gobierno governo gouvernement universidad ' +
    'universidade universite universita banco banque banca caja musee museo museu palacio palazzo palais iglesia ' +
    'eglise chiesa igreja catedral cathedrale duomo ciudad cidade citta ville villa casa rio lago lac monte mont ' +
    'isla ile isola ilha puerto porto port estadio teatro theatre instituto institut istituto colegio college ' +
    'escuela ecole scuola escola hospital hopital ospedale ministerio ministere ministero cafe restaurante ' +
    'hotel hostal plaza piazza praca place rue calle via avenida avenue paseo camino strada estrada puente pont ' +
    'ponte torre tour parque parc parco jardin giardino jardim bosque bois foret fiesta festival festa feria ' +
    'premio prix gran grand grande real royal union compagnie compania companhia'
  )
    .split(' ')
    .map((word) => [word, true] as const),
);

/** Start of a known given name right before the word at `start` ("Juan Martín del Potro"), else `start`. */
function givenNameStart(text: string, start: number): number {
  const end = start - 1;
  if (end <= 0 || text.charCodeAt(end) !== 0x20) return start;
  let wordStart = end;
  while (wordStart > 0 && end - wordStart < 25 && nameFold(text.charCodeAt(wordStart - 1)) !== 0) wordStart--;
  if (wordStart === end || !isNameUpper(text.charCodeAt(wordStart))) return start;
  if (wordStart > 0 && isWordCode(text.charCodeAt(wordStart - 1))) return start;
  const hash = nameWordHash(text, wordStart, end);
  const classes = WORD_CLASSES.getHashed(text, wordStart, end, hash, nameFold) ?? 0;
  return (classes & GIVEN_NAME) !== 0 && (classes & AMBIGUOUS_GIVEN_NAME) === 0 ? wordStart : start;
}

/** Whether "San", "Santa", "Saint", "St." or the like stands right before the word at `start`. */
function saintBefore(text: string, start: number): boolean {
  let end = start - 1;
  if (end <= 0 || text.charCodeAt(end) !== 0x20) return false;
  if (text.charCodeAt(end - 1) === DOT) end--;
  let wordStart = end;
  while (wordStart > 0 && end - wordStart < 6 && nameFold(text.charCodeAt(wordStart - 1)) !== 0) wordStart--;
  return wordStart < end && hasFolded(SAINTS, text, wordStart, end);
}

/** Whether `words` holds `text[start, end)` read in name letters ("São" is "sao"). */
function hasFolded(words: AsciiWords<boolean>, text: string, start: number, end: number): boolean {
  return words.getHashed(text, start, end, nameWordHash(text, start, end), nameFold) !== undefined;
}

/**
 * Names whose surname has particles ("Jan van den Berg", "Leonardo da Vinci", "Mr. van der Meer",
 * "Charles de Gaulle"): the word before the particles must be a known given name or a title, or a
 * name label must stand before it, and the surname a capitalized word.
 */
function detectNamesWithParticles(text: string, budget: ScanBudget, emit: Emit): void {
  let iteration = 0;
  PARTICLE_SURNAME.lastIndex = 0;
  for (let match = PARTICLE_SURNAME.exec(text); match !== null; match = PARTICLE_SURNAME.exec(text)) {
    if (outOfTime(++iteration, budget)) return;
    const surnameStart = PARTICLE_SURNAME.lastIndex - 1;
    PARTICLE_SURNAME.lastIndex = surnameStart;
    let surnameEnd = surnameStart + 1;
    while (surnameEnd - surnameStart < 25 && isNameLower(text.charCodeAt(surnameEnd))) surnameEnd++;
    if (
      surnameEnd - surnameStart < 2 ||
      (surnameEnd < text.length && isWordCode(text.charCodeAt(surnameEnd)))
    )
      continue;
    // the word before the particles: a title ("Mr. van der Meer"), a given name or a labelled word
    let wordEnd = match.index;
    const dotted = text.charCodeAt(wordEnd - 1) === DOT;
    if (dotted) wordEnd--;
    let wordStart = wordEnd;
    while (wordStart > 0 && wordEnd - wordStart < 25 && nameFold(text.charCodeAt(wordStart - 1)) !== 0)
      wordStart--;
    if (wordStart === wordEnd || !isNameUpper(text.charCodeAt(wordStart))) continue;
    if (wordStart > 0 && isWordCode(text.charCodeAt(wordStart - 1))) continue;
    const hash = nameWordHash(text, wordStart, wordEnd);
    const classes = WORD_CLASSES.getHashed(text, wordStart, wordEnd, hash, nameFold) ?? 0;
    if ((classes & TITLE) !== 0) {
      // "Mr. van der Meer", "Herr von Weizsäcker"; not "Notre Dame de Paris"
      if (dotted || hasFolded(ADDRESS_TITLES, text, wordStart, wordEnd))
        emit(match.index + 1, surnameEnd, 0.85);
      continue;
    }
    if (dotted || saintBefore(text, wordStart)) continue; // "Santa Maria della Salute", "San Juan de Dios"
    // "Château de Saumur", "Gobierno de Veracruz" in a table's Name column
    if ((classes & NOT_SURNAME) !== 0 || hasFolded(PLACE_HEADS, text, wordStart, wordEnd)) continue;
    const labelled = labelledAsName(text, wordStart);
    // a given name that is also a word ("Grace", "Jordan") only before Dutch and German particles,
    // which English does not write: "Grace van Leeuwen", not "Victoria de Durango"
    const given =
      (classes & GIVEN_NAME) !== 0 &&
      ((classes & AMBIGUOUS_GIVEN_NAME) === 0 ||
        GERMANIC_PARTICLE_START.has(text.charCodeAt(match.index + 1)));
    if (given || labelled) emit(givenNameStart(text, wordStart), surnameEnd, labelled ? 0.85 : 0.8);
  }
}

/**
 * Where the CAPITALIZED_PAIR match found from `from` and ending at `matchEnd` starts: its first word
 * ends before the separator (and an optional dot), and the match starts at the leftmost capital of
 * that word from which at most 24 letters lead to the end.
 */
function capitalizedPairStart(text: string, from: number, matchEnd: number): number {
  let wordEnd = matchEnd - 2;
  if (text.charCodeAt(wordEnd - 1) === DOT) wordEnd--;
  let start = wordEnd - 1;
  for (let position = wordEnd - 1; position >= from && wordEnd - position <= 25; position--) {
    const code = text.charCodeAt(position);
    if (isNameUpper(code)) start = position;
    else if (!isNameLower(code) && code !== 0x27) break;
  }
  return start;
}

const NAME_START_HASHES = new WordHashes(
  [...FIRST_NAMES, ...TITLES, ...GREETING_WORDS].map((word) => foldedWordHash(word, 0, word.length)),
);
/** Set by nameRunEnd: whether a word of the run is a given name or a title. */
let runHasName = false;
/**
 * Set by nameRunEnd, for readCapitalizedWords on the same run: each word's end, foldedWordHash and
 * whether a lower-case letter follows its capital.
 */
const runWordEnds = new Int32Array(MAX_NAME_WORDS);
const runWordHashes = new Int32Array(MAX_NAME_WORDS);
const runWordLowerCase = new Uint8Array(MAX_NAME_WORDS);

/** Zeroes the hashes of the last capitalized words read (short names could be recovered from them). */
export function forgetNameWords(): void {
  runWordHashes.fill(0);
  runWordEnds.fill(0);
}

/** End of the capitalized run readCapitalizedWords would read, noting in runHasName whether it holds a given name or title. */
function nameRunEnd(text: string, start: number): number {
  runHasName = false;
  const length = text.length;
  let position = start;
  let end = start;
  for (let count = 0; count < MAX_NAME_WORDS && isNameUpper(text.charCodeAt(position)); count++) {
    // The word from its capital: name letters, apostrophes ("O'Neil") and hyphens before a capital
    // ("Emard-O'Conner"), with its nameWordHash on the way (the foldedWordHash of its folded letters)
    let hash = nameFold(text.charCodeAt(position));
    let lowerCase = 0;
    let wordEnd = position + 1;
    while (wordEnd < length && wordEnd - position < 32) {
      const code = text.charCodeAt(wordEnd);
      const folded = nameFold(code);
      if (folded !== 0 || code === 0x27) {
        hash = (Math.imul(hash, 31) + (folded || code)) | 0;
        if (isNameLower(code)) lowerCase = 1;
        wordEnd++;
      } else if (code === HYPHEN && isNameUpper(text.charCodeAt(wordEnd + 1))) {
        hash = (Math.imul(hash, 31) + HYPHEN) | 0;
        hash = (Math.imul(hash, 31) + nameFold(text.charCodeAt(wordEnd + 1))) | 0;
        wordEnd += 2;
      } else {
        break;
      }
    }
    if (NAME_START_HASHES.has(hash)) runHasName = true;
    runWordEnds[count] = wordEnd;
    runWordHashes[count] = hash;
    runWordLowerCase[count] = lowerCase;
    end = wordEnd;
    const next = text.charCodeAt(wordEnd) === DOT ? wordEnd + 1 : wordEnd;
    const separator = text.charCodeAt(next);
    if (separator !== 0x20 && separator !== 0xa0) break;
    position = next + 1;
  }
  return end;
}

/**
 * Up to MAX_NAME_WORDS words of a capital and lower-case letters ("O'Neil", "McDonald", "Mr."), one
 * space apart, into wordStarts, wordEnds and wordClasses; returns how many. Reads the run nameRunEnd
 * has just read from `start`: its words start where these do (this reading stops at the first word
 * where the two differ), so their ends and hashes are taken from there.
 */
function readCapitalizedWords(text: string, start: number): number {
  let count = 0;
  let position = start;
  while (count < MAX_NAME_WORDS && position < text.length) {
    if (!isNameUpper(text.charCodeAt(position))) break;
    let end = runWordEnds[count] as number; // nameWordEnd(text, position)
    if (end < text.length && isWordCode(text.charCodeAt(end))) break; // "Nguyễn", "Smith2"
    let hash = (runWordHashes[count] as number) & 0x3fffffff; // the word's nameWordHash
    let lowerCase = runWordLowerCase[count] === 1;
    // "Smith's"
    if (end - position > 3 && text.charCodeAt(end - 2) === 0x27 && text.charCodeAt(end - 1) === 0x73) {
      end -= 2;
      hash = nameWordHash(text, position, end);
      lowerCase = false;
      for (let index = position + 1; index < end && !lowerCase; index++)
        lowerCase = isNameLower(text.charCodeAt(index));
    }
    if (!lowerCase && end - position > 1) break; // "ACME", "USA"
    let classes = WORD_CLASSES.getHashed(text, position, end, hash, nameFold) ?? 0;
    // a dot after an initial or a title abbreviates it ("J.", "Dr."); after other words it ends a sentence
    const dotted = text.charCodeAt(end) === DOT && (end - position === 1 || (classes & TITLE) !== 0);
    if (dotted) classes |= DOTTED;
    wordStarts[count] = position;
    wordEnds[count] = end;
    wordClasses[count] = classes;
    count++;
    const next = end + (dotted ? 1 : 0);
    const separator = text.charCodeAt(next);
    if (separator !== 0x20 && separator !== 0xa0) break;
    position = next + 1;
  }
  return count;
}

function isLowerAscii(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

/** Reports the names among the `words` words readCapitalizedWords read. */
function namesInWords(text: string, words: number, emit: Emit): void {
  // "Customer: Jane Roe", "Người nhận: Alex Quinn": two or three capitalized words right after a name label
  let first = 0;
  // "Dear Genoveva Parker,", "Best regards,\nGenoveva Parker", "Dear Jack Frost,": the same after a
  // greeting (in the run or right before it) or a sign-off, for a given name not in the list (a
  // listed one is read below) or one that is also a word, when a known surname ends it or the given
  // name is such a word, and it closes the salutation
  const greeted = ((wordClasses[0] as number) & GREETING) !== 0 ? 1 : 0;
  const opening = wordStarts[greeted] as number;
  if (isSurnameLike(greeted, words)) {
    let end = greeted;
    while (end + 1 < words && end - greeted < 2 && isSurnameLike(end + 1, words)) end++;
    const named =
      end > greeted &&
      (labelledAsName(text, opening) ||
        (((wordClasses[greeted] as number) & GIVEN_NAME) === 0 &&
          (((wordClasses[end] as number) & SURNAME) !== 0 ||
            ((wordClasses[greeted] as number) & AMBIGUOUS_GIVEN_NAME) !== 0) &&
          (greeted === 1 || labelEndsAt(text, opening, 'greeting')) &&
          closesSalutation(text, opening, wordEnds[end] as number)));
    if (named) {
      emit(opening, wordEnds[end] as number, 0.85);
      if (end + 1 >= words) return;
      first = end + 1;
    }
  }
  for (let index = first; index < words; index++) {
    const classes = wordClasses[index] as number;
    if ((classes & TITLE) !== 0) {
      let end = index;
      while (end + 1 < words && end - index < 3 && isSurnameLike(end + 1, words)) end++;
      if (end > index) {
        emit(wordStarts[index + 1] as number, wordEnds[end] as number, 0.85);
        index = end;
      }
      continue;
    }
    if ((classes & GIVEN_NAME) === 0 || (classes & DOTTED) !== 0 || index + 1 >= words) continue;
    let end = index + 1;
    // "John F. Kennedy", "Mary Ann Smith"
    if (end + 1 < words) {
      const middle = wordClasses[end] as number;
      const initial =
        (wordEnds[end] as number) - (wordStarts[end] as number) === 1 && (middle & DOTTED) !== 0;
      const givenName = (middle & GIVEN_NAME) !== 0 && (middle & DOTTED) === 0;
      if ((initial || givenName) && isSurnameLike(end + 1, words)) end++;
    }
    if (!isSurnameLike(end, words)) continue;
    const start = wordStarts[index] as number;
    const surname = wordClasses[end] as number;
    const knownSurname = (surname & SURNAME) !== 0;
    // "Ben Nghe", "Anh Nguyen": Vietnamese syllables, the Vietnamese detector's
    if (!knownSurname && startsWithNgOrNh(text, wordStarts[end] as number)) continue;
    // a known surname is needed, unless a label right before says this is a name; a given name that
    // is also a word ("Jack", "Kitty") needs a greeting or sign-off it closes ("Signed,\nJack
    // Collins-Mosciski", "Dear Jack Frost,"), not "Hello Kitty Backpack"
    const greeting = labelEndsAt(text, start, 'greeting');
    const labelled = labelledAsName(text, start) || greeting;
    let confidence: number;
    if (knownSurname) confidence = 0.8;
    else if (
      (classes & AMBIGUOUS_GIVEN_NAME) !== 0 &&
      !(greeting && closesSalutation(text, start, wordEnds[end] as number))
    )
      continue;
    else confidence = determinerBefore(text, start) ? 0.3 : 0.5; // "the Alphonso Cheese" is a product
    if (labelled) confidence = 0.85;
    emit(start, wordEnds[end] as number, confidence);
    index = end;
  }
}

/**
 * Whether a name at [start, end) closes a salutation: a comma, `!` or `:` follows it ("Dear Jane
 * Roe,"), or it is a line of its own, as under a sign-off.
 */
function closesSalutation(text: string, start: number, end: number): boolean {
  let after = end;
  while (text.charCodeAt(after) === 0x20) after++;
  const next = text.charCodeAt(after);
  if (next === 0x2c || next === 0x21 || next === 0x3a) return true;
  if (after < text.length && next !== 0x0a && next !== 0x0d) return false;
  let before = start;
  while (before > 0 && text.charCodeAt(before - 1) === 0x20) before--;
  return before === 0 || text.charCodeAt(before - 1) === 0x0a || text.charCodeAt(before - 1) === 0x0d;
}

/** `/^n[gh]/` on the lower-case form of the word at `start`. */
function startsWithNgOrNh(text: string, start: number): boolean {
  const second = text.charCodeAt(start + 1) | 0x20;
  return (text.charCodeAt(start) | 0x20) === 0x6e && (second === 0x67 || second === 0x68);
}

const DETERMINERS = new AsciiWords(
  'the a an our your my his her their this that these those new every each any some'
    .split(' ')
    .map((word) => [word, true] as const),
);

/** Whether the word before `start` is a determiner: "the Jose Chair" names a thing, not a person. */
function determinerBefore(text: string, start: number): boolean {
  let end = start;
  while (end > 0 && start - end < 2 && text.charCodeAt(end - 1) === 0x20) end--;
  let wordStart = end;
  while (wordStart > 0 && end - wordStart < 8 && isNameLetter(text.charCodeAt(wordStart - 1))) wordStart--;
  return wordStart < end && DETERMINERS.has(text, wordStart, end);
}

/** Whether a name label ends right before `start` ("Name: ", "Customer ", "Họ tên: "). */
function labelledAsName(text: string, start: number): boolean {
  return labelEndsAt(text, start, 'name');
}

/**
 * Whether word `index` of the `words` read can be a surname: not abbreviated, not a title, not
 * "Street" or "Monday".
 */
function isSurnameLike(index: number, words: number): boolean {
  return (
    index < words &&
    ((wordClasses[index] as number) & (DOTTED | NOT_SURNAME | TITLE | GREETING)) === 0 &&
    (wordEnds[index] as number) - (wordStarts[index] as number) >= 2
  );
}

// ---------------------------------------------------------------------------------------------
// US street addresses: "5561 Marquardt Port Suite 661, Lake Elenaview, NV 89012", found from the ZIP code

const US_STATES = new Set(
  (
    'AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND ' +
    'OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR'
  ).split(' '),
);
/** US_STATES by first letter * 26 + second: a table lookup instead of a slice and a set lookup per ZIP code. */
const US_STATE_CODES = new Uint8Array(26 * 26);
for (const state of US_STATES)
  US_STATE_CODES[(state.charCodeAt(0) - 0x41) * 26 + state.charCodeAt(1) - 0x41] = 1;

/** Whether the two units at `start` are a state of US_STATES. */
function isUsState(text: string, start: number): boolean {
  const first = text.charCodeAt(start);
  const second = text.charCodeAt(start + 1);
  return (
    isUpperAscii(first) && isUpperAscii(second) && US_STATE_CODES[(first - 0x41) * 26 + second - 0x41] === 1
  );
}
const SECONDARY_UNITS = new AsciiWords(
  ['apt', 'suite', 'ste', 'unit', 'fl', 'floor', 'room', 'rm', 'bldg'].map((word) => [word, true] as const),
);

function detectStreetAddresses(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let group = 0; group < runs.groups; group++) {
    if (outOfTime(group + 1, budget)) return;
    const length = groupLength(runs, group);
    if (length === 1) {
      ukAddressAt(text, runs.groupStart[group] ?? 0, emit);
      continue;
    }
    if (length === 3 || length === 4 || (length === 5 && !usAddressAt(text, runs, group, emit))) {
      const next = group + 1 < runs.groups;
      const address = europeanAddressAt(
        text,
        runs.groupStart[group] ?? 0,
        runs.groupEnd[group] ?? 0,
        next ? (runs.groupStart[group + 1] ?? -1) : -1,
        next ? (runs.groupEnd[group + 1] ?? -1) : -1,
      );
      if (address !== undefined) {
        const hits = contextBefore(text, address.start);
        emit(address.start, address.end, contextual(0.85, hits, ['address'], 0.95));
      }
    }
  }
}

/** Reports the US address whose ZIP code is digit group `group` (five digits); false when there is none. */
function usAddressAt(text: string, runs: DigitRuns, group: number, emit: Emit): boolean {
  // "…, NV 89012" or "…, NV 89012-3456"
  const zipStart = runs.groupStart[group] ?? 0;
  const stateStart = zipStart - 3;
  if (stateStart < 2 || text.charCodeAt(zipStart - 1) !== 0x20) return false;
  if (!isUsState(text, stateStart)) return false;
  if (text.charCodeAt(stateStart - 1) !== 0x20 || text.charCodeAt(stateStart - 2) !== 0x2c) return false;
  let zipEnd = runs.groupEnd[group] ?? 0;
  if (
    text.charCodeAt(zipEnd) === HYPHEN &&
    group + 1 < runs.groups &&
    runs.groupStart[group + 1] === zipEnd + 1 &&
    groupLength(runs, group + 1) === 4
  ) {
    zipEnd = runs.groupEnd[group + 1] ?? zipEnd;
  }
  if (zipEnd < text.length && isWordCode(text.charCodeAt(zipEnd))) return false;
  const houseStart = streetAddressStart(text, stateStart - 2);
  if (houseStart === undefined) return false;
  const hits = contextBefore(text, houseStart);
  emit(houseStart, zipEnd, contextual(0.85, hits, ['address'], 0.95));
  return true;
}

/**
 * The UK address whose postcode's inward code starts at `inwardStart` (its one digit), if any:
 * "221B Baker Street, London NW1 6XE", "10 Downing Street, London, SW1A 2AA". The outward code is
 * one or two letters, a digit, and maybe a letter or digit ("M1", "CR2", "EC1A", "DN55").
 */
function ukAddressAt(text: string, inwardStart: number, emit: Emit): void {
  const inwardEnd = inwardStart + 3;
  if (
    !isUpperAscii(text.charCodeAt(inwardStart + 1)) ||
    !isUpperAscii(text.charCodeAt(inwardStart + 2)) ||
    (inwardEnd < text.length && isWordCode(text.charCodeAt(inwardEnd))) ||
    text.charCodeAt(inwardStart - 1) !== 0x20
  ) {
    return;
  }
  const outwardEnd = inwardStart - 1;
  let outwardStart = outwardEnd;
  while (outwardStart > 0 && outwardEnd - outwardStart < 5 && isWordCode(text.charCodeAt(outwardStart - 1)))
    outwardStart--;
  if (!isUkOutwardCode(text, outwardStart, outwardEnd)) return;
  let cityEnd = outwardStart - 1;
  if (text.charCodeAt(cityEnd) !== 0x20) return;
  if (text.charCodeAt(cityEnd - 1) === 0x2c) cityEnd--;
  const houseStart = streetAddressStart(text, cityEnd);
  if (houseStart === undefined) return;
  const hits = contextBefore(text, houseStart);
  emit(houseStart, inwardEnd, contextual(0.85, hits, ['address'], 0.95));
}

/** `/^[A-Z]{1,2}[0-9][A-Z0-9]?$/` on `text[start, end)`: the outward code of a UK postcode. */
function isUkOutwardCode(text: string, start: number, end: number): boolean {
  let at = start;
  while (at < end && at - start < 2 && isUpperAscii(text.charCodeAt(at))) at++;
  if (at === start || at >= end || !isDigit(text.charCodeAt(at))) return false;
  at++;
  if (at < end && (isDigit(text.charCodeAt(at)) || isUpperAscii(text.charCodeAt(at)))) at++;
  return at === end;
}

/**
 * Start of "<number> <street words>[ <unit>], <city words>" ending at `cityEnd` (the comma before the
 * state, or the space before a UK postcode), or undefined when the text before it is not shaped so.
 * The house number may end with a letter ("221B").
 */
function streetAddressStart(text: string, cityEnd: number): number | undefined {
  const cityStart = capitalizedAsciiWordsBefore(text, cityEnd, 4);
  if (cityStart === undefined) return undefined;
  let streetEnd: number;
  if (text.charCodeAt(cityStart - 1) === 0x20 && text.charCodeAt(cityStart - 2) === 0x2c)
    streetEnd = cityStart - 2;
  else if (text.charCodeAt(cityStart - 1) === 0x0a)
    streetEnd = cityStart - 1; // a label's second line
  else return undefined;
  // "Suite 661", "Apt. 464", "Unit 5B", "# 12"
  let at = streetEnd;
  if (isUpperAscii(text.charCodeAt(at - 1)) && isDigit(text.charCodeAt(at - 2))) at--;
  let digitCount = 0;
  while (at > 0 && digitCount < 5 && isDigit(text.charCodeAt(at - 1))) {
    at--;
    digitCount++;
  }
  if (digitCount > 0 && text.charCodeAt(at - 1) === 0x20) {
    let unitEnd = at - 1;
    if (text.charCodeAt(unitEnd - 1) === DOT) unitEnd--;
    let unitStart = unitEnd;
    while (unitStart > 0 && unitEnd - unitStart < 8 && isNameLetter(text.charCodeAt(unitStart - 1)))
      unitStart--;
    if (SECONDARY_UNITS.has(text, unitStart, unitEnd) && text.charCodeAt(unitStart - 1) === 0x20) {
      // "… Suite 661, City" or "… Avenue, Apt 5B, City"
      streetEnd = text.charCodeAt(unitStart - 2) === 0x2c ? unitStart - 2 : unitStart - 1;
    } else if (text.charCodeAt(at - 1) === 0x23) {
      streetEnd = at - 2;
    }
  }
  const streetStart = capitalizedAsciiWordsBefore(text, streetEnd, 5);
  if (streetStart === undefined || text.charCodeAt(streetStart - 1) !== 0x20) return undefined;
  let numberEnd = streetStart - 1;
  if (isUpperAscii(text.charCodeAt(numberEnd - 1)) && isDigit(text.charCodeAt(numberEnd - 2))) numberEnd--;
  let houseStart = numberEnd;
  while (houseStart > 0 && numberEnd - houseStart < 6 && isDigit(text.charCodeAt(houseStart - 1)))
    houseStart--;
  if (houseStart === numberEnd) return undefined;
  if (houseStart > 0 && isWordCode(text.charCodeAt(houseStart - 1))) return undefined;
  return houseStart;
}

/**
 * Start of 1 to `max` street or city words, one space apart, the last ending at `end`: capitalized
 * words ("Lake Elenaview", "Aufderhar-Hilpert"), ordinals ("5th", "10th") and directions ("E", "NW").
 */
function capitalizedAsciiWordsBefore(text: string, end: number, max: number): number | undefined {
  let start: number | undefined;
  let at = end;
  let capitalized = 0;
  for (let count = 0; count < max; count++) {
    let wordStart = at;
    while (wordStart > 0 && at - wordStart < 24) {
      const code = text.charCodeAt(wordStart - 1);
      if (isNameLetter(code) || (code === HYPHEN && isNameLetter(text.charCodeAt(wordStart - 2))))
        wordStart--;
      else break;
    }
    let ordinalStart = wordStart;
    while (ordinalStart > 0 && wordStart - ordinalStart < 4 && isDigit(text.charCodeAt(ordinalStart - 1)))
      ordinalStart--;
    const ordinal = ordinalStart < wordStart && isOrdinalSuffix(text, wordStart, at);
    if (ordinal) wordStart = ordinalStart;
    else if (wordStart === at || !isUpperAscii(text.charCodeAt(wordStart))) break;
    if (wordStart > 0 && isWordCode(text.charCodeAt(wordStart - 1))) break;
    if (!ordinal) capitalized++;
    start = wordStart;
    if (text.charCodeAt(wordStart - 1) !== 0x20) break;
    const previous = text.charCodeAt(wordStart - 2);
    if (!isNameLetter(previous) && !isDigit(previous)) break;
    at = wordStart - 1;
  }
  return capitalized > 0 ? start : undefined;
}

/** `/^(?:st|nd|rd|th)$/` on `text[start, end)`. */
function isOrdinalSuffix(text: string, start: number, end: number): boolean {
  if (end - start !== 2) return false;
  const first = text.charCodeAt(start);
  const second = text.charCodeAt(start + 1);
  return (
    (first === 0x73 && second === 0x74) || // st
    (first === 0x6e && second === 0x64) || // nd
    (first === 0x72 && second === 0x64) || // rd
    (first === 0x74 && second === 0x68) // th
  );
}

function isNameLetter(code: number): boolean {
  return isLowerAscii(code) || isUpperAscii(code) || code === 0x27;
}
