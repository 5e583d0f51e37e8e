/**
 * Context words for the PII detectors: which labels ("CCCD", "số tài khoản", "order id") occur in the
 * few dozen characters before a candidate, compared case- and diacritic-insensitively so NFC, NFD and
 * unaccented Vietnamese match alike, with quick necessary tests (`labelMayEndNear`) that let a
 * detector skip the lookup where no label of the kind it needs can be. Also the folding and NFC
 * offset mapping the Vietnamese detectors share, and the small factory that turns a detect function
 * into a `Detector`. Work is bounded by the window width, never by the text length.
 */
import type { ScanBudget } from '../types.js';
import { forgetTables, tableCellAt } from './tables.js';
import type { TableCell } from './tables.js';
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

/**
 * Label words and phrases as automata, so a lookup builds no string: each word of the window is
 * read once through a trie of the label words' letters (folded units a-z and 0-9), which gives its
 * word id or none, and runs of word ids go through a trie of the phrases.
 */
const MAX_PHRASE_WORDS = 6;
/** Letters of label words: a-z then 0-9. */
const LETTERS = 36;
/** Classes of a UTF-16 unit in the label scan beyond the LETTERS: another word unit, one folding drops, not a word unit. */
const OTHER_WORD_UNIT = LETTERS;
const DROPPED_UNIT = LETTERS + 1;
const NOT_WORD_UNIT = LETTERS + 2;

/** Label-scan class of each unit below FOLD_TABLE_SIZE (see `unitClass`). */
const UNIT_CLASS = buildUnitClasses();

function buildUnitClasses(): Uint8Array {
  const table = new Uint8Array(FOLD_TABLE_SIZE);
  for (let code = 0; code < FOLD_TABLE_SIZE; code++) table[code] = classOfFolded(foldCode(code));
  return table;
}

function classOfFolded(folded: number): number {
  if (folded === 0) return DROPPED_UNIT;
  if (folded >= 0x61 && folded <= 0x7a) return folded - 0x61;
  if (folded >= 0x30 && folded <= 0x39) return 26 + folded - 0x30;
  return isFoldedWordCode(folded) ? OTHER_WORD_UNIT : NOT_WORD_UNIT;
}

/**
 * What a unit is to the label scan, after folding: a letter of the label alphabet (its index below
 * LETTERS), OTHER_WORD_UNIT, DROPPED_UNIT (a combining mark: kept inside a word, never starts one) or
 * NOT_WORD_UNIT (ends a word).
 */
function unitClass(code: number): number {
  if (code < FOLD_TABLE_SIZE) return UNIT_CLASS[code] as number;
  return isNonAsciiLetterLike(code) ? OTHER_WORD_UNIT : NOT_WORD_UNIT;
}

interface LabelAutomata {
  /** Id of each label word. */
  wordIds: ReadonlyMap<string, number>;
  /** Letter trie: child of node n by letter l at n * LETTERS + l, -1 for none; node 0 is the root. */
  letterChild: Int32Array;
  /** Word id of each letter-trie node that ends a label word, else -1. */
  wordOfNode: Int32Array;
  /** Number of distinct label words. */
  words: number;
  /** Phrase trie: child of node n by word w under key n * words + w; node 0 is the root. */
  phraseChild: Map<number, number>;
  /** Kinds (bit set) each phrase-trie node announces; 0 when it only starts longer phrases. */
  phraseMask: number[];
  /** Kinds (bit set) of the phrases each word ends, by word id. */
  lastWordKinds: Int32Array;
  /**
   * Phrases read backwards, last word first: the child of the root by word w under key w, of node n
   * by word w under n * words + w + REVERSED_KEY_OFFSET.
   */
  reversedChild: Map<number, number>;
  /** Kinds (bit set) of the phrases a reversed-trie node completes. */
  reversedMask: number[];
}

/** Keeps the reversed trie's keys below a node apart from the root's (see `LabelAutomata`). */
const REVERSED_KEY_OFFSET = 1 << 24;

const LABELS = buildLabelAutomata();
const LAST_WORD_KINDS = LABELS.lastWordKinds;
const LABEL_WORD_IDS = LABELS.wordIds;

