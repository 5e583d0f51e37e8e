/**
 * One pass over the words of a text for the Vietnamese address detector: where an address keyword
 * ("phường", "khu phố", "Street") or abbreviation ("P.", "Q.1") matches, exactly where the former
 * keyword patterns matched, less the matches that can open nothing and hide nothing. Linear in the
 * text, a few table lookups per unit instead of a pattern of seventy alternatives tried at every
 * position; memoized for the last text.
 */
import type { ScanBudget } from '../types.js';
import { foldedUnit, foldedWordHash, isWordCode } from './context.js';
import { ADDRESS_KEYWORDS, CITY } from './data/vn-address.js';
import type { AddressKeyword } from './data/vn-address.js';

/**
 * What the pass found, in text order. The arrays are scratch space reused by the next pass: read
 * the first `keywords` and `abbreviations` entries, and only until the next call with another text.
 */
export interface AddressKeywords {
  readonly text: string;
  /** Whether the text holds a combining mark: then it is decomposed, and its NFC form is what to read. */
  readonly combiningMarks: boolean;
  /**
   * Matches of the address keywords ("phường", "khu phố", "Street"), case-insensitive and followed by
   * no letter: every one at a word start, and those spanning a space elsewhere (they hide the words
   * they cover from the next search). A match inside a word that spans no space can hide nothing
   * and open nothing, so it is left out.
   */
  readonly keywords: number;
  readonly keywordStart: Int32Array;
  readonly keywordEnd: Int32Array;
  readonly keywordOf: AddressKeyword[];
  /** Abbreviations ("P.", "Q.1", "TP.HCM", "St") at a word start, followed by ".", a digit or a space. */
  readonly abbreviations: number;
  readonly abbreviationStart: Int32Array;
  readonly abbreviationEnd: Int32Array;
  readonly abbreviationOf: AddressKeyword[];
}

// ---------------------------------------------------------------------------------------------
// Per-unit tables

/**
 * One entry per UTF-16 unit. A letter of the keyword patterns' class (ASCII and Vietnamese letters,
 * either case) has KEYWORD_LETTER and its folded unit in the low bits (as `foldedWordHash` folds
 * it); any other unit has MARK_UNIT when it is a combining mark and WORD_UNIT when `isWordCode`
 * counts it as part of a word (a digit, "_", "ñ").
 */
const KEYWORD_LETTER = 0x8000;
const FOLDED_UNIT = 0x1fff;
const MARK_UNIT = 1;
const WORD_UNIT = 2;

/**
 * Vietnamese letters outside ASCII, as the keyword patterns wrote them; with the ASCII letters and
 * case-insensitive, the class a keyword must not be followed by.
 */
const VN_LETTERS_NON_ASCII = 'À-ÃÈ-ÊÌÍÒ-ÕÙÚÝĂĐĨŨƠƯà-ãè-êìíò-õùúýăđĩũơư\u1ea0-\u1ef9';

const UNITS = buildUnits();
/** No unit from here up is a keyword letter or has a canonical unit other than itself that is one. */
const TABLE_SIZE = 0x2000;
const CANONICAL = buildCanonicalUnits();

function buildUnits(): Uint16Array {
  const keywordLetter = new RegExp(`[A-Za-z${VN_LETTERS_NON_ASCII}]`, 'i');
  const table = new Uint16Array(0x10000);
  for (let code = 0; code < table.length; code++) {
    table[code] =
      code < 0x2000 && keywordLetter.test(String.fromCharCode(code))
        ? KEYWORD_LETTER | foldedUnit(code)
        : (code >= 0x300 && code <= 0x36f ? MARK_UNIT : 0) | (isWordCode(code) ? WORD_UNIT : 0);
  }
  return table;
}

/**
 * What a case-insensitive pattern (without the `u` flag) compares, per ECMAScript's Canonicalize: the
 * upper case of a unit, unless that takes more than one unit or turns a non-ASCII unit into ASCII
 * (so "ſ" is no "s"). Two units match each other when their canonical units are equal; no unit
 * from U+2000 up matches a keyword letter.
 */
function buildCanonicalUnits(): Uint16Array {
  const table = new Uint16Array(TABLE_SIZE);
  for (let code = 0; code < TABLE_SIZE; code++) {
    const upper = String.fromCharCode(code).toUpperCase();
    const canonical = upper.length === 1 ? upper.charCodeAt(0) : code;
    table[code] = code >= 0x80 && canonical < 0x80 ? code : canonical;
  }
  return table;
}

function canonicalUnit(code: number): number {
  return code < TABLE_SIZE ? (CANONICAL[code] as number) : code;
}

function isKeywordLetter(code: number): boolean {
  return ((UNITS[code] ?? 0) & KEYWORD_LETTER) !== 0;
}

