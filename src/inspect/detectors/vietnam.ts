/**
 * Vietnamese PII detectors (personal data under Decree 13/2023/ND-CP): citizen identity numbers
 * (CCCD, old CMND), phone numbers, tax codes (MST), bank accounts, full names and addresses, with or
 * without diacritics, in NFC or NFD. Identity numbers and tax codes are checked by structure, bank
 * accounts and old IDs need a label, names and addresses need Vietnamese name parts or address
 * keywords. Linear on hostile input; every loop checks the scan deadline.
 */
import type { Detector, ScanBudget } from '../types.js';
import { cardScheme, cccdStructure, luhnValid, taxCodeValid, vietnamesePhoneKind } from './checks.js';
import {
  LOWER,
  UPPER,
  contextBefore,
  contextual,
  foldRange,
  foldedWordHash,
  isWordCode,
  kindMask,
  labelEndsAt,
  labelMayEndNear,
  letterCase,
  currentYear,
  nfcView,
} from './context.js';
import type { ContextKind, NfcView } from './context.js';
import {
  HAS_COMBINING,
  HAS_DIGIT,
  HAS_LETTER_NON_ASCII,
  HAS_LOWER_ASCII,
  HAS_SPACE,
  HAS_UPPER_ASCII,
  detector,
  gate,
  groupLengthBit,
} from './text-profile.js';
import type { Emit, TextProfile } from './text-profile.js';
import { ADDRESS_KEYWORDS, CITY, HAMLET, HOUSE, STREET, VN_CITY_ALIASES } from './data/vn-address.js';
import type { AddressKeyword } from './data/vn-address.js';
import { CCCD_PROVINCE_CODES } from './data/vn-codes.js';
import {
  VN_AMBIGUOUS_SURNAMES,
  VN_HONORIFICS,
  VN_MIDDLE_NAMES,
  VN_NOT_PERSON_AFTER,
  VN_NOT_PERSON_BEFORE,
  VN_PLACE_NAMES,
  VN_SURNAMES,
} from './data/vn-names.js';
import {
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
import { addressKeywords } from './address-keywords.js';
import type { AddressKeywords } from './address-keywords.js';

/**
 * The Vietnamese PII detectors.
 *
 * @example
 * vietnamDetectors().find((d) => d.name === 'vn.cccd')?.detect('CCCD: 079203001234', budget)
 */
export function vietnamDetectors(): Detector[] {
  return [
    detector(
      'vn.cccd',
      ['vn_cccd'],
      gate({
        minLength: 12,
        minTokenDigits: 12,
        // one run of 12, or written in groups ("079 203 001 234", "0792 0300 1234", "079.203.001234")
        groupLengths: groupLengthBit(12) | groupLengthBit(3) | groupLengthBit(4) | groupLengthBit(6),
      }),
      detectCccd,
    ),
    // 9 digits in one run, after a label
    detector(
      'vn.cmnd',
      ['vn_cmnd'],
      gate({ minLength: 9, groupLengths: groupLengthBit(9), any: ANY_LETTER }),
      detectCmnd,
    ),
    detector('vn.phone', ['phone'], gate({ minLength: 10, minTokenDigits: 10 }), detectVietnamesePhones),
    detector(
      'vn.tax_code',
      ['vn_tax_code'],
      gate({ minLength: 10, groupLengths: groupLengthBit(10) | groupLengthBit(13) }),
      detectTaxCodes,
    ),
    // 6 digits or more, after a label
    detector(
      'vn.bank_account',
      ['bank_account'],
      gate({ minLength: 6, minTokenDigits: 6, any: ANY_LETTER }),
      detectBankAccounts,
    ),
    // two capitalized words one space apart (in NFD text the capitals are ASCII letters)
    detector(
      'vn.person_name',
      ['person_name'],
      gate({ minLength: 3, all: HAS_SPACE, minCapitals: 2 }),
      detectVietnameseNames,
    ),
    // address keywords are words
    detector('vn.address', ['address'], gate({ minLength: 3, any: ANY_LETTER }), detectAddresses),
  ];
}

/** Some letter: context labels and keywords need one. */
const ANY_LETTER = HAS_LOWER_ASCII | HAS_UPPER_ASCII | HAS_LETTER_NON_ASCII;

// ---------------------------------------------------------------------------------------------
// CCCD (12 digits) and CMND (9 digits, only when labelled)

const CCCD_KINDS: readonly ContextKind[] = ['cccd'];
const CMND_KINDS: readonly ContextKind[] = ['cmnd'];

/**
 * How a CCCD is written in groups: 3-3-3-3, 4-4-4 or 3-3-6, one separator (space, no-break space,
 * dot or hyphen) throughout. Only after a CCCD label: grouped digits are common (amounts, codes,
 * parts of a card number), a valid-looking CCCD among them is not. The groups may be the whole
 * token or part of one ("079 203 012 345 (2021)"), but never a part that the same separator
 * continues ("079 203 012 345 678" holds no CCCD).
 */
const CCCD_GROUPINGS = ['3,3,3,3', '4,4,4', '3,3,6'];
const CCCD_SEPARATORS = ' .-\u00a0';

function detectCccd(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) break;
    const tokenFirst = runs.tokenFirst[token] ?? 0;
    const tokenLast = runs.tokenLast[token] ?? 0;
    if ((runs.tokenDigits[token] ?? 0) < 12 || tokenLast === tokenFirst) continue;
    for (let first = tokenFirst; first < tokenLast; first++) {
      const last = groupedCccdEnd(runs, tokenFirst, first, tokenLast);
      if (last === undefined || !isStandalone(runs, token, first, last)) continue;
      if (cccdStructure(digitsOf(runs, first, last), currentYear()) === undefined) continue;
      const start = runs.groupStart[first] ?? 0;
      const hits = contextBefore(text, start);
      if (
        !hits.empty &&
        hits.verdict(CCCD_KINDS) === 'positive' &&
        hits.distance('cccd') <= hits.distance('bank')
      )
        emit(start, runs.groupEnd[last] ?? 0, 0.9);
      first = last;
    }
  }
  for (const group of standaloneGroups(runs, budget, 12)) {
    if (cccdStructure(digitsOf(runs, group, group), currentYear()) === undefined) continue;
    const start = runs.groupStart[group] ?? 0;
    const hits = contextBefore(text, start);
    // "STK: 060…": an account number that happens to have a CCCD's shape is the account detector's
    const accountLabel = !hits.empty && hits.distance('bank') < hits.distance('cccd');
    emit(
      start,
      runs.groupEnd[group] ?? 0,
      accountLabel ? 0.3 : contextual(0.6, hits, CCCD_KINDS, 0.95, 0.25),
    );
  }
}

/**
 * The last group of a CCCD written in groups from group `first` (see CCCD_GROUPINGS), or undefined:
 * the groups' lengths, one separator of one character between them, and neither neighbour group
 * joined by that same separator.
 */