/**
 * The label words read backwards, for `labelMayEndNear`: a letter trie of the reversed words, the
 * kinds of the labels that words below each node end (a node whose kinds miss the ones asked for
 * is left at once), and the word each node completes.
 */
const LABEL_ENDS = buildLabelEnds();

function buildLabelEnds(): {
  reversedLetterChild: Int32Array;
  reversedLetterKinds: Int32Array;
  wordOfReversedNode: Int32Array;
} {
  const child: number[] = [];
  const kinds: number[] = [];
  const wordOfNode: number[] = [];
  const addNode = (): number => {
    for (let letter = 0; letter < LETTERS; letter++) child.push(-1);
    kinds.push(0);
    wordOfNode.push(-1);
    return wordOfNode.length - 1;
  };
  addNode();
  for (const [word, id] of LABEL_WORD_IDS) {
    const wordKinds = LAST_WORD_KINDS[id] as number;
    let node = 0;
    kinds[0] = (kinds[0] as number) | wordKinds;
    for (let index = word.length - 1; index >= 0; index--) {
      const slot = node * LETTERS + classOfFolded(word.charCodeAt(index));
      let next = child[slot] as number;
      if (next < 0) {
        next = addNode();
        child[slot] = next;
      }
      node = next;
      kinds[node] = (kinds[node] as number) | wordKinds;
    }
    wordOfNode[node] = id;
  }
  return {
    reversedLetterChild: Int32Array.from(child),
    reversedLetterKinds: Int32Array.from(kinds),
    wordOfReversedNode: Int32Array.from(wordOfNode),
  };
}

function buildLabelAutomata(): LabelAutomata {
  const phrases: { words: string[]; bit: number }[] = [];
  for (const kind of KINDS) {
    const bit = 1 << KIND_INDEX[kind];
    for (const phrase of CONTEXT_WORDS[kind]) {
      const words = foldRange(phrase, 0, phrase.length)
        .split(/[^a-z0-9]/)
        .filter((word) => word !== '');
      if (words.length > 0) phrases.push({ words, bit });
    }
  }
  const wordIds = new Map<string, number>();
  for (const phrase of phrases)
    for (const word of phrase.words) if (!wordIds.has(word)) wordIds.set(word, wordIds.size);
  const letterChild: number[] = [];
  const wordOfNode: number[] = [];
  const addNode = (): number => {
    for (let letter = 0; letter < LETTERS; letter++) letterChild.push(-1);
    wordOfNode.push(-1);
    return wordOfNode.length - 1;
  };
  addNode();
  for (const [word, id] of wordIds) {
    let node = 0;
    for (let index = 0; index < word.length; index++) {
      const slot = node * LETTERS + classOfFolded(word.charCodeAt(index));
      let child = letterChild[slot] as number;
      if (child < 0) {
        child = addNode();
        letterChild[slot] = child;
      }
      node = child;
    }
    wordOfNode[node] = id;
  }
  const words = wordIds.size;
  const lastWordKinds = new Int32Array(words);
  for (const phrase of phrases) {
    const last = wordIds.get(phrase.words[phrase.words.length - 1] as string) as number;
    lastWordKinds[last] = (lastWordKinds[last] as number) | phrase.bit;
  }
  const phraseChild = new Map<number, number>();
  const phraseMask = [0];
  for (const phrase of phrases) {
    let node = 0;
    for (const word of phrase.words) {
      const key = node * words + (wordIds.get(word) as number);
      let child = phraseChild.get(key);
      if (child === undefined) {
        child = phraseMask.length;
        phraseMask.push(0);
        phraseChild.set(key, child);
      }
      node = child;
    }
    phraseMask[node] = (phraseMask[node] as number) | phrase.bit;
  }
  const reversedChild = new Map<number, number>();
  const reversedMask = [0];
  for (const phrase of phrases) {
    let node = -1;
    for (let index = phrase.words.length - 1; index >= 0; index--) {
      const word = wordIds.get(phrase.words[index] as string) as number;
      const key = node < 0 ? word : node * words + word + REVERSED_KEY_OFFSET;
      let child = reversedChild.get(key);
      if (child === undefined) {
        child = reversedMask.length;
        reversedMask.push(0);
        reversedChild.set(key, child);
      }
      node = child;
    }
    reversedMask[node] = (reversedMask[node] as number) | phrase.bit;
  }
  return {
    wordIds,
    letterChild: Int32Array.from(letterChild),
    wordOfNode: Int32Array.from(wordOfNode),
    words,
    phraseChild,
    phraseMask,
    lastWordKinds,
    reversedChild,
    reversedMask,
  };
}

