/**
 * Context words for the PII detectors: which labels ("CCCD", "số tài khoản", "order id") occur in the
 * few dozen characters before a candidate, compared case- and diacritic-insensitively so NFC, NFD and
 * unaccented Vietnamese match alike. Also the folding and NFC offset mapping the Vietnamese detectors
 * share, and the small factory that turns a detect function into a `Detector`. Work is bounded by the
 * window width, never by the text length.
 */
import type { ScanBudget } from '../types.js';
import { CONTEXT_WORDS } from './data/context-words.js';

/** A kind of label, e.g. `phone`, `bank`, `negative` (see `data/context-words.ts`). */
export type ContextKind = keyof typeof CONTEXT_WORDS;

const KINDS = Object.keys(CONTEXT_WORDS) as ContextKind[];
const KIND_INDEX = Object.fromEntries(KINDS.map((kind, index) => [kind, index])) as Record<
  ContextKind,
  number
>;

/** Characters looked at before a candidate: about six words. */
const CONTEXT_WINDOW = 48;

// ---------------------------------------------------------------------------------------------
// Folding: lower case, diacritics removed, đ → d. One table lookup per UTF-16 unit.

const FOLD_TABLE_SIZE = 0x2000;
/** Folded code unit for each code unit below FOLD_TABLE_SIZE; 0 means "drop" (a combining mark). */
const FOLD = buildFoldTable();

function buildFoldTable(): Uint16Array {
  const table = new Uint16Array(FOLD_TABLE_SIZE);
  for (let code = 0; code < FOLD_TABLE_SIZE; code++) {
    if (code >= 0x300 && code <= 0x36f) continue;
    const lower = String.fromCharCode(code).toLowerCase();
    let folded = lower.length === 1 ? lower.charCodeAt(0) : code;
    if (code >= 0xc0) {
      const base = String.fromCharCode(folded).normalize('NFD').charCodeAt(0);
      if (base < 0x80) folded = base;
    }
    table[code] = folded;
  }
  table[0x110] = 0x64; // Đ
  table[0x111] = 0x64; // đ
  return table;
}

/** The folded form of one UTF-16 unit (0 for a combining mark, which folding drops). */
export function foldedUnit(code: number): number {
  return foldCode(code);
}

function foldCode(code: number): number {
  if (code < FOLD_TABLE_SIZE) return FOLD[code] ?? code;
  return code;
}

/**
 * `text[start, end)` in lower case without diacritics ("Số Tài Khoản" → "so tai khoan"), for NFC and
 * NFD input alike. Only for short ranges: it builds a new string.
 */
export function foldRange(text: string, start: number, end: number): string {
  const from = Math.max(0, start);
  const to = Math.min(end, text.length);
  // most words are already folded ("phone", "nguyen"): a slice, no copy unit by unit
  let index = from;
  while (index < to) {
    const code = text.charCodeAt(index);
    const folded = foldCode(code);
    if (folded !== code || folded === 0) break;
    index++;
  }
  if (index >= to) return from >= to ? '' : text.slice(from, to);
  const codes: number[] = [];
  for (let position = from; position < to; position++) {
    const folded = foldCode(text.charCodeAt(position));
    if (folded !== 0) codes.push(folded);
  }
  return String.fromCharCode(...codes);
}

/** A cased letter: lower case. */
export const LOWER = 1;
/** A cased letter: upper case. */
export const UPPER = 2;
const LETTER_CASE = buildCaseTable();

function buildCaseTable(): Uint8Array {
  const table = new Uint8Array(FOLD_TABLE_SIZE);
  for (let code = 0x41; code < FOLD_TABLE_SIZE; code++) {
    const character = String.fromCharCode(code);
    const lower = character.toLowerCase();
    const upper = character.toUpperCase();
    if (lower !== character) table[code] = UPPER;
    else if (upper !== character) table[code] = LOWER;
  }
  return table;
}

/**
 * Whether a UTF-16 unit is a lower-case letter (LOWER), an upper-case letter (UPPER) or neither (0),
 * for Latin scripts with Vietnamese letters ("Đ", "Ư", "Ễ"). Units beyond the Latin, Greek and Cyrillic
 * blocks count as neither.
 */