function canonicalCodes(text: string): number[] {
  return [...text].map((character) => canonicalUnit(character.charCodeAt(0)));
}

// ---------------------------------------------------------------------------------------------
// Word lists, keyed by the folded hash of a word (as `foldedWordHash` computes it)

interface KeywordPattern {
  /** Canonical units of the keyword, spaces included. */
  readonly canonical: readonly number[];
  readonly keyword: AddressKeyword;
}

/**
 * The keywords that are words, in the order the former alternation tried them (longest first): at
 * one position the first that matches is the match.
 */
const KEYWORD_PATTERNS: readonly KeywordPattern[] = [...ADDRESS_KEYWORDS]
  .filter(([, keyword]) => keyword.abbreviation !== true)
  .sort(([a], [b]) => b.length - a.length)
  .map(([word, keyword]) => ({ canonical: canonicalCodes(word), keyword }));

/** Keyword patterns by the folded hash of their first word. */
const PATTERNS_BY_FIRST_WORD = new Map<number, KeywordPattern[]>();
for (const pattern of KEYWORD_PATTERNS) {
  const space = pattern.canonical.indexOf(0x20);
  const firstWord = String.fromCharCode(
    ...pattern.canonical.slice(0, space === -1 ? pattern.canonical.length : space),
  );
  const hash = foldedWordHash(firstWord, 0, firstWord.length);
  const patterns = PATTERNS_BY_FIRST_WORD.get(hash) ?? [];
  patterns.push(pattern);
  PATTERNS_BY_FIRST_WORD.set(hash, patterns);
}
const MAX_FIRST_WORD_LENGTH = Math.max(
  ...[...ADDRESS_KEYWORDS.keys()].map((word) => (word.split(' ')[0] ?? word).length),
);

interface FirstWord {
  /** Canonical units of the first word. */
  readonly canonical: readonly number[];
  /** The keywords of several words it opens, in pattern order. */
  readonly patterns: readonly KeywordPattern[];
}

/**
 * First words of the keywords of several words ("khu" of "khu phố"), by their last canonical unit,
 * longest first: such a keyword can match inside a word ("Xkhu phố"), and then hides "phố".
 */
const FIRST_WORDS_BY_LAST_UNIT = new Map<number, FirstWord[]>();
for (const pattern of KEYWORD_PATTERNS) {
  const space = pattern.canonical.indexOf(0x20);
  if (space === -1) continue;
  const canonical = pattern.canonical.slice(0, space);
  const last = canonical[canonical.length - 1] as number;
  const firstWords = FIRST_WORDS_BY_LAST_UNIT.get(last) ?? [];
  let firstWord = firstWords.find((candidate) => candidate.canonical.join() === canonical.join());
  if (firstWord === undefined) {
    firstWord = { canonical, patterns: [] };
    firstWords.push(firstWord);
    firstWords.sort((a, b) => b.canonical.length - a.canonical.length);
    FIRST_WORDS_BY_LAST_UNIT.set(last, firstWords);
  }
  (firstWord.patterns as KeywordPattern[]).push(pattern);
}

/**
 * A quick test for a keyword of several words around a space: ENDS_FIRST_WORD of the unit before it
 * and STARTS_NEXT_WORD of the unit after it share a bit when some such keyword ends its first word
 * and starts its second word with them (a bit per keyword, modulo 8: a shared bit may be chance).
 */
const ENDS_FIRST_WORD = new Uint8Array(TABLE_SIZE);
const STARTS_NEXT_WORD = new Uint8Array(TABLE_SIZE);
KEYWORD_PATTERNS.filter((pattern) => pattern.canonical.includes(0x20)).forEach((pattern, index) => {
  const space = pattern.canonical.indexOf(0x20);
  const bit = 1 << (index % 8);
  for (let code = 0; code < TABLE_SIZE; code++) {
    const canonical = canonicalUnit(code);
    if (canonical === pattern.canonical[space - 1])
      ENDS_FIRST_WORD[code] = (ENDS_FIRST_WORD[code] ?? 0) | bit;
    if (canonical === pattern.canonical[space + 1])
      STARTS_NEXT_WORD[code] = (STARTS_NEXT_WORD[code] ?? 0) | bit;
  }
});

interface AbbreviationForm {
  /** The form as written: abbreviations are case-sensitive ("P." is one, "p." is not). */
  readonly form: string;
  readonly keyword: AddressKeyword;
}