function wordHash(word: string): number {
  let hash = 0;
  for (let index = 0; index < word.length; index++) hash = (Math.imul(hash, 31) + word.charCodeAt(index)) | 0;
  return hash;
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
    for (let rest = kindMask; rest !== 0; rest &= rest - 1) {
      const index = 31 - Math.clz32(rest & -rest);
      const present = (this.mask & (1 << index)) !== 0;
      if (!present || distance < (this.distances[index] ?? Infinity)) this.distances[index] = distance;
    }
    this.mask |= kindMask;
  }

  /** @internal records every label of `other`, `shift` characters further away. */
  addAll(other: ContextHits, shift: number): void {
    for (let rest = other.mask; rest !== 0; rest &= rest - 1) {
      const index = 31 - Math.clz32(rest & -rest);
      this.add(1 << index, (other.distances[index] ?? Infinity) + shift);
    }
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
/** The labels of each header cell of the last text, by the cell's start: every row of its column reads them. */
let cachedHeaderHits: Map<number, ContextHits> | undefined;

/** Drops the label lookups and the NFC view memoized for the last text (see forgetScannedText). */
export function forgetContextText(): void {
  cachedText = undefined;
  cachedHits = undefined;
  cachedHeaderHits = undefined;
  forgetTables();
  cachedNfcSource = undefined;
  cachedNfc = undefined;
}

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
    cachedHeaderHits = new Map();
  }
  const cached = cachedHits.get(index);
  if (cached !== undefined) return cached;
  const cell = tableCellAt(text, index);
  const hits = cell === undefined ? lookBefore(text, index) : lookInCell(text, index, cell);
  cachedHits.set(index, hits);
  return hits;
}

/**
 * The labels of a value in a table: those of its column's header cell, as if they ended where its
 * cell starts, and those in its own cell before it. The other columns' headers and the rows above
 * are not its labels.
 */
function lookInCell(text: string, index: number, cell: TableCell): ContextHits {
  const own = lookBefore(text, index, Math.max(windowStart(text, index), cell.cellStart));
  let header = cachedHeaderHits?.get(cell.headerStart);
  if (header === undefined) {
    header = lookBefore(text, cell.headerEnd, cell.headerStart);
    cachedHeaderHits?.set(cell.headerStart, header);
  }
  if (header === NO_HITS) return own;
  const hits = new ContextHits();
  hits.addAll(header, index - cell.cellStart);
  hits.addAll(own, 0);
  return hits;
}

/** Most words read in one window; scratch space reused by every lookup (detectors are synchronous). */
const MAX_WINDOW_WORDS = 64;
/** Word id of each word of the window, -1 for a word that is in no label (most of them). */
const windowWords = new Int32Array(MAX_WINDOW_WORDS);
const windowWordEnds = new Int32Array(MAX_WINDOW_WORDS);

/**
 * Where the window of `contextBefore(text, index)` starts: CONTEXT_WINDOW units before `index`, moved
 * back at most 16 units so as not to cut the first word in half (a longer word is read from there).
 * The lookup and `labelMayEndNear` both read it here, so the quick test cannot drift from the lookup.
 */
function windowStart(text: string, index: number): number {
  let start = Math.max(0, index - CONTEXT_WINDOW);
  for (let steps = 0; steps < 16 && start > 0 && isWordCode(text.charCodeAt(start - 1)); steps++) start--;
  return start;
}