export function letterCase(code: number): number {
  return code < FOLD_TABLE_SIZE ? (LETTER_CASE[code] ?? 0) : 0;
}

/** Whether a folded code unit belongs to a word: ASCII letters and digits, or any non-ASCII letter-like unit. */
function isFoldedWordCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || isNonAsciiLetterLike(code);
}

/**
 * Whether a UTF-16 unit is a letter or digit for word-boundary purposes: ASCII alphanumerics, `_`,
 * Latin letters with diacritics, combining marks and other scripts; not spaces or punctuation.
 */
export function isWordCode(code: number): boolean {
  if (code < 0x80) {
    return (
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      code === 0x5f
    );
  }
  return isNonAsciiLetterLike(code);
}

function isNonAsciiLetterLike(code: number): boolean {
  if (code < 0xc0) return code === 0xaa || code === 0xb5 || code === 0xba;
  if (code === 0xd7 || code === 0xf7) return false;
  if (code >= 0x2000 && code <= 0x2bff) return false; // punctuation, symbols, arrows
  if (code >= 0x3000 && code <= 0x303f) return false; // CJK punctuation
  if (code >= 0xfe00 && code <= 0xfe6f) return false; // variation selectors, small forms
  if (code >= 0xff00 && code <= 0xff20) return false; // full-width punctuation and digits
  return code !== 0xfeff;
}

// ---------------------------------------------------------------------------------------------
// Context lookup

interface PhraseEntry {
  /** Kinds this exact phrase announces (0 when it is only the start of longer phrases). */
  mask: number;
  /** Whether a longer phrase starts with this one. */
  prefix: boolean;
}

const PHRASES = buildPhraseTable();
const MAX_PHRASE_WORDS = 6;
/** Hashes (as computed in lookBefore) of every word of every phrase: other words are skipped unread. */
const PHRASE_WORD_HASHES = new Set(
  [...PHRASES.keys()].flatMap((phrase) => phrase.split(' ')).map((word) => wordHash(word)),
);

function wordHash(word: string): number {
  let hash = 0;
  for (let index = 0; index < word.length; index++) hash = (Math.imul(hash, 31) + word.charCodeAt(index)) | 0;
  return hash;
}

function buildPhraseTable(): Map<string, PhraseEntry> {
  const table = new Map<string, PhraseEntry>();
  const entry = (key: string): PhraseEntry => {
    let found = table.get(key);
    if (found === undefined) {
      found = { mask: 0, prefix: false };
      table.set(key, found);
    }
    return found;
  };
  for (const kind of KINDS) {
    const bit = 1 << KIND_INDEX[kind];
    for (const phrase of CONTEXT_WORDS[kind]) {
      const words = foldRange(phrase, 0, phrase.length)
        .split(/[^a-z0-9]/)
        .filter((word) => word !== '');
      for (let count = 1; count < words.length; count++) entry(words.slice(0, count).join(' ')).prefix = true;
      entry(words.join(' ')).mask |= bit;
    }
  }
  return table;
}

/**
 * The labels found before a candidate: which kinds, and how near (in characters between the end of
 * the label and the candidate; `Infinity` when absent).
 */
export class ContextHits {
  /** Bit set of the kinds present. */
  private mask = 0;
  /** Distance per kind index; only read for kinds in `mask`. */
  private readonly distances: number[] = [];

  /** @internal records a label of `kinds` (bit set) ending `distance` characters before the candidate. */
  add(kindMask: number, distance: number): void {
    for (let index = 0; index < KINDS.length; index++) {
      if ((kindMask & (1 << index)) === 0) continue;
      const present = (this.mask & (1 << index)) !== 0;
      if (!present || distance < (this.distances[index] ?? Infinity)) this.distances[index] = distance;
    }
    this.mask |= kindMask;
  }

  /** Whether any label of this kind is in the window. */
  has(kind: ContextKind): boolean {
    return (this.mask & (1 << KIND_INDEX[kind])) !== 0;
  }

  /** Whether no label at all is in the window (the common case, checked first). */
  get empty(): boolean {
    return this.mask === 0;
  }