/** Abbreviation forms by folded hash: upper case, capitalized, and lower case for a city ("tp."). */
const ABBREVIATIONS_BY_HASH = new Map<number, AbbreviationForm[]>();
for (const [word, keyword] of ADDRESS_KEYWORDS) {
  if (keyword.abbreviation !== true) continue;
  const forms = new Set([
    word.toUpperCase(),
    (word[0] ?? '').toUpperCase() + word.slice(1),
    ...(keyword.level === CITY ? [word] : []), // "tp. Hà Nội"
  ]);
  for (const form of forms) {
    const hash = foldedWordHash(form, 0, form.length);
    const list = ABBREVIATIONS_BY_HASH.get(hash) ?? [];
    list.push({ form, keyword });
    ABBREVIATIONS_BY_HASH.set(hash, list);
  }
}
const MAX_ABBREVIATION_LENGTH = Math.max(
  ...[...ADDRESS_KEYWORDS]
    .filter(([, keyword]) => keyword.abbreviation === true)
    .map(([word]) => word.length),
);

/**
 * A 16384-slot filter over word hashes, so the many words that are no keyword or abbreviation cost one array read instead of a set lookup.
 */
const FILTER_SIZE = 16384;
const FIRST_WORD_BIT = 1;
const ABBREVIATION_BIT = 2;
const HASH_FILTER = buildHashFilter();

function filterSlot(hash: number): number {
  return (hash ^ (hash >>> 14)) & (FILTER_SIZE - 1);
}

function buildHashFilter(): Uint8Array {
  const filter = new Uint8Array(FILTER_SIZE);
  const mark = (hash: number, bit: number): void => {
    filter[filterSlot(hash)] = (filter[filterSlot(hash)] ?? 0) | bit;
  };
  for (const hash of PATTERNS_BY_FIRST_WORD.keys()) mark(hash, FIRST_WORD_BIT);
  for (const hash of ABBREVIATIONS_BY_HASH.keys()) mark(hash, ABBREVIATION_BIT);
  return filter;
}

// ---------------------------------------------------------------------------------------------
// The pass

/** Units read between two looks at the clock. */
const CLOCK_UNITS = 4096;

let keywordStart: Int32Array = new Int32Array(64);
let keywordEnd: Int32Array = new Int32Array(64);
const keywordOf: AddressKeyword[] = [];
let abbreviationStart: Int32Array = new Int32Array(64);
let abbreviationEnd: Int32Array = new Int32Array(64);
const abbreviationOf: AddressKeyword[] = [];
let keywordCount = 0;
let abbreviationCount = 0;
/** Scratch capacity kept from one text to the next; beyond it the arrays are dropped at the next text. */
const MAX_KEPT_MATCHES = 16384;

let cached: AddressKeywords | undefined;

/** Drops the keyword matches memoized for the last text (see forgetScannedText). */
export function forgetAddressKeywords(): void {
  cached = undefined;
}

/**
 * The address keyword and abbreviation matches of `text` (in NFC: the detector passes its NFC
 * view), memoized for the last text. Undefined when the budget's deadline passed during the pass.
 *
 * @example
 * addressKeywords('12 đường Lê Lợi, phường Bến Nghé', budget)?.keywords // 2
 */
export function addressKeywords(text: string, budget: ScanBudget): AddressKeywords | undefined {
  if (cached?.text === text) return cached;
  cached = undefined; // the scratch arrays are about to change
  if (keywordStart.length > MAX_KEPT_MATCHES || abbreviationStart.length > MAX_KEPT_MATCHES) {
    // a huge text's matches are not kept past the next text (they grow again if needed)
    keywordStart = new Int32Array(64);
    keywordEnd = new Int32Array(64);
    keywordOf.length = 0;
    abbreviationStart = new Int32Array(64);
    abbreviationEnd = new Int32Array(64);
    abbreviationOf.length = 0;
  }
  keywordCount = 0;
  abbreviationCount = 0;
  const length = text.length;
  let clock = CLOCK_UNITS;
  // the entries of the units between words, or-ed: MARK_UNIT tells a combining mark was met
  let between = 0;
  let index = 0;
  while (index < length) {
    let entry = UNITS[text.charCodeAt(index)] as number;
    if ((entry & KEYWORD_LETTER) === 0) {
      between |= entry;
      index++;
      continue;
    }
    // one word (a run of keyword letters), hashed as it is read
    const start = index;
    let hash = 0;
    do {
      hash = (Math.imul(hash, 31) + (entry & FOLDED_UNIT)) | 0;
      if (++index === length) break;
      entry = UNITS[text.charCodeAt(index)] as number;
    } while ((entry & KEYWORD_LETTER) !== 0);
    // most words are no keyword or abbreviation, and open no keyword of several words
    const filter = HASH_FILTER[filterSlot(hash)] as number;
    if (filter !== 0) {
      keywordsIn(text, start, index, hash, filter);
    } else if (
      text.charCodeAt(index) === 0x20 &&
      ((ENDS_FIRST_WORD[text.charCodeAt(index - 1)] ?? 0) &
        (STARTS_NEXT_WORD[text.charCodeAt(index + 1)] ?? 0)) !==
        0
    ) {
      keywordsOfSeveralWords(text, start, index, isWordStart(text, start));
    }
    if (index >= clock) {
      if (performance.now() > budget.deadline) return undefined;
      clock = index + CLOCK_UNITS;
    }
  }
  cached = {
    text,
    combiningMarks: (between & MARK_UNIT) !== 0,
    keywords: keywordCount,
    keywordStart,
    keywordEnd,
    keywordOf,
    abbreviations: abbreviationCount,
    abbreviationStart,
    abbreviationEnd,
    abbreviationOf,
  };
  return cached;
}