function lookBefore(text: string, index: number, start = windowStart(text, index)): ContextHits {
  const { letterChild, wordOfNode } = LABELS;
  // Words of the window, each read once through the letter trie.
  let count = 0;
  let labelWords = 0;
  let position = start;
  while (position < index && count < MAX_WINDOW_WORDS) {
    let unit = unitClass(text.charCodeAt(position));
    position++;
    if (unit >= DROPPED_UNIT) continue;
    let node = unit < LETTERS ? (letterChild[unit] as number) : -1;
    while (position < index) {
      unit = unitClass(text.charCodeAt(position));
      if (unit === NOT_WORD_UNIT) break;
      if (node >= 0 && unit !== DROPPED_UNIT)
        node = unit < LETTERS ? (letterChild[node * LETTERS + unit] as number) : -1;
      position++;
    }
    const word = node >= 0 ? (wordOfNode[node] as number) : -1;
    if (word >= 0) labelWords++;
    windowWords[count] = word;
    windowWordEnds[count] = position;
    count++;
  }
  if (labelWords === 0) return NO_HITS;
  const { words, phraseChild, phraseMask } = LABELS;
  let hits: ContextHits | undefined;
  for (let first = 0; first < count; first++) {
    if ((windowWords[first] as number) < 0) continue;
    let node = 0;
    for (let last = first; last < count && last - first < MAX_PHRASE_WORDS; last++) {
      const word = windowWords[last] as number;
      if (word < 0) break;
      const child = phraseChild.get(node * words + word);
      if (child === undefined) break;
      node = child;
      const mask = phraseMask[node] as number;
      if (mask !== 0 && labelReaches(text, windowWordEnds[last] as number, index)) {
        hits ??= new ContextHits();
        hits.add(mask, index - (windowWordEnds[last] as number));
      }
    }
  }
  return hits ?? NO_HITS;
}

/**
 * Whether a label ending at `labelEnd` speaks of a value at `index`: always on the same line; from
 * an earlier line unless a number (3 digits or more) follows the label on its own line, which is
 * then the label's value ("Mã đơn: 079 203 001 234" does not label the card on the next line; "Số CMND của tôi:"
 * and "CCCD số (12 chữ số)" do label the number below).
 */
function labelReaches(text: string, labelEnd: number, index: number): boolean {
  let run = 0;
  let value = false;
  for (let position = labelEnd; position < index; position++) {
    const code = text.charCodeAt(position);
    if (code >= 0x30 && code <= 0x39) {
      if (++run >= 3) value = true;
      continue;
    }
    run = 0;
    if (isLineBreak(code)) return !value;
  }
  return true;
}

function isLineBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/** The bit set of `kinds`, for `labelMayEndNear`. */
export function kindMask(kinds: readonly ContextKind[]): number {
  let mask = 0;
  for (const kind of kinds) mask |= 1 << KIND_INDEX[kind];
  return mask;
}

/**
 * Whether a label of one of the kinds in `kinds` (a `kindMask`) can end at most `distance`
 * characters before `index`, as `contextBefore(text, index).nearest(kinds) <= distance` needs: some
 * word ending there is the last word of such a label. A necessary condition read from the words of
 * the lookup's window only (true when unsure), so a caller can skip the lookup for the many
 * candidates with no such label near. A `distance` of `Infinity` asks about the whole window, as a
 * caller of `verdict(kinds)` needs.
 *
 * @example
 * labelMayEndNear('STK: 0071000123456', 5, Infinity, kindMask(['bank'])) // true
 * labelMayEndNear('Order id: 0071000123456', 10, Infinity, kindMask(['bank'])) // false
 */
export function labelMayEndNear(text: string, index: number, distance: number, kinds: number): boolean {
  // a table cell's labels are in its column's header (unsure: the lookup reads them)
  if (tableCellAt(text, index) !== undefined) return true;
  const { wordOfReversedNode, reversedLetterChild, reversedLetterKinds } = LABEL_ENDS;
  const lowest = index - distance;
  // The lookup reads the words from its window start on, the first one cut there, and nothing
  // before. That start is CONTEXT_WINDOW units back, or up to 16 more inside a word: it is looked
  // for only when a scan gets there, which few do when `distance` is small.
  let first = index > CONTEXT_WINDOW ? index - CONTEXT_WINDOW : 0;
  let firstFound = first === 0;
  let end = index;
  while (end >= lowest) {
    if (end <= first) {
      if (firstFound) break;
      first = windowStart(text, index);
      firstFound = true;
      continue;
    }
    if (unitClass(text.charCodeAt(end - 1)) === NOT_WORD_UNIT) {
      end--;
      continue;
    }
    // The word ending at `end` (cut there when it goes on past `index`, and at the window start, as
    // the window reads it), read backwards through the reversed label words that end a label of `kinds`.
    let node = 0;
    let start = end;
    for (;;) {
      if (start <= first) {
        if (firstFound) break;
        first = windowStart(text, index);
        firstFound = true;
        continue;
      }
      const unit = unitClass(text.charCodeAt(start - 1));
      if (unit === NOT_WORD_UNIT) break;
      if (node >= 0 && unit !== DROPPED_UNIT) {
        node = unit < LETTERS ? (reversedLetterChild[node * LETTERS + unit] as number) : -1;
        if (node >= 0 && ((reversedLetterKinds[node] as number) & kinds) === 0) node = -1;
      }
      start--;
    }
    if (node > 0) {
      const word = wordOfReversedNode[node] as number;
      if (word >= 0 && ((LAST_WORD_KINDS[word] as number) & kinds) !== 0) {
        const bound = firstFound ? first : windowStart(text, index);
        if (labelEndsWith(text, word, start, kinds, bound)) return true;
      }
    }
    end = start;
  }
  return false;
}