  /** Distance to the nearest label of this kind, `Infinity` when there is none. */
  distance(kind: ContextKind): number {
    const index = KIND_INDEX[kind];
    return (this.mask & (1 << index)) === 0 ? Infinity : (this.distances[index] ?? Infinity);
  }

  /** Distance to the nearest label of any of these kinds. */
  nearest(kinds: readonly ContextKind[]): number {
    let best = Infinity;
    for (const kind of kinds) best = Math.min(best, this.distance(kind));
    return best;
  }

  /**
   * How the labels before a candidate read: `positive` when one of `kinds` is nearer than any
   * `negative` label ("STK: …"), `negative` when a negative label is nearer ("Mã đơn hàng: …"),
   * `none` when neither is present.
   */
  verdict(kinds: readonly ContextKind[]): 'positive' | 'negative' | 'none' {
    if (this.mask === 0) return 'none';
    const positive = this.nearest(kinds);
    const negative = this.distance('negative');
    if (positive === Infinity && negative === Infinity) return 'none';
    return positive <= negative ? 'positive' : 'negative';
  }
}

const NO_HITS = new ContextHits();

let cachedText: string | undefined;
let cachedHits: Map<number, ContextHits> | undefined;

/**
 * The labels in the `CONTEXT_WINDOW` characters before `index` (extended back to a word start).
 * Results are memoized for the last text seen, so the detectors asking about the same digit run
 * share one lookup.
 *
 * @example
 * contextBefore('Số tài khoản: 0071000123456', 14).has('bank') // true
 */
export function contextBefore(text: string, index: number): ContextHits {
  if (text !== cachedText || cachedHits === undefined) {
    cachedText = text;
    cachedHits = new Map();
  }
  const cached = cachedHits.get(index);
  if (cached !== undefined) return cached;
  const hits = lookBefore(text, index, CONTEXT_WINDOW);
  cachedHits.set(index, hits);
  return hits;
}

/** Most words read in one window; scratch space reused by every lookup (detectors are synchronous). */
const MAX_WINDOW_WORDS = 64;
const windowWords: Array<string | undefined> = new Array<string | undefined>(MAX_WINDOW_WORDS);
const windowWordEnds = new Int32Array(MAX_WINDOW_WORDS);

function lookBefore(text: string, index: number, width: number): ContextHits {
  let start = Math.max(0, index - width);
  // Do not cut the first word of the window in half.
  for (let steps = 0; steps < 16 && start > 0 && isWordCode(text.charCodeAt(start - 1)); steps++) start--;
  // Words of the window, folded; undefined for a word in no phrase (most of them: found by hash, no string built).
  let count = 0;
  let phraseWords = 0;
  let position = start;
  while (position < index && count < MAX_WINDOW_WORDS) {
    if (!isFoldedWordCode(foldCode(text.charCodeAt(position)))) {
      position++;
      continue;
    }
    const wordStart = position;
    let hash = 0;
    while (position < index) {
      const folded = foldCode(text.charCodeAt(position));
      if (folded !== 0) {
        if (!isFoldedWordCode(folded)) break;
        hash = (Math.imul(hash, 31) + folded) | 0;
      }
      position++;
    }
    if (PHRASE_WORD_HASHES.has(hash)) {
      windowWords[count] = foldRange(text, wordStart, position);
      phraseWords++;
    } else {
      windowWords[count] = undefined;
    }
    windowWordEnds[count] = position;
    count++;
  }
  if (phraseWords === 0) return NO_HITS;
  let hits: ContextHits | undefined;
  for (let first = 0; first < count; first++) {
    let key = windowWords[first];
    if (key === undefined) continue;
    for (let last = first; last < count && last - first < MAX_PHRASE_WORDS; last++) {
      if (last > first) {
        const word = windowWords[last];
        if (word === undefined) break;
        key += ' ' + word;
      }
      const entry = PHRASES.get(key);
      if (entry === undefined) break;
      if (entry.mask !== 0) {
        hits ??= new ContextHits();
        hits.add(entry.mask, index - (windowWordEnds[last] ?? index));
      }
      if (!entry.prefix) break;
    }
  }
  return hits ?? NO_HITS;
}