/** Whether a word starting at `start` starts after no part of a word (as the detector checks a match). */
function isWordStart(text: string, start: number): boolean {
  return start === 0 || ((UNITS[text.charCodeAt(start - 1)] as number) & WORD_UNIT) === 0;
}

/** Records the keyword and abbreviation matches that start in the keyword-letter run `[start, end)`. */
function keywordsIn(text: string, start: number, end: number, hash: number, filter: number): void {
  const next = end < text.length ? text.charCodeAt(end) : -1;
  const wordStart = isWordStart(text, start);
  if (wordStart) {
    // a match at a word start spans the whole run: its first word ends where a non-letter follows
    if ((filter & FIRST_WORD_BIT) !== 0 && end - start <= MAX_FIRST_WORD_LENGTH) {
      const patterns = PATTERNS_BY_FIRST_WORD.get(hash);
      if (patterns !== undefined) matchPatterns(text, start, patterns);
    }
    if (
      (filter & ABBREVIATION_BIT) !== 0 &&
      end - start <= MAX_ABBREVIATION_LENGTH &&
      (next === 0x2e || next === 0x20 || (next >= 0x30 && next <= 0x39))
    ) {
      abbreviationAt(text, start, end, hash);
    }
  }
  // elsewhere only a keyword of several words matters: a suffix of the run, then a space
  if (next === 0x20) keywordsOfSeveralWords(text, start, end, wordStart);
}

/** Records the first of `patterns` that matches at `start`, if any. */
function matchPatterns(text: string, start: number, patterns: readonly KeywordPattern[]): void {
  for (const pattern of patterns) {
    const end = matchEnd(text, start, pattern.canonical);
    if (end === -1) continue;
    if (keywordCount === keywordStart.length) {
      keywordStart = grown(keywordStart);
      keywordEnd = grown(keywordEnd);
    }
    keywordStart[keywordCount] = start;
    keywordEnd[keywordCount] = end;
    keywordOf[keywordCount] = pattern.keyword;
    keywordCount++;
    return;
  }
}

/** End of the keyword `canonical` matched case-insensitively at `start` and followed by no letter, or -1. */
function matchEnd(text: string, start: number, canonical: readonly number[]): number {
  const end = start + canonical.length;
  if (end > text.length) return -1;
  for (let index = 0; index < canonical.length; index++) {
    if (canonicalUnit(text.charCodeAt(start + index)) !== canonical[index]) return -1;
  }
  return end < text.length && isKeywordLetter(text.charCodeAt(end)) ? -1 : end;
}

/**
 * Records the keywords of several words that match inside the run `[start, end)` (followed by a
 * space): from a suffix of it, or from its start when that is no word start ("5khu phố").
 */
function keywordsOfSeveralWords(text: string, start: number, end: number, wordStart: boolean): void {
  const firstWords = FIRST_WORDS_BY_LAST_UNIT.get(canonicalUnit(text.charCodeAt(end - 1)));
  if (firstWords === undefined) return;
  // longest first: the matches are recorded in text order
  for (const firstWord of firstWords) {
    const at = end - firstWord.canonical.length;
    if (at < start || (at === start && wordStart)) continue;
    let same = true;
    for (let index = 0; index < firstWord.canonical.length - 1 && same; index++) {
      same = canonicalUnit(text.charCodeAt(at + index)) === firstWord.canonical[index];
    }
    if (same) matchPatterns(text, at, firstWord.patterns);
  }
}

/** Records the abbreviation that the run `[start, end)` is written as, if any (case-sensitive). */
function abbreviationAt(text: string, start: number, end: number, hash: number): void {
  const forms = ABBREVIATIONS_BY_HASH.get(hash);
  if (forms === undefined) return;
  for (const { form, keyword } of forms) {
    if (form.length !== end - start || !text.startsWith(form, start)) continue;
    if (abbreviationCount === abbreviationStart.length) {
      abbreviationStart = grown(abbreviationStart);
      abbreviationEnd = grown(abbreviationEnd);
    }
    abbreviationStart[abbreviationCount] = start;
    abbreviationEnd[abbreviationCount] = end;
    abbreviationOf[abbreviationCount] = keyword;
    abbreviationCount++;
    return;
  }
}

function grown(array: Int32Array): Int32Array {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}