/**
 * `labelMayEndNear` for every index from `from` to `to` at once: false only when no lookup at any
 * of them can find a label of `kinds` at most `distance` characters before it.
 */
export function labelMayEndBetween(
  text: string,
  from: number,
  to: number,
  distance: number,
  kinds: number,
): boolean {
  if (tableCellAt(text, from) !== undefined || tableCellAt(text, to) !== undefined) return true;
  const { letterChild, wordOfNode } = LABELS;
  const lowest = from - distance;
  let end = to;
  while (end > 0 && end >= lowest) {
    if (unitClass(text.charCodeAt(end - 1)) === NOT_WORD_UNIT) {
      end--;
      continue;
    }
    // The word ending at `end` (or cut there: a lookup at `to` reads a word that goes on as ending
    // there). Every window that can hold it starts CONTEXT_WINDOW units or more before the lookup,
    // where no word crosses, so a word starting after that is read whole; a longer one: unsure.
    const bound = Math.min(to, end + distance) - CONTEXT_WINDOW;
    let start = end - 1;
    while (start > 0 && unitClass(text.charCodeAt(start - 1)) !== NOT_WORD_UNIT) {
      start--;
      if (start < bound) return true;
    }
    if (start < bound) return true;
    // The word and, for lookups inside it, its beginnings ("SĐT" in "SĐT0912…"), through the letter trie.
    let node = 0;
    for (let position = start; position < end && node >= 0; position++) {
      const unit = unitClass(text.charCodeAt(position));
      if (unit !== DROPPED_UNIT) node = unit < LETTERS ? (letterChild[node * LETTERS + unit] as number) : -1;
      const wordEnd = position + 1;
      if (node > 0 && (wordEnd === end ? wordEnd >= lowest : wordEnd >= from && wordEnd <= to)) {
        const word = wordOfNode[node] as number;
        if (word >= 0 && ((LAST_WORD_KINDS[word] as number) & kinds) !== 0) {
          if (labelEndsWith(text, word, start, kinds, bound)) return true;
        }
      }
    }
    end = start;
  }
  return false;
}

/**
 * Whether a label of `kinds` ends with the word `word` that starts at `start`: its other words are
 * read back, word by word, through the phrases reversed. The words before `bound` are not read
 * whole by every window that matters: true when the label would reach there (unsure).
 */
function labelEndsWith(text: string, word: number, start: number, kinds: number, bound: number): boolean {
  const { letterChild, wordOfNode, words, reversedChild, reversedMask } = LABELS;
  let node = reversedChild.get(word);
  let position = start;
  for (let count = 1; node !== undefined; count++) {
    if (((reversedMask[node] as number) & kinds) !== 0) return true;
    if (count >= MAX_PHRASE_WORDS) return false;
    // the word before, as the window reads it: runs of dropped units alone are no word
    let previous = -1;
    while (previous < 0) {
      while (position > 0 && unitClass(text.charCodeAt(position - 1)) === NOT_WORD_UNIT) {
        position--;
        if (position < bound) return true;
      }
      if (position === 0) return false;
      const wordEnd = position;
      while (position > 0 && unitClass(text.charCodeAt(position - 1)) !== NOT_WORD_UNIT) {
        position--;
        if (position < bound) return true;
      }
      let letters = 0;
      for (let index = position; index < wordEnd && letters >= 0; index++) {
        const unit = unitClass(text.charCodeAt(index));
        if (unit !== DROPPED_UNIT)
          letters = unit < LETTERS ? (letterChild[letters * LETTERS + unit] as number) : -1;
      }
      if (letters === 0) continue; // dropped units only
      previous = letters > 0 ? (wordOfNode[letters] as number) : -1;
      if (previous < 0) return false; // a word in no label ends every label here
    }
    node = reversedChild.get(node * words + previous + REVERSED_KEY_OFFSET);
  }
  return false;
}