function groupedCccdEnd(
  runs: DigitRuns,
  tokenFirst: number,
  first: number,
  tokenLast: number,
): number | undefined {
  const separatorAt = runs.groupEnd[first] ?? 0;
  const separator = runs.text.charAt(separatorAt);
  if (!CCCD_SEPARATORS.includes(separator)) return undefined;
  const sameGap = (group: number): boolean =>
    (runs.groupStart[group] ?? 0) - (runs.groupEnd[group - 1] ?? 0) === 1 &&
    runs.text.charAt(runs.groupEnd[group - 1] ?? 0) === separator;
  if (first > tokenFirst && sameGap(first)) return undefined;
  let lengths = '';
  for (let last = first; last <= tokenLast && last - first < 4; last++) {
    if (last > first && !sameGap(last)) return undefined;
    lengths += (last > first ? ',' : '') + String(groupLength(runs, last));
    if (CCCD_GROUPINGS.includes(lengths)) {
      if (last < tokenLast && sameGap(last + 1)) return undefined;
      return last;
    }
  }
  return undefined;
}

function detectCmnd(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (const group of standaloneGroups(runs, budget, 9)) {
    const start = runs.groupStart[group] ?? 0;
    const hits = contextBefore(text, start);
    if (!hits.empty && hits.verdict(CMND_KINDS) === 'positive') emit(start, runs.groupEnd[group] ?? 0, 0.85);
  }
}

/** The groups of exactly `length` digits that stand alone as a number (stops at the deadline). */
function standaloneGroups(runs: DigitRuns, budget: ScanBudget, length: number): number[] {
  const groups: number[] = [];
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) break;
    if ((runs.tokenDigits[token] ?? 0) < length) continue;
    for (let group = runs.tokenFirst[token] ?? 0; group <= (runs.tokenLast[token] ?? -1); group++) {
      if (groupLength(runs, group) === length && isStandalone(runs, token, group, group)) groups.push(group);
    }
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Phone numbers: 0912 345 678, 0912.345.678, +84 912-345-678, 84912345678, (028) 3823 4567

const PHONE_KINDS: readonly ContextKind[] = ['phone'];

function detectVietnamesePhones(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) return;
    if ((runs.tokenDigits[token] ?? 0) < 10) continue;
    const first = runs.tokenFirst[token] ?? 0;
    const last = runs.tokenLast[token] ?? 0;
    for (let start = first; start <= last; start++) {
      const lead = text.charCodeAt(runs.groupStart[start] ?? 0);
      if (lead !== 0x30 && lead !== 0x38) continue; // 0… or 84…
      const match = phoneAt(runs, token, start, last);
      if (match === undefined) continue;
      const plus = start === first && ((runs.tokenFlags[token] ?? 0) & PLUS_BEFORE) !== 0;
      let spanStart = runs.groupStart[start] ?? 0;
      if (plus) spanStart -= text.charCodeAt(spanStart - 1) === 0x2b ? 1 : 2; // "+84", "+(84"
      if (text.charCodeAt(spanStart - 1) === 0x28) spanStart -= 1; // "(+84)", "(028)"
      const bareCountryCode = match.international && !plus && !text.startsWith('00', runs.groupStart[start]);
      let base = match.kind === 'mobile' ? 0.85 : 0.75;
      if (bareCountryCode) base -= 0.2; // 84912345678 may be any number
      const hits = contextBefore(text, spanStart);
      // "STK 0084364916443": Vietcombank accounts start with 00; without a "+", an account label decides
      if (match.international && !plus && !hits.empty && hits.distance('bank') < hits.distance('phone'))
        base = 0.4;
      emit(spanStart, runs.groupEnd[match.end] ?? 0, contextual(base, hits, PHONE_KINDS, 0.95, 0.35));
      start = match.end;
    }
  }
}

interface PhoneMatch {
  end: number;
  kind: 'mobile' | 'landline';
  international: boolean;
}

