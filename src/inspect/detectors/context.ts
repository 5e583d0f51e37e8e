/**
 * Context words for the PII detectors: which labels ("CCCD", "số tài khoản", "order id") occur in the
 * few dozen characters before a candidate, compared case- and diacritic-insensitively so NFC, NFD and
 * unaccented Vietnamese match alike. Also the folding and NFC offset mapping the Vietnamese detectors
 * share. Work is bounded by the window width, never by the text length.
 */
import { CONTEXT_WORDS } from './data/context-words.js';

/** A kind of label, e.g. `phone`, `bank`, `negative` (see `data/context-words.ts`). */
export type ContextKind = keyof typeof CONTEXT_WORDS;

const KINDS = Object.keys(CONTEXT_WORDS) as ContextKind[];
const KIND_BIT = new Map<ContextKind, number>(KINDS.map((kind, index) => [kind, 1 << index]));

/** Characters looked at before a candidate: about six words. */
export const CONTEXT_WINDOW = 48;

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
export function foldCode(code: number): number {
  if (code < FOLD_TABLE_SIZE) return FOLD[code] ?? code;
  return code;
}

/**
 * `text[start, end)` in lower case without diacritics ("Số Tài Khoản" → "so tai khoan"), for NFC and
 * NFD input alike. Only for short ranges: it builds a new string.
 */
export function foldRange(text: string, start: number, end: number): string {
  const codes: number[] = [];
  for (let index = Math.max(0, start); index < end && index < text.length; index++) {
    const folded = foldCode(text.charCodeAt(index));
    if (folded !== 0) codes.push(folded);
  }
  return String.fromCharCode(...codes);
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
      (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f
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
    const bit = KIND_BIT.get(kind) ?? 0;
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
 * The labels found before a candidate: which kinds, and how near (in folded characters between the
 * end of the label and the candidate; `Infinity` when absent).
 */
export class ContextHits {
  /** Bit set of the kinds present. */
  private mask = 0;
  private readonly distances = new Map<ContextKind, number>();

  /** @internal records a label of `kinds` (bit set) ending `distance` characters before the candidate. */
  add(kindMask: number, distance: number): void {
    this.mask |= kindMask;
    for (const kind of KINDS) {
      const bit = KIND_BIT.get(kind) ?? 0;
      if ((kindMask & bit) === 0) continue;
      const previous = this.distances.get(kind);
      if (previous === undefined || distance < previous) this.distances.set(kind, distance);
    }
  }

  /** Whether any label of this kind is in the window. */
  has(kind: ContextKind): boolean {
    return (this.mask & (KIND_BIT.get(kind) ?? 0)) !== 0;
  }

  /** Whether no label at all is in the window (the common case, checked first). */
  get empty(): boolean {
    return this.mask === 0;
  }

  /** Distance to the nearest label of this kind, `Infinity` when there is none. */
  distance(kind: ContextKind): number {
    return this.distances.get(kind) ?? Infinity;
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
let cachedHits = new Map<number, ContextHits>();

/**
 * The labels in the `CONTEXT_WINDOW` characters before `index` (extended back to a word start).
 * Results are memoized for the last text seen, so the detectors asking about the same digit run
 * share one lookup.
 *
 * @example
 * contextBefore('Số tài khoản: 0071000123456', 14).has('bank') // true
 */
export function contextBefore(text: string, index: number): ContextHits {
  if (text !== cachedText) {
    cachedText = text;
    cachedHits = new Map();
  }
  const cached = cachedHits.get(index);
  if (cached !== undefined) return cached;
  const hits = lookBefore(text, index, CONTEXT_WINDOW);
  cachedHits.set(index, hits);
  return hits;
}

function lookBefore(text: string, index: number, width: number): ContextHits {
  let start = Math.max(0, index - width);
  // Do not cut the first word of the window in half.
  for (let steps = 0; steps < 16 && start > 0 && isWordCode(text.charCodeAt(start - 1)); steps++) start--;
  const folded = foldRange(text, start, index);
  if (folded.length === 0) return NO_HITS;
  const wordStarts: number[] = [];
  const wordEnds: number[] = [];
  let position = 0;
  while (position < folded.length) {
    while (position < folded.length && !isFoldedWordCode(folded.charCodeAt(position))) position++;
    if (position >= folded.length) break;
    const wordStart = position;
    while (position < folded.length && isFoldedWordCode(folded.charCodeAt(position))) position++;
    wordStarts.push(wordStart);
    wordEnds.push(position);
  }
  let hits: ContextHits | undefined;
  for (let first = 0; first < wordStarts.length; first++) {
    let key = folded.slice(wordStarts[first], wordEnds[first]);
    for (let last = first; last < wordStarts.length && last - first < MAX_PHRASE_WORDS; last++) {
      if (last > first) key += ' ' + folded.slice(wordStarts[last], wordEnds[last]);
      const entry = PHRASES.get(key);
      if (entry === undefined) break;
      if (entry.mask !== 0) {
        hits ??= new ContextHits();
        hits.add(entry.mask, folded.length - (wordEnds[last] ?? folded.length));
      }
      if (!entry.prefix) break;
    }
  }
  return hits ?? NO_HITS;
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
 * has no combining mark; memoized for the last text.
 */
export function nfcView(text: string): NfcView {
  if (text === cachedNfcSource && cachedNfc !== undefined) return cachedNfc;
  COMBINING_MARK.lastIndex = 0;
  const view = COMBINING_MARK.test(text) ? buildNfcView(text) : identityView(text);
  cachedNfcSource = text;
  cachedNfc = view;
  return view;
}

function identityView(text: string): NfcView {
  return { text, start: (index) => index, end: (index) => index };
}

function buildNfcView(text: string): NfcView {
  const pieces: string[] = [];
  const pieceStart: number[] = [];
  const pieceEnd: number[] = [];
  let position = 0;
  const copy = (from: number, to: number): void => {
    if (to <= from) return;
    pieces.push(text.slice(from, to));
    for (let index = from; index < to; index++) {
      pieceStart.push(index);
      pieceEnd.push(index + 1);
    }
  };
  while (position < text.length) {
    COMBINING_MARK.lastIndex = position;
    const match = COMBINING_MARK.exec(text);
    if (match === null) {
      copy(position, text.length);
      break;
    }
    const clusterStart = match.index > position ? match.index - 1 : match.index;
    copy(position, clusterStart);
    let clusterEnd = match.index;
    while (clusterEnd < text.length && isCombining(text.charCodeAt(clusterEnd))) clusterEnd++;
    const raw = text.slice(clusterStart, clusterEnd);
    const piece = clusterEnd - match.index <= MAX_MARKS_NORMALIZED ? raw.normalize('NFC') : raw;
    pieces.push(piece);
    for (let index = 0; index < piece.length; index++) {
      pieceStart.push(clusterStart);
      pieceEnd.push(clusterEnd);
    }
    position = clusterEnd;
  }
  const normalized = pieces.join('');
  return {
    text: normalized,
    start: (index) => (index < pieceStart.length ? (pieceStart[index] ?? text.length) : text.length),
    end: (index) => (index <= 0 ? 0 : (pieceEnd[Math.min(index, pieceEnd.length) - 1] ?? text.length)),
  };
}

function isCombining(code: number): boolean {
  return code >= 0x300 && code <= 0x36f;
}