/**
 * Whether a label can end at most `distance` characters before `index`, as `contextBefore(text,
 * index).distance(kind) <= distance` needs for any kind: some unit among the `distance + 1` before
 * `index` folds to a letter (label words are letters) or is a combining mark (kept inside a word).
 * Reads those units only, so a caller can skip the lookup for the many numbers with no label near.
 */
export function mayEndLabelNear(text: string, index: number, distance: number): boolean {
  for (let position = index - 1; position >= 0 && position >= index - distance - 1; position--) {
    const folded = foldCode(text.charCodeAt(position));
    if (folded === 0 || (folded >= 0x61 && folded <= 0x7a)) return true;
  }
  return false;
}

/** For each kind, hashes of the last word of its phrases: what a label of that kind ends with. */
const LAST_WORD_HASHES = buildLastWordHashes();

function buildLastWordHashes(): Map<ContextKind, Set<number>> {
  const byKind = new Map<ContextKind, Set<number>>();
  for (const kind of KINDS) {
    const hashes = new Set<number>();
    for (const phrase of CONTEXT_WORDS[kind]) {
      const words = foldRange(phrase, 0, phrase.length).split(/[^a-z0-9]/);
      const last = words.filter((word) => word !== '').pop();
      if (last !== undefined) hashes.add(wordHash(last));
    }
    byKind.set(kind, hashes);
  }
  return byKind;
}

/**
 * Whether a label of `kind` ends at most `maxGap` characters before `position` ("Name: Jane",
 * "Họ tên: Nguyễn…", `"full_name": "Jane`), and no negative label is nearer. Looks at one word first, so it
 * is cheap when the answer is no, which is the common case.
 */
export function labelEndsAt(text: string, position: number, kind: ContextKind, maxGap = 4): boolean {
  // label words are letters and digits: "full_name" ends with the word "name"
  let end = position;
  while (end > 0 && position - end < maxGap && !isLabelCode(text.charCodeAt(end - 1))) end--;
  if (end === 0 || !isLabelCode(text.charCodeAt(end - 1))) return false;
  let start = end;
  while (start > 0 && end - start < 24 && isLabelCode(text.charCodeAt(start - 1))) start--;
  if (LAST_WORD_HASHES.get(kind)?.has(foldedWordHash(text, start, end)) !== true) return false;
  const hits = contextBefore(text, position);
  return hits.distance(kind) <= maxGap && hits.verdict([kind]) === 'positive';
}

function isLabelCode(code: number): boolean {
  return code !== 0x5f && isWordCode(code);
}

/** Hash of a word as `lookBefore` and `labelEndsAt` compute it, over its folded form. */
export function foldedWordHash(text: string, start: number, end: number): number {
  let hash = 0;
  for (let index = start; index < end; index++) {
    const folded = foldCode(text.charCodeAt(index));
    if (folded !== 0) hash = (Math.imul(hash, 31) + folded) | 0;
  }
  return hash;
}

// ---------------------------------------------------------------------------------------------
// NFC view of a text with offsets back into the original

/** A text in NFC with a way back to offsets in the text it came from. */
export interface NfcView {
  /** The text in NFC (the original itself when it had no combining marks). */
  readonly text: string;
  /** Offset in the original text of the unit at `index` of the view (a span start). */
  start(index: number): number;
  /** Offset in the original text just after the unit at `index - 1` of the view (a span end). */
  end(index: number): number;
}

const COMBINING_MARK = /[\u0300-\u036f]/g;
/** Longer runs of combining marks are left as they are (normalizing them sorts them). */
const MAX_MARKS_NORMALIZED = 8;

let cachedNfcSource: string | undefined;
let cachedNfc: NfcView | undefined;

/**
 * The NFC form of `text` with offsets that map back, so Vietnamese typed in decomposed form (as some
 * keyboards and macOS file names produce) matches the same word lists. Costs one scan when the text
 * has no combining mark (none when the caller knows it has none: `mayHaveMarks` false); memoized for
 * the last text.
 */
export function nfcView(text: string, budget?: ScanBudget, mayHaveMarks = true): NfcView {
  if (text === cachedNfcSource && cachedNfc !== undefined) return cachedNfc;
  COMBINING_MARK.lastIndex = 0;
  const view =
    mayHaveMarks && COMBINING_MARK.test(text) ? buildNfcView(text, budget) : new IdentityView(text);
  if (view === undefined) return new IdentityView(text); // out of time: the scan fails closed anyway
  cachedNfcSource = text;
  cachedNfc = view;
  return view;
}