/** The longest Vietnamese phone number made of groups `start..`, if any. */
function phoneAt(runs: DigitRuns, token: number, start: number, last: number): PhoneMatch | undefined {
  let digits = '';
  let found: PhoneMatch | undefined;
  for (let end = start; end <= last && end - start < 6; end++) {
    const length = groupLength(runs, end);
    // groups of one digit are only the trunk "(0)" after the country code: "0 9 1 2 …" is no phone
    if (length === 1 && end > start && !(runs.text[runs.groupStart[end] ?? 0] === '0' && end === start + 1))
      break;
    digits += digitsOf(runs, end, end);
    if (digits.length > 13) break;
    if (digits.length < 10) continue;
    const kind = vietnamesePhoneKind(digits);
    if (kind !== undefined && isStandalone(runs, token, start, end)) {
      found = { end, kind, international: !digits.startsWith('0') || digits.startsWith('00') };
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Tax codes (mã số thuế): 10 digits, or 10-3 for a branch, with the check digit

const TAX_KINDS: readonly ContextKind[] = ['tax'];

function detectTaxCodes(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) return;
    if ((runs.tokenDigits[token] ?? 0) < 10) continue;
    const first = runs.tokenFirst[token] ?? 0;
    const last = runs.tokenLast[token] ?? 0;
    for (let group = first; group <= last; group++) {
      const length = groupLength(runs, group);
      if (length !== 10 && length !== 13) continue;
      const start = runs.groupStart[group] ?? 0;
      // a branch: "0314409058-002", or its 13 digits written together
      const dashedBranch =
        length === 10 &&
        group < last &&
        groupLength(runs, group + 1) === 3 &&
        runs.text.slice(runs.groupEnd[group], runs.groupStart[group + 1]) === '-';
      const branch = dashedBranch || length === 13;
      const end = dashedBranch ? group + 1 : group;
      if (!isStandalone(runs, token, group, end)) continue;
      const digits = digitsOf(runs, group, end);
      if (!taxCodeValid(digits)) continue;
      const hits = contextBefore(text, start);
      const labelled = hits.verdict(TAX_KINDS) === 'positive';
      // a mobile number that happens to pass the check digit is a phone
      if (!branch && !labelled && vietnamesePhoneKind(digits) !== undefined) continue;
      // 13 plain digits are any long number unless labelled; the dash makes the branch form distinctive
      const base = dashedBranch ? 0.8 : 0.45;
      emit(start, runs.groupEnd[end] ?? 0, contextual(base, hits, TAX_KINDS, 0.95, 0.2));
      group = end;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bank accounts: 6-19 digits, only next to "số tài khoản", "STK", "account number" or a bank name

const ACCOUNT_KINDS: readonly ContextKind[] = ['bank', 'bankName'];
const ACCOUNT_MASK = kindMask(ACCOUNT_KINDS);
/** What follows an amount of money: "500000 VND", "200.000đ", "5tr". */
const CURRENCY_AFTER = /^ ?(?:vnd|vnđ|đ|₫|dong|đồng|usd|\$|k\b|tr\b|triệu|trieu|nghìn|ngàn)/i;

function detectBankAccounts(text: string, budget: ScanBudget, emit: Emit): void {
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token + 1, budget)) return;
    if ((runs.tokenDigits[token] ?? 0) < 6) continue;
    const first = runs.tokenFirst[token] ?? 0;
    const last = runs.tokenLast[token] ?? 0;
    const digitCount = runs.tokenDigits[token] ?? 0;
    // the whole token when it is one number ("0071 0001 23456"), else each group on its own
    if (last > first && digitCount <= 19 && hasUniformGaps(runs, first, last, ' -')) {
      bankAccountAt(runs, token, first, last, emit);
    } else {
      for (let group = first; group <= last; group++) {
        if (groupLength(runs, group) >= 6) bankAccountAt(runs, token, group, group, emit);
      }
    }
  }
}

function bankAccountAt(runs: DigitRuns, token: number, start: number, end: number, emit: Emit): void {
  const text = runs.text;
  const spanStart = runs.groupStart[start] ?? 0;
  const spanEnd = runs.groupEnd[end] ?? 0;
  if (spanEnd - spanStart > 24 || !isStandalone(runs, token, start, end)) return;
  const digits = digitsOf(runs, start, end);
  if (digits.length > 19) return;
  // "20-00-00" is a UK sort code, the bank's branch, not the account
  if (digits.length === 6 && end - start === 2 && SORT_CODE.test(text.slice(spanStart, spanEnd))) return;
  // phones and cards are reported as such whatever the label (see isOtherNumber): no label lookup
  if (!isInternationalLooking(digits) && vietnamesePhoneKind(digits) !== undefined) return;
  if (digits.length >= 13 && luhnValid(digits) && cardScheme(digits) !== undefined) return;
  // most numbers have no account label near: a look at the words before spares the full lookup
  if (!labelMayEndNear(text, spanStart, Infinity, ACCOUNT_MASK)) return;
  const hits = contextBefore(text, spanStart);
  if (hits.empty || hits.verdict(ACCOUNT_KINDS) !== 'positive') return;
  const accountLabel = hits.distance('bank') <= hits.distance('bankName');
  if (!accountLabel && digits.length < 8) return;
  if (CURRENCY_AFTER.test(text.slice(spanEnd, spanEnd + 8))) return;
  if (
    isOtherNumber(digits, hits.distance('bank') < Math.min(hits.distance('cccd'), hits.distance('phone')))
  ) {
    return;
  }
  emit(spanStart, spanEnd, accountLabel ? 0.85 : 0.7);
}

/** A UK sort code: three pairs of digits joined by hyphens. */
const SORT_CODE = /^\d\d-\d\d-\d\d$/;

/** Digits written with Vietnam's calling code, as an account number may look ("0084…", "84…"). */
function isInternationalLooking(digits: string): boolean {
  return digits.startsWith('00') || digits.startsWith('84');
}

/**
 * Digits that are a phone, a card or a CCCD are reported as such, not as an account; a CCCD shape or
 * an international-looking number ("0084…") right after an account label is still an account.
 */
function isOtherNumber(digits: string, accountLabelled: boolean): boolean {
  // a national phone number stays a phone ("STK: 0912345678"); "0084…" after "STK" is an account
  if (vietnamesePhoneKind(digits) !== undefined && !(accountLabelled && isInternationalLooking(digits)))
    return true;
  if (digits.length >= 13 && luhnValid(digits) && cardScheme(digits) !== undefined) return true;
  return !accountLabelled && digits.length === 12 && cccdStructure(digits, currentYear()) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Words in Vietnamese text (shared by names and addresses)

/**
 * Vietnamese letters for the name anchor, as class ranges. In U+1EA0-U+1EF9 upper and lower case
 * alternate (even code points are upper case).
 */
const VN_UPPER = `A-ZÀ-ÃÈ-ÊÌÍÒ-ÕÙÚÝĂĐĨŨƠƯ${alternating(0x1ea0, 0x1ef8)}`;
const VN_LOWER = `a-zà-ãè-êìíò-õùúýăđĩũơư${alternating(0x1ea1, 0x1ef9)}`;

/** Every other code point from `first` to `last`, for a character class. */
function alternating(first: number, last: number): string {
  let characters = '';
  for (let code = first; code <= last; code += 2) characters += String.fromCharCode(code);
  return characters;
}

interface VnWord {
  start: number;
  end: number;
  /** NFC text of the word, first letter upper case, the rest lower case ("NGUYỄN" → "Nguyễn"). */
  display: string;
  /** Lower case without diacritics. */
  folded: string;
  diacritics: boolean;
}

const MAX_WORD_LENGTH = 10;

/** One capitalized word at `position` ("Nguyễn", "NGUYỄN", "Hà"), or undefined. */
function wordAt(text: string, position: number): VnWord | undefined {
  if (letterCase(text.charCodeAt(position)) !== UPPER) return undefined;
  let end = position + 1;
  let lower = 0;
  let upper = 0;
  let diacritics = text.charCodeAt(position) >= 0x80;
  while (end < text.length && end - position < MAX_WORD_LENGTH) {
    const code = text.charCodeAt(end);
    const letter = letterCase(code);
    if (letter === LOWER) lower++;
    else if (letter === UPPER) upper++;
    else break;
    if (code >= 0x80) diacritics = true;
    end++;
  }
  if (end < text.length && isWordCode(text.charCodeAt(end))) return undefined; // too long, digits, other scripts
  if (lower > 0 && upper > 0) return undefined; // "McDonald", "iPhone"
  const raw = text.slice(position, end);
  const display = upper > 0 ? raw[0] + raw.slice(1).toLowerCase() : raw;
  return { start: position, end, display, folded: foldRange(raw, 0, raw.length), diacritics };
}

/** Up to `max` capitalized words from `position`, one space (or NBSP) apart. */
function wordsFrom(text: string, position: number, max: number): VnWord[] {
  const words: VnWord[] = [];
  let at = position;
  while (words.length < max) {
    const word = wordAt(text, at);
    if (word === undefined) break;
    words.push(word);
    const separator = text.charCodeAt(word.end);
    if (separator !== 0x20 && separator !== 0xa0) break;
    at = word.end + 1;
  }
  return words;
}

/** The folded word just before `position` (skipping spaces and a colon), or ''. */
/** Whether a colon stands right before `position`, maybe with spaces between. */
function colonBefore(text: string, position: number): boolean {
  let at = position;
  while (at > 0 && position - at < 3 && (text[at - 1] === ' ' || text[at - 1] === '\u00a0')) at--;
  return text[at - 1] === ':';
}

function foldedWordBefore(text: string, position: number): string {
  let end = position;
  while (
    end > 0 &&
    position - end < 3 &&
    (text[end - 1] === ' ' || text[end - 1] === ':' || text[end - 1] === '\u00a0')
  )
    end--;
  let start = end;
  while (start > 0 && end - start < 12 && letterCase(text.charCodeAt(start - 1)) !== 0) start--;
  return foldRange(text, start, end);
}

// ---------------------------------------------------------------------------------------------
// Full names: a common surname and 1-3 given names ("Nguyễn Văn An", "TRẦN THỊ BÍCH NGỌC", "Le Van Tam")

/** Capitalized words read in one run: a few names in a row ("Nguyễn Văn An Trần Thị Bình"). */
const MAX_RUN_WORDS = 12;
/** A Vietnamese syllable, folded: initial consonant, 1-3 vowels, final consonant. */
const SYLLABLE =
  /^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$/;

const SURNAMES_EXACT = new Set(VN_SURNAMES);
const SURNAMES_FOLDED = new Set(VN_SURNAMES.map(fold));
const AMBIGUOUS_EXACT = new Set(VN_AMBIGUOUS_SURNAMES);
const AMBIGUOUS_FOLDED = new Set(VN_AMBIGUOUS_SURNAMES.map(fold));
const MIDDLE_EXACT = new Set(VN_MIDDLE_NAMES);
const MIDDLE_FOLDED = new Set(VN_MIDDLE_NAMES.map(fold));
const HONORIFICS_FOLDED = new Set(VN_HONORIFICS.map(fold));

function fold(word: string): string {
  return foldRange(word, 0, word.length);
}

function isSurname(word: VnWord): boolean {
  return word.diacritics ? SURNAMES_EXACT.has(word.display) : SURNAMES_FOLDED.has(word.folded);
}

function isAmbiguousSurname(word: VnWord): boolean {
  return word.diacritics ? AMBIGUOUS_EXACT.has(word.display) : AMBIGUOUS_FOLDED.has(word.folded);
}

function isMiddleName(word: VnWord): boolean {
  return word.diacritics ? MIDDLE_EXACT.has(word.display) : MIDDLE_FOLDED.has(word.folded);
}

function isSyllable(word: VnWord): boolean {
  return word.folded.length <= 7 && SYLLABLE.test(word.folded);
}

/**
 * Names are read run by run: a run is up to MAX_RUN_WORDS capitalized words from a name anchor (a
 * capitalized word, a space, a capital), and the next anchor is looked for after the run. Which runs
 * a chain of capitalized words is cut into depends on where the chain starts, so a chain is read
 * from its start; only chains holding a surname can hold a name, and `surnameStarts` lists the
 * surnames, so the other chains are never read.
 */
function detectVietnameseNames(text: string, budget: ScanBudget, emit: Emit, profile: TextProfile): void {
  let surnames = surnameStarts(text, budget, true);
  let view: NfcView;
  if (surnames === COMBINING_MARK_MET) {
    view = nfcView(text, budget, (profile.flags & HAS_COMBINING) !== 0);
    surnames = surnameStarts(view.text, budget, false);
  } else {
    view = nfcView(text, budget, false);
  }
  const source = view.text;
  let iteration = 0;
  let chainEnd = 0;
  for (let hit = 0; hit < surnames; hit++) {
    const surname = surnameScratch[hit] ?? 0;
    if (surname < chainEnd) continue; // read with the chain before
    let position = Math.max(chainEnd, chainStartBefore(source, surname));
    chainEnd = chainEndAfter(source, surname);
    for (let start = nameAnchor(source, position, chainEnd); start !== -1;) {
      if (outOfTime(++iteration, budget)) return;
      if (start > 0 && isWordCode(source.charCodeAt(start - 1))) {
        position = start + 1;
      } else {
        // most capitalized runs hold no surname: find out by hashes before building any word
        const runEnd = capitalizedRunEnd(source, start, MAX_RUN_WORDS);
        position = Math.max(start + 1, runEnd);
        if (runHasSurname) {
          const words = wordsFrom(source, start, MAX_RUN_WORDS);
          if (words.length >= 2) namesInSequence(source, view, words, emit);
        }
      }
      start = nameAnchor(source, position, chainEnd);
    }
  }
}

/** Letters that may follow the first letter of a surname (any case): ASCII and Latin letters, no "×" or "÷". */
const SURNAME_LETTERS = 'a-zA-Z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff';
const SURNAME_LENGTHS = VN_SURNAMES.map((surname) => surname.length);
/**
 * What a surname opening a name looks like, or a combining mark: a capital that starts some surname,
 * one to five more letters, a space and a capital. Simple classes let the pattern skip most of a
 * text at native speed; each match is then checked in code (see surnameStarts).
 */
const SURNAME_CANDIDATE = new RegExp(
  `[${[...new Set(VN_SURNAMES.flatMap((surname) => [surname[0], fold(surname)[0]?.toUpperCase()]))].join('')}]` +
    `[${SURNAME_LETTERS}]{${Math.min(...SURNAME_LENGTHS) - 1},${Math.max(...SURNAME_LENGTHS) - 1}}` +
    `[ \u00a0](?=[A-Z\u00c0-\u1fff])|[\u0300-\u036f]`,
  'g',
);
/** Returned by surnameStarts when it meets a combining mark (and was asked to look for one). */
const COMBINING_MARK_MET = -1;
let surnameScratch: Int32Array = new Int32Array(64);

/**
 * Fills `surnameScratch` with the starts of the words of `text` that the name reader takes for a
 * surname opening a name (a word at a word start, capitalized and not of mixed case, a listed
 * surname, exactly when written with diacritics and folded when not, then a space and a capital)
 * and returns their count; COMBINING_MARK_MET instead when `findMarks` and `text` holds a combining
 * mark (a decomposed text is read in its NFC form).
 */
function surnameStarts(text: string, budget: ScanBudget, findMarks: boolean): number {
  let count = 0;
  let iteration = 0;
  SURNAME_CANDIDATE.lastIndex = 0;
  for (let match = SURNAME_CANDIDATE.exec(text); match !== null; match = SURNAME_CANDIDATE.exec(text)) {
    if (outOfTime(++iteration, budget)) break;
    const start = match.index;
    const separator = SURNAME_CANDIDATE.lastIndex - 1;
    if (separator === start) {
      if (findMarks) return COMBINING_MARK_MET;
      continue;
    }
    if (start > 0 && isWordCode(text.charCodeAt(start - 1))) continue;
    if (!isSurnameWord(text, start, separator) || letterCase(text.charCodeAt(separator + 1)) !== UPPER)
      continue;
    if (count === surnameScratch.length) {
      const larger = new Int32Array(count * 2);
      larger.set(surnameScratch);
      surnameScratch = larger;
    }
    surnameScratch[count++] = start;
  }
  return count;
}

/** Whether `[start, end)` is a word (cased letters) that `isSurname` accepts as `wordAt` reads it. */
function isSurnameWord(text: string, start: number, end: number): boolean {
  let capitals = 0;
  let nonAscii = false;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    const letter = letterCase(code);
    if (letter === 0) return false;
    if (letter === UPPER && index > start) capitals++;
    if (code >= 0x80) nonAscii = true;
  }
  if (capitals > 0 && capitals < end - start - 1) return false; // "McDonald": no word to wordAt
  if (!SURNAME_HASHES.has(foldedWordHash(text, start, end))) return false;
  if (!nonAscii) return true; // folded, as isSurname compares a word without diacritics
  const raw = text.slice(start, end);
  return SURNAMES_EXACT.has(capitals > 0 ? raw[0] + raw.slice(1).toLowerCase() : raw);
}

const ANCHOR_CAPITAL = 1;
const ANCHOR_LETTER = 2;
/** ANCHOR_CAPITAL and ANCHOR_LETTER bits of the units below U+1F00 (none above is a Vietnamese letter). */
const ANCHOR_UNITS = buildAnchorUnits();

function buildAnchorUnits(): Uint8Array {
  const capital = new RegExp(`[${VN_UPPER}]`);
  const letter = new RegExp(`[${VN_LOWER}${VN_UPPER}]`);
  const table = new Uint8Array(0x1f00);
  for (let code = 0; code < table.length; code++) {
    const character = String.fromCharCode(code);
    table[code] =
      (capital.test(character) ? ANCHOR_CAPITAL : 0) | (letter.test(character) ? ANCHOR_LETTER : 0);
  }
  return table;
}

function isAnchorUnit(code: number, bit: number): boolean {
  return code < 0x1f00 && ((ANCHOR_UNITS[code] ?? 0) & bit) !== 0;
}

/**
 * Start of the first name anchor in `[from, limit)`, or -1: a Vietnamese capital, at most nine more
 * Vietnamese letters, a space or NBSP, and another Vietnamese capital.
 */
function nameAnchor(text: string, from: number, limit: number): number {
  for (let start = from; start < limit; start++) {
    if (!isAnchorUnit(text.charCodeAt(start), ANCHOR_CAPITAL)) continue;
    let end = start + 1;
    while (end - start <= 9 && isAnchorUnit(text.charCodeAt(end), ANCHOR_LETTER)) end++;
    const separator = text.charCodeAt(end);
    if ((separator === 0x20 || separator === 0xa0) && isAnchorUnit(text.charCodeAt(end + 1), ANCHOR_CAPITAL))
      return start;
  }
  return -1;
}

/**
 * Where the chain of capitalized words holding the word at `position` starts, walking back word by
 * word: a point that no run of capitalized words and no name anchor crosses (after a character
 * that is no letter and no single separator, a lower-case word, a word longer than a run reads, or
 * letters glued to a digit), so reading from there finds the runs a read from the text's start finds.
 */
function chainStartBefore(text: string, position: number): number {
  let start = position;
  for (;;) {
    const separator = text.charCodeAt(start - 1);
    if (separator !== 0x20 && separator !== 0xa0) return start;
    let wordStart = start - 1;
    while (
      wordStart > 0 &&
      start - 1 - wordStart <= MAX_WORD_LENGTH &&
      letterCase(text.charCodeAt(wordStart - 1)) !== 0
    ) {
      wordStart--;
    }
    const length = start - 1 - wordStart;
    if (length === 0 || length > MAX_WORD_LENGTH || letterCase(text.charCodeAt(wordStart)) !== UPPER)
      return start;
    if (wordStart > 0 && isWordCode(text.charCodeAt(wordStart - 1))) return start;
    start = wordStart;
  }
}

/** Where the chain of capitalized words from `position` ends: a point no run or anchor crosses (see chainStartBefore). */
function chainEndAfter(text: string, position: number): number {
  let start = position;
  for (;;) {
    let end = start;
    while (end < text.length && end - start <= MAX_WORD_LENGTH && letterCase(text.charCodeAt(end)) !== 0)
      end++;
    if (end - start > MAX_WORD_LENGTH) return end; // runs stop inside a long word
    const separator = text.charCodeAt(end);
    if ((separator !== 0x20 && separator !== 0xa0) || letterCase(text.charCodeAt(end + 1)) !== UPPER)
      return end;
    start = end + 1;
  }
}

/** Reports the names in a run of capitalized words. */
function namesInSequence(text: string, view: NfcView, words: readonly VnWord[], emit: Emit): void {
  for (let index = 0; index + 1 < words.length; index++) {
    const surname = words[index];
    if (surname === undefined || !isSurname(surname)) continue;
    // "Ông Nguyễn Văn Tuấn": a surname that is also an honorific ("Ông"), before another surname, is the honorific
    const following = words[index + 1];
    if (HONORIFICS_FOLDED.has(surname.folded) && following !== undefined && isSurname(following)) continue;
    let end = index;
    while (end + 1 < words.length && end - index < 3 && isSyllable(words[end + 1] as VnWord)) {
      // "Nguyễn Văn An Trần Thị Bình": a plain surname after two given names starts the next name
      const next = words[end + 1] as VnWord;
      const afterNext = words[end + 2];
      if (
        end - index >= 2 &&
        isSurname(next) &&
        !isAmbiguousSurname(next) &&
        afterNext !== undefined &&
        isSyllable(afterNext)
      ) {
        break;
      }
      end++;
    }
    if (end === index) continue;
    const given = end - index;
    const name = words.slice(index, end + 1);
    const before = index > 0 ? (words[index - 1]?.folded ?? '') : foldedWordBefore(text, surname.start);
    // "Người nhà: Hoàng Văn Tuấn": a word before a colon is a label, not the place the name belongs to
    const labelled = index === 0 && colonBefore(text, surname.start);
    if (
      (VN_NOT_PERSON_BEFORE.has(before) && !labelled) ||
      (index === 0 && digitBefore(text, surname.start))
    ) {
      index = end;
      continue;
    }
    const after = words[end + 1];
    const afterWord = after?.folded ?? foldedWordAfter(text, words[end]?.end ?? 0);
    if (VN_NOT_PERSON_AFTER.has(afterWord)) {
      index = end;
      continue;
    }
    const folded = name.map((word) => word.folded).join(' ');
    if (startsWithPlaceName(folded)) {
      index = end;
      continue;
    }
    const diacritics = name.some((word) => word.diacritics);
    const knownMiddle = isMiddleName(words[index + 1] as VnWord);
    let confidence = diacritics
      ? given >= 2
        ? knownMiddle
          ? 0.8
          : 0.7
        : 0.6
      : given >= 2
        ? knownMiddle
          ? 0.6
          : 0.45
        : 0.35;
    if (isAmbiguousSurname(surname) && !(knownMiddle && given >= 2)) confidence -= 0.25;
    if (after !== undefined) confidence -= 0.15; // more capitalized words follow: a title or an organization
    if (HONORIFICS_FOLDED.has(before) || labelEndsAt(text, surname.start, 'name'))
      confidence = Math.max(confidence, diacritics ? 0.9 : 0.85);
    const last = words[end] as VnWord;
    emit(view.start(surname.start), view.end(last.end), confidence);
    index = end;
  }
}

const PLACE_NAMES: ReadonlySet<string> = new Set(VN_PLACE_NAMES);

/** Whether `folded` is a place name or starts with one and a space ("ho chi minh", "ha noi ..."). */
function startsWithPlaceName(folded: string): boolean {
  if (PLACE_NAMES.has(folded)) return true;
  for (let space = folded.indexOf(' '); space !== -1; space = folded.indexOf(' ', space + 1)) {
    if (PLACE_NAMES.has(folded.slice(0, space))) return true;
  }
  return false;
}

const SURNAME_HASHES = new Set(VN_SURNAMES.map((surname) => foldedWordHash(surname, 0, surname.length)));
/** Set by capitalizedRunEnd: whether a word of the run folds to a surname. */
let runHasSurname = false;

/** End of up to `max` capitalized words from `start` (as wordsFrom reads them), noting in runHasSurname whether one is a surname. */
function capitalizedRunEnd(text: string, start: number, max: number): number {
  runHasSurname = false;
  let position = start;
  let end = start;
  for (let count = 0; count < max; count++) {
    if (letterCase(text.charCodeAt(position)) !== UPPER) break;
    let wordEnd = position + 1;
    while (
      wordEnd < text.length &&
      wordEnd - position < MAX_WORD_LENGTH &&
      letterCase(text.charCodeAt(wordEnd)) !== 0
    ) {
      wordEnd++;
    }
    if (SURNAME_HASHES.has(foldedWordHash(text, position, wordEnd))) runHasSurname = true;
    end = wordEnd;
    const separator = text.charCodeAt(wordEnd);
    if (separator !== 0x20 && separator !== 0xa0) break;
    position = wordEnd + 1;
  }
  return end;
}

function digitBefore(text: string, position: number): boolean {
  let at = position;
  while (at > 0 && position - at < 3 && (text[at - 1] === ' ' || text[at - 1] === ',')) at--;
  return at < position && at > 0 && isDigit(text.charCodeAt(at - 1));
}

function foldedWordAfter(text: string, position: number): string {
  let start = position;
  while (start < text.length && start - position < 2 && text[start] === ' ') start++;
  let end = start;
  while (end < text.length && end - start < 12 && letterCase(text.charCodeAt(end)) !== 0) end++;
  return foldRange(text, start, end);
}

// ---------------------------------------------------------------------------------------------
// Addresses: "Số 12 đường Lê Lợi, phường Bến Nghé, quận 1, TP. Hồ Chí Minh", "12 Le Loi Street, Ben Nghe Ward"

const ADDRESS_KINDS: readonly ContextKind[] = ['address'];
const ADDRESS_MASK = kindMask(ADDRESS_KINDS);

const CITY_NAMES: ReadonlySet<string> = new Set([
  ...[...CCCD_PROVINCE_CODES.values()].map((name) => fold(name).replace(/[^a-z]+/g, ' ')),
  ...VN_CITY_ALIASES,
]);

interface Component {
  start: number;
  end: number;
  level: number;
}

/**
 * Address parts open at keywords ("phường", "Street") and abbreviations ("P.", "Q.1"), which
 * `addressKeywords` lists in text order; they are read as two streams, the
 * earlier first (a keyword before an abbreviation at the same place), and a part hides the matches
 * it covers.
 */
function detectAddresses(text: string, budget: ScanBudget, emit: Emit, profile: TextProfile): void {
  const read = keywordsOfView(text, budget, profile);
  if (read === undefined) return;
  const { view, found } = read;
  const reported: number[] = [];
  if (found.keywords > 0 || found.abbreviations > 0) keywordAddresses(view, found, budget, emit, reported);
  if ((profile.flags & HAS_DIGIT) !== 0) plainAddresses(view, budget, emit, reported);
}

/** The addresses the keywords open; the view spans of those reported go to `reported` (start, end pairs). */
function keywordAddresses(
  view: NfcView,
  found: AddressKeywords,
  budget: ScanBudget,
  emit: Emit,
  reported: number[],
): void {
  const source = view.text;
  const report = (group: readonly Component[]): void => {
    const span = reportAddress(source, view, group, emit);
    if (span !== undefined) reported.push(span.start, span.end);
  };
  let group: Component[] = [];
  let iteration = 0;
  let word = 0;
  let abbreviation = 0;
  while (word < found.keywords || abbreviation < found.abbreviations) {
    if (outOfTime(++iteration, budget)) return;
    const wordStart = word < found.keywords ? (found.keywordStart[word] ?? 0) : Infinity;
    const abbreviationStart =
      abbreviation < found.abbreviations ? (found.abbreviationStart[abbreviation] ?? 0) : Infinity;
    const isWord = wordStart <= abbreviationStart;
    const start = isWord ? wordStart : abbreviationStart;
    let from = (isWord ? found.keywordEnd[word] : found.abbreviationEnd[abbreviation]) ?? 0;
    const keyword = (isWord ? found.keywordOf[word] : found.abbreviationOf[abbreviation]) as AddressKeyword;
    const previous = group[group.length - 1];
    const component = keywordComponent(source, start, from, keyword, previous);
    if (component !== undefined) {
      if (previous !== undefined && !joinsAddress(source, previous.end, component.start)) {
        report(group);
        group = [];
      }
      group.push(component);
      from = Math.max(from, component.end);
    }
    while (word < found.keywords && (found.keywordStart[word] ?? 0) < from) word++;
    while (abbreviation < found.abbreviations && (found.abbreviationStart[abbreviation] ?? 0) < from)
      abbreviation++;
  }
  if (group.length > 0) report(group);
}

/**
 * Addresses without any keyword after an address label: a house number, a street, and a city or
 * province name that ends them, maybe with the names of a ward and a district between, comma apart
 * ("Địa chỉ: 101 Lê Lợi, Hà Nội", `"dia_chi": "45 Tran Hung Dao, Hoan Kiem, Ha Noi"`), or an
 * address the keywords found right after them ("Address: 12 Le Duan, Ben Nghe, District 1, HCMC").
 * Without the label, a number before capitalized words is too often something else ("Top 10 Quán
 * Ngon, Hà Nội"). Numbers inside an address already reported are passed over.
 */
function plainAddresses(view: NfcView, budget: ScanBudget, emit: Emit, reported: readonly number[]): void {
  const text = view.text;
  const runs = digitRuns(text, budget);
  for (let token = 0; token < runs.tokens; token++) {
    if (outOfTime(token, budget)) return;
    if (((runs.tokenFlags[token] as number) & ATTACHED_BEFORE) !== 0) continue;
    const numberStart = runs.groupStart[runs.tokenFirst[token] as number] as number;
    const numberEnd = houseNumberEnd(text, numberStart);
    // the house number, one space, a capitalized word: read nothing else before that holds
    if (numberEnd === undefined || text[numberEnd] !== ' ') continue;
    if (letterCase(text.charCodeAt(numberEnd + 1)) !== UPPER) continue;
    if (spanAt(reported, numberStart, false) >= 0) continue;
    const start = withNumberWord(text, numberStart);
    if (!labelEndsAt(text, start, 'address', 4)) continue;
    const street = wordsFrom(text, numberEnd + 1, 5);
    const streetEnd = street[street.length - 1]?.end;
    if (streetEnd === undefined) continue;
    const closing = namesToCity(text, streetEnd, reported);
    if (closing === undefined) continue;
    emit(view.start(start), view.end(closing.end), Math.min(0.9, 0.8 + 0.05 * closing.parts));
  }
}

/**
 * How an address read up to `end` goes on to its end: up to two comma-separated names without a
 * keyword ("Hoàn Kiếm", "Ben Nghe"), then a city or province name ("Hà Nội"; and a country or
 * another city after it, "Việt Nam"), or an address of `reported` (start, end pairs) that starts
 * right after them. The end, and how many names were read; undefined when no city or address ends them.
 */
function namesToCity(
  text: string,
  end: number,
  reported: readonly number[],
): { end: number; parts: number } | undefined {
  let at = end;
  for (let parts = 0; ; parts++) {
    const city = cityAfter(text, at);
    if (city !== undefined) {
      const further = cityAfter(text, city);
      return further === undefined ? { end: city, parts } : { end: further, parts: parts + 1 };
    }
    if (text[at] !== ',') return undefined;
    const next = skipSpaces(text, at + 1, 1);
    const joined = spanAt(reported, next, true);
    if (joined >= 0) return { end: reported[joined + 1] as number, parts: parts + 1 };
    if (parts === 2) return undefined;
    const part = wordsFrom(text, next, 4);
    const partEnd = part[part.length - 1]?.end;
    if (partEnd === undefined) return undefined;
    at = partEnd;
  }
}

/**
 * The index in `spans` (start, end pairs) of the span that holds `position` (that starts there, when
 * `atStart`), or -1.
 */
function spanAt(spans: readonly number[], position: number, atStart: boolean): number {
  for (let index = 0; index < spans.length; index += 2) {
    const start = spans[index] as number;
    if (atStart ? position === start : position >= start && position < (spans[index + 1] as number))
      return index;
  }
  return -1;
}

/** The last text found to hold combining marks: its keywords are read from its NFC form directly. */
let decomposedText: string | undefined;

/** Forgets the last text that held combining marks (see forgetScannedText). */
export function forgetDecomposedText(): void {
  decomposedText = undefined;
}

/**
 * The NFC view of `text` and the address keywords of that view (undefined when out of time). The
 * keyword pass notes combining marks as it reads, so a text without them (nearly all) is read once
 * and never searched for marks.
 */
function keywordsOfView(
  text: string,
  budget: ScanBudget,
  profile: TextProfile,
): { view: NfcView; found: AddressKeywords } | undefined {
  if (text !== decomposedText) {
    const found = addressKeywords(text, budget);
    if (found === undefined) return undefined;
    if (!found.combiningMarks) return { view: nfcView(text, budget, false), found };
    decomposedText = text;
  }
  const view = nfcView(text, budget, (profile.flags & HAS_COMBINING) !== 0);
  const found = addressKeywords(view.text, budget);
  return found === undefined ? undefined : { view, found };
}

/** The component a keyword match opens, if it is a keyword at a word start with a name. */
function keywordComponent(
  text: string,
  start: number,
  end: number,
  keyword: AddressKeyword,
  previous: Component | undefined,
): Component | undefined {
  if (start > 0 && isWordCode(text.charCodeAt(start - 1))) return undefined;
  if (previous !== undefined && start < previous.end) return undefined;
  return addressComponent(text, start, end, keyword, previous?.end ?? 0);
}

/** The component a keyword opens ("phường Bến Nghé", "Q.1", "Ben Nghe Ward"), or undefined when no name goes with it. */
function addressComponent(
  text: string,
  start: number,
  keywordEnd: number,
  keyword: AddressKeyword,
  floor: number,
): Component | undefined {
  let position = keywordEnd;
  if (keyword.abbreviation === true) {
    const first = text.charCodeAt(start);
    const lowerCaseAllowed = keyword.level === CITY; // "tp. Hà Nội"
    if (letterCase(first) !== UPPER && !lowerCaseAllowed) return undefined;
    if (text[position] === '.') position++;
    else if (!isDigit(text.charCodeAt(position)) && keywordEnd - start < 2) return undefined; // "P" alone
  }
  if (keyword.postfix !== true) {
    const nameEnd = nameAfter(text, position, keyword);
    if (nameEnd !== undefined) {
      // "Số 12 Nguyễn Huệ", "ngõ 40 Tạ Quang Bửu", "hẻm 51 Trần Hưng Đạo": the street after a house
      // or alley number, without its keyword
      if (
        (keyword.level === HOUSE || keyword.level === STREET) &&
        text[nameEnd] === ' ' &&
        isDigit(text.charCodeAt(nameEnd - 1))
      ) {
        let streetEnd: number | undefined;
        for (const word of wordsFrom(text, nameEnd + 1, 5)) {
          if (opensAddressPart(text, word)) break;
          streetEnd = word.end;
        }
        if (streetEnd !== undefined) return { start, end: streetEnd, level: keyword.level | STREET };
      }
      return { start, end: nameEnd, level: keyword.level };
    }
    if (keyword.either !== true) return undefined;
  }
  // the name comes before: "Ben Nghe Ward", "Le Loi Street", "Ho Chi Minh City"
  if (text[start - 1] !== ' ') return undefined;
  const nameStart = capitalizedWordsBefore(text, start - 1, floor);
  if (nameStart === undefined) return undefined;
  if (keyword.abbreviation === true && text[position - 1] !== '.') return undefined; // "St" without its dot
  return { start: nameStart, end: position, level: keyword.level };
}

/**
 * Whether a word read as part of a name is rather the keyword of the next address part: a keyword
 * with a name or number after it ("Phường Bến Nghé", "Ngõ 5"). A keyword that ends the name is a
 * syllable of it: "Kiệt" in "đường Lý Thường Kiệt, phường…", "Phố" in "Hàng Phố".
 */
function opensAddressPart(text: string, word: { start: number; end: number; display: string }): boolean {
  if (!ADDRESS_KEYWORDS.has(word.display.toLowerCase())) return false;
  let at = word.end;
  if (text[at] === '.' || text[at] === ':') at++;
  at = skipSpaces(text, at, 2);
  if (at === word.end) return false;
  const next = text.charCodeAt(at);
  return isDigit(next) || letterCase(next) === UPPER;
}

function skipSpaces(text: string, position: number, max: number): number {
  let at = position;
  while (at < text.length && at - position < max && (text[at] === ' ' || text[at] === '\u00a0')) at++;
  return at;
}

/** End of the name after a keyword: a number ("12", "12A", "12/3", "3/2") or capitalized words ("Lê Lợi", "HCM"). */
function nameAfter(text: string, keywordEnd: number, keyword: AddressKeyword): number | undefined {
  let position = keywordEnd;
  if (text[position] === ':') position++;
  position = skipSpaces(text, position, 2);
  if (isDigit(text.charCodeAt(position))) return houseNumberEnd(text, position);
  if (keyword.numberOnly === true) return undefined;
  const words = wordsFrom(text, position, 5);
  let end: number | undefined;
  for (const word of words) {
    if (word.start > position && opensAddressPart(text, word)) break; // the next part's keyword
    end = word.end;
  }
  // "Bà Rịa - Vũng Tàu"
  if (end !== undefined && text.startsWith(' - ', end)) {
    const more = wordsFrom(text, end + 3, 3);
    const lastMore = more[more.length - 1];
    if (lastMore !== undefined) end = lastMore.end;
  }
  // "Hải Châu 1", "Thạnh Mỹ Lợi 2": a name ending with a number
  if (end !== undefined && text[end] === ' ' && isDigit(text.charCodeAt(end + 1))) {
    const numberEnd = houseNumberEnd(text, end + 1);
    if (numberEnd !== undefined && numberEnd - end <= 4) end = numberEnd;
  }
  return end;
}

/** End of a house or street number from `position`: digits, a letter, up to two "/digits" parts. */
function houseNumberEnd(text: string, position: number): number | undefined {
  let end = position;
  let parts = 0;
  while (parts < 3) {
    const digitsStart = end;
    while (end < text.length && end - digitsStart < 5 && isDigit(text.charCodeAt(end))) end++;
    if (end === digitsStart) return undefined;
    if (
      end < text.length &&
      letterCase(text.charCodeAt(end)) === UPPER &&
      !isWordCode(text.charCodeAt(end + 1))
    )
      end++;
    parts++;
    if (text[end] === '/' && isDigit(text.charCodeAt(end + 1))) end++;
    else break;
  }
  if (end < text.length && isWordCode(text.charCodeAt(end))) return undefined;
  return end;
}

/** Start of 1-4 capitalized words, one space apart, the last ending at `wordsEnd`; none starts before `floor`. */
function capitalizedWordsBefore(text: string, wordsEnd: number, floor: number): number | undefined {
  let at = wordsEnd;
  let start: number | undefined;
  for (let count = 0; count < 4 && at > floor; count++) {
    let wordStart = at;
    while (
      wordStart > floor &&
      at - wordStart < MAX_WORD_LENGTH &&
      letterCase(text.charCodeAt(wordStart - 1)) !== 0
    ) {
      wordStart--;
    }
    if (wordStart === at || wordAt(text, wordStart)?.end !== at) break;
    // a keyword ends the name, unless it goes on a capitalized name: "Kiệt" in "Lý Thường Kiệt",
    // "Ngo" in "Ngo Quyen", "Phuong" in "Le Thi Phuong" (keywords that are also name syllables)
    if (
      ADDRESS_KEYWORDS.has(text.slice(wordStart, at).toLowerCase()) &&
      !continuesName(text, wordStart, floor)
    )
      break;
    start = wordStart;
    if (wordStart - 1 <= floor || text[wordStart - 1] !== ' ') break;
    at = wordStart - 1;
  }
  return start;
}

/**
 * Whether the capitalized word at `wordStart` continues a name: one space before it, and before that
 * the end of a word that starts with a capital (after `floor`).
 */
function continuesName(text: string, wordStart: number, floor: number): boolean {
  if (letterCase(text.charCodeAt(wordStart)) !== UPPER || text[wordStart - 1] !== ' ') return false;
  let previousStart = wordStart - 1;
  while (
    previousStart > floor &&
    wordStart - previousStart <= MAX_WORD_LENGTH &&
    letterCase(text.charCodeAt(previousStart - 1)) !== 0
  )
    previousStart--;
  return previousStart < wordStart - 1 && letterCase(text.charCodeAt(previousStart)) === UPPER;
}

/** Whether two components belong to one address: only commas, dashes and spaces between them. */
function joinsAddress(text: string, previousEnd: number, start: number): boolean {
  if (start - previousEnd > 4) return false;
  for (let index = previousEnd; index < start; index++) {
    const character = text[index];
    if (
      character !== ' ' &&
      character !== ',' &&
      character !== '-' &&
      character !== '\u2013' &&
      character !== '\u00a0'
    ) {
      return false;
    }
  }
  return true;
}

const NO_SPANS: readonly number[] = [];

/** Reports the address a group of parts makes, if it has enough levels; the span reported, in view offsets. */
function reportAddress(
  text: string,
  view: NfcView,
  group: readonly Component[],
  emit: Emit,
): { start: number; end: number } | undefined {
  const first = group[0];
  const last = group[group.length - 1];
  if (first === undefined || last === undefined) return undefined;
  let levels = 0;
  for (const component of group) levels |= component.level;
  let start = first.start;
  let end = last.end;
  // a house number (and street) without keywords before the first part: "12 Nguyễn Huệ, P. Bến Nghé"
  if ((levels & HOUSE) === 0) {
    const leading = leadingHouse(text, start);
    if (leading !== undefined) {
      start = leading.start;
      levels |= leading.level;
    }
  }
  // a city or province without keyword after the last part ("…, quận 1, Hà Nội"), maybe after
  // names without keywords ("số 45 Nguyễn Trãi, Thanh Xuân, Hà Nội")
  const closing = namesToCity(text, end, NO_SPANS);
  if (closing !== undefined) {
    end = closing.end;
    levels |= CITY;
  }
  const count = popCount(levels);
  let confidence: number;
  if ((levels & HOUSE) !== 0 && (levels & STREET) !== 0) confidence = 0.8 + 0.05 * (count - 2);
  else if (count >= 3) confidence = 0.7 + 0.05 * (count - 3);
  else if (count === 2 && (levels & (STREET | HAMLET)) !== 0) confidence = 0.6;
  else if (count === 2) confidence = 0.45;
  else return undefined;
  if (
    labelMayEndNear(text, start, Infinity, ADDRESS_MASK) &&
    contextBefore(text, start).verdict(ADDRESS_KINDS) === 'positive'
  )
    confidence += 0.1;
  emit(view.start(start), view.end(end), Math.min(0.95, confidence));
  return { start, end };
}

/** A house number, optionally with a street name, just before an address part ("12 đường…", "12 Nguyễn Huệ, P. …"). */
function leadingHouse(text: string, start: number): { start: number; level: number } | undefined {
  let at = start;
  while (at > 0 && start - at < 2 && (text[at - 1] === ' ' || text[at - 1] === ',')) at--;
  if (at === start) return undefined;
  const direct = at === start - 1 && text[at] === ' ' ? houseNumberBefore(text, at) : undefined;
  if (direct !== undefined) return { start: withNumberWord(text, direct), level: HOUSE };
  const streetStart = capitalizedWordsBefore(text, at, Math.max(0, at - 60));
  if (streetStart === undefined || text[streetStart - 1] !== ' ') return undefined;
  const house = houseNumberBefore(text, streetStart - 1);
  return house === undefined ? undefined : { start: withNumberWord(text, house), level: HOUSE | STREET };
}

/** Moves a house number's start back over "số", "so" or "No." written before it. */
function withNumberWord(text: string, numberStart: number): number {
  let at = numberStart;
  if (text[at - 1] !== ' ') return numberStart;
  at--;
  if (text[at - 1] === '.') at--;
  const word = text.slice(Math.max(0, at - 2), at);
  if (at - 2 < 0 || (at > 2 && isWordCode(text.charCodeAt(at - 3)))) return numberStart;
  return /^(?:số|so|no|Số|So|No|SỐ|SO|NO)$/.test(word) ? at - 2 : numberStart;
}

/** Start of a house number ("12", "12A", "12/3") ending at `end`, or undefined. */
function houseNumberBefore(text: string, end: number): number | undefined {
  let start = end;
  while (start > 0 && end - start < 12) {
    const code = text.charCodeAt(start - 1);
    if (!isDigit(code) && code !== 0x2f && !(code >= 0x41 && code <= 0x5a)) break;
    start--;
  }
  while (start < end && !isDigit(text.charCodeAt(start))) start++;
  if (start === end || (start > 0 && isWordCode(text.charCodeAt(start - 1)))) return undefined;
  return houseNumberEnd(text, start) === end ? start : undefined;
}

/** End of a city or province name right after an address ("…, Hà Nội", "… - TP.HCM"). */
function cityAfter(text: string, end: number): number | undefined {
  let at = end;
  while (at < text.length && at - end < 3 && (text[at] === ',' || text[at] === ' ' || text[at] === '-')) at++;
  if (at === end) return undefined;
  const words = wordsFrom(text, at, 4);
  for (let count = words.length; count > 0; count--) {
    const name = words
      .slice(0, count)
      .map((word) => word.folded)
      .join(' ');
    if (CITY_NAMES.has(name)) return words[count - 1]?.end;
  }
  return undefined;
}

function popCount(value: number): number {
  let count = 0;
  for (let bits = value; bits !== 0; bits &= bits - 1) count++;
  return count;
}