/**
 * A set of word hashes (`foldedWordHash`), membership exactly the Set's. A hash is a 32-bit integer,
 * which a Set boxes (allocates) past 30 bits and finds in a table that a scan has long evicted from
 * the cache; a bit filter answers most misses (the common answer) first.
 */
export class WordHashes {
  /** One bit per 16 low bits of a hash: most misses end at this 8 KB table, which stays in cache. */
  readonly #filter = new Int32Array(2048);
  readonly #full = new Set<number>();

  constructor(hashes: Iterable<number>) {
    for (const hash of hashes) {
      const slot = hash & 0xffff;
      this.#filter[slot >>> 5] = (this.#filter[slot >>> 5] as number) | (1 << (slot & 31));
      this.#full.add(hash);
    }
  }

  has(hash: number): boolean {
    const slot = hash & 0xffff;
    return ((this.#filter[slot >>> 5] as number) & (1 << (slot & 31))) !== 0 && this.#full.has(hash);
  }
}

/** For each kind, hashes of the last word of its phrases: what a label of that kind ends with. */
const LAST_WORD_HASHES = buildLastWordHashes();

function buildLastWordHashes(): WordHashes[] {
  return KINDS.map((kind) => {
    const hashes: number[] = [];
    for (const phrase of CONTEXT_WORDS[kind]) {
      const words = foldRange(phrase, 0, phrase.length).split(/[^a-z0-9]/);
      const last = words.filter((word) => word !== '').pop();
      if (last !== undefined) hashes.push(wordHash(last));
    }
    return new WordHashes(hashes);
  });
}

/**
 * Whether a label of `kind` ends at most `maxGap` characters before `position` ("Name: Jane",
 * "Họ tên: Nguyễn…", `"full_name": "Jane`), and no negative label is nearer. Looks at one word first, so it
 * is cheap when the answer is no, which is the common case.
 */
export function labelEndsAt(text: string, position: number, kind: ContextKind, maxGap = 4): boolean {
  const cell = tableCellAt(text, position);
  if (cell !== undefined && position - cell.cellStart <= maxGap) {
    // a value at the start of its cell, labelled by its column's header ("ho_ten" over "Nguyễn Văn An")
    const hits = contextBefore(text, position);
    const distance = hits.distance(kind);
    return distance <= maxGap && distance <= hits.distance('negative');
  }
  // label words are letters and digits: "full_name" ends with the word "name"
  let end = position;
  while (end > 0 && position - end < maxGap && !isLabelCode(text.charCodeAt(end - 1))) end--;
  if (end === 0 || !isLabelCode(text.charCodeAt(end - 1))) return false;
  let start = end;
  while (start > 0 && end - start < 24 && isLabelCode(text.charCodeAt(start - 1))) start--;
  if (LAST_WORD_HASHES[KIND_INDEX[kind]]?.has(foldedWordHash(text, start, end)) !== true) return false;
  // hits.distance(kind) <= maxGap && hits.verdict([kind]) === 'positive', without the array
  const hits = contextBefore(text, position);
  const distance = hits.distance(kind);
  return distance <= maxGap && distance <= hits.distance('negative');
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
  // The caller's word that the text holds no mark is not remembered: after a pass cut short by the
  // deadline it may be wrong, and a cached identity view would then hide the marks from every later
  // scan of the same string, budget or not.
  if (!mayHaveMarks) return new IdentityView(text);
  COMBINING_MARK.lastIndex = 0;
  const view = COMBINING_MARK.test(text) ? buildNfcView(text, budget) : new IdentityView(text);
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
