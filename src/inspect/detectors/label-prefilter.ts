/**
 * A quick necessary test before `contextBefore`: whether a label of some kinds can end in the window
 * before a candidate, read as the last word of one of their phrases among the window's words. A
 * detector that only reports a candidate after such a label ("STK: …") asks this first and skips the
 * full lookup for the many numbers with no label of the kind near. Never says no when the lookup
 * would find such a label; reads at most CONTEXT_REACH units.
 */
import { foldRange, foldedUnit, isWordCode } from './context.js';
import type { ContextKind } from './context.js';
import { CONTEXT_WORDS } from './data/context-words.js';

/**
 * How far back `contextBefore` reads: its window (48 units) ends at the candidate, and its start
 * moves back at most 16 more units so as not to cut a word. A window start is never after
 * CONTEXT_WINDOW units before the candidate, so only there can a word be cut to a suffix.
 * Keep both in step with `CONTEXT_WINDOW` and the word-start step of `lookBefore` in context.ts.
 */
const CONTEXT_WINDOW = 48;
const CONTEXT_REACH = CONTEXT_WINDOW + 16;

/**
 * Per UTF-16 unit: its folded unit when that belongs to a word as `lookBefore` reads words (a-z,
 * 0-9, non-ASCII letters), NOT_WORD when it ends one, 0 for a combining mark (skipped inside a word).
 */
const NOT_WORD = 0xffff;
const FOLDED_WORD_UNITS = buildFoldedWordUnits();

function buildFoldedWordUnits(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let code = 0; code < table.length; code++) {
    // folding leaves the units from U+2000 up as they are
    const folded = code < 0x2000 ? foldedUnit(code) : code;
    table[code] = folded === 0 ? 0 : isFoldedWordUnit(folded) ? folded : NOT_WORD;
  }
  return table;
}

/** What `lookBefore` counts as part of a word, among folded units. */
function isFoldedWordUnit(folded: number): boolean {
  if (folded < 0x80) return (folded >= 0x61 && folded <= 0x7a) || (folded >= 0x30 && folded <= 0x39);
  return isWordCode(folded);
}

/** Hash of a folded word, as computed over its units in order (h = h * 31 + unit, 32 bits). */
function wordHash(word: string): number {
  let hash = 0;
  for (let index = 0; index < word.length; index++) hash = (Math.imul(hash, 31) + word.charCodeAt(index)) | 0;
  return hash;
}

const FILTER_SIZE = 4096;

/**
 * A test of whether a label of `kinds` can end before a position of a text (see the module header).
 *
 * @example
 * const mayFollowAccountLabel = labelPrefilter(['bank', 'bankName']);
 * mayFollowAccountLabel('STK: 0071000123456', 5) // true
 */
export function labelPrefilter(kinds: readonly ContextKind[]): (text: string, index: number) => boolean {
  const hashes = new Set<number>();
  for (const kind of kinds) {
    for (const phrase of CONTEXT_WORDS[kind]) {
      const words = foldRange(phrase, 0, phrase.length)
        .split(/[^a-z0-9]/)
        .filter((word) => word !== '');
      const last = words[words.length - 1];
      if (last !== undefined) hashes.add(wordHash(last));
    }
  }
  const filter = new Uint8Array(FILTER_SIZE);
  for (const hash of hashes) filter[hash & (FILTER_SIZE - 1)] = 1;

  return (text, index) => {
    const cutFrom = index - CONTEXT_WINDOW;
    const reach = index > CONTEXT_REACH ? index - CONTEXT_REACH : 0;
    // words are read backwards, hashing each suffix: a word is checked whole, and from every unit
    // where a window start may cut it
    let hash = 0;
    let power = 1;
    let inWord = false;
    for (let position = index - 1; position >= reach; position--) {
      const folded = FOLDED_WORD_UNITS[text.charCodeAt(position)] as number;
      if (folded === NOT_WORD) {
        if (inWord && filter[hash & (FILTER_SIZE - 1)] === 1 && hashes.has(hash)) return true;
        hash = 0;
        power = 1;
        inWord = false;
        continue;
      }
      if (folded !== 0) {
        hash = (Math.imul(folded, power) + hash) | 0;
        power = Math.imul(power, 31);
        inWord = true;
      }
      if (position <= cutFrom && inWord && filter[hash & (FILTER_SIZE - 1)] === 1 && hashes.has(hash))
        return true;
    }
    return inWord && hashes.has(hash);
  };
}