/** The view of a text that is already NFC: offsets map to themselves. */
class IdentityView implements NfcView {
  constructor(readonly text: string) {}
  start(index: number): number {
    return index;
  }
  end(index: number): number {
    return index;
  }
}

/** The view of a decomposed text: each unit of the NFC text remembers the original cluster it came from. */
class MappedView implements NfcView {
  constructor(
    readonly text: string,
    private readonly original: string,
    private readonly pieceStart: Int32Array,
    private readonly pieceEnd: Int32Array,
  ) {}
  start(index: number): number {
    return index < this.pieceStart.length
      ? (this.pieceStart[index] ?? this.original.length)
      : this.original.length;
  }
  end(index: number): number {
    if (index <= 0) return 0;
    return this.pieceEnd[Math.min(index, this.pieceEnd.length) - 1] ?? this.original.length;
  }
}

function buildNfcView(text: string, budget: ScanBudget | undefined): NfcView | undefined {
  const pieces: string[] = [];
  // NFC is never longer than its source for these clusters; one slot per unit of the NFC text
  const pieceStart = new Int32Array(text.length);
  const pieceEnd = new Int32Array(text.length);
  let length = 0;
  let position = 0;
  let clusters = 0;
  while (position < text.length) {
    if (budget !== undefined && ++clusters % 1024 === 0 && performance.now() > budget.deadline)
      return undefined;
    COMBINING_MARK.lastIndex = position;
    const match = COMBINING_MARK.exec(text);
    const clusterStart =
      match === null ? text.length : match.index > position ? match.index - 1 : match.index;
    if (clusterStart > position) pieces.push(text.slice(position, clusterStart));
    for (let index = position; index < clusterStart; index++) {
      pieceStart[length] = index;
      pieceEnd[length] = index + 1;
      length++;
    }
    if (match === null) break;
    let clusterEnd = match.index;
    while (clusterEnd < text.length && isCombining(text.charCodeAt(clusterEnd))) clusterEnd++;
    const raw = text.slice(clusterStart, clusterEnd);
    let piece = clusterEnd - match.index <= MAX_MARKS_NORMALIZED ? raw.normalize('NFC') : raw;
    if (piece.length > raw.length) piece = raw; // keep the one-slot-per-unit bound
    pieces.push(piece);
    for (let index = 0; index < piece.length; index++) {
      pieceStart[length] = clusterStart;
      pieceEnd[length] = clusterEnd;
      length++;
    }
    position = clusterEnd;
  }
  return new MappedView(pieces.join(''), text, pieceStart.subarray(0, length), pieceEnd.subarray(0, length));
}

function isCombining(code: number): boolean {
  return code >= 0x300 && code <= 0x36f;
}

// ---------------------------------------------------------------------------------------------
// Detector plumbing

/**
 * Adjusts a confidence by the labels before a candidate: the nearest label decides, `boosted` when it
 * announces the candidate's kind, `penalized` when it names something else ("order id", "invoice").
 */
export function contextual(
  base: number,
  hits: ContextHits,
  kinds: readonly ContextKind[],
  boosted: number,
  penalized = base * 0.4,
): number {
  switch (hits.verdict(kinds)) {
    case 'positive':
      return Math.max(base, boosted);
    case 'negative':
      return Math.min(base, penalized);
    default:
      return base;
  }
}

let todayCheckedAt = -Infinity;
let todayValue = new Date();
let yearValue = todayValue.getFullYear();

/**
 * Today's date, refreshed at most once a second: birth years and birth dates must not be in the
 * future, and reading the date and the time zone on every call costs more than the check. The
 * second is measured on the monotonic clock, several times cheaper to read than the wall clock.
 */
export function today(): Date {
  const now = performance.now();
  if (now - todayCheckedAt >= 1000) {
    todayCheckedAt = now;
    todayValue = new Date();
    yearValue = todayValue.getFullYear();
  }
  return todayValue;
}

/** The current year (see `today`). */
export function currentYear(): number {
  today();
  return yearValue;
}
