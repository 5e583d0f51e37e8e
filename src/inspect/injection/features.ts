/**
 * Features of the injection classifier: hashed character 2–4-grams and word 1–2-grams of a
 * normalised text, cut into fixed blocks so that a long text is scored window by window. The
 * training script and the runtime both go through this one module, so the features a model was
 * trained on are exactly the ones it is scored on.
 *
 * Normalisation: the rules' folding (fold.ts: lower case, compatibility forms expanded, diacritics
 * removed, invisible controls dropped, Unicode tag characters read as the ASCII they smuggle, so
 * hiding or splitting words with them does not hide them from the model), then every digit as `0`,
 * whitespace runs as one space (one line break when they hold one), a space on either side. The
 * scorer folds a text once for both the rules and the classifier.
 *
 * Features: the character 2-, 3- and 4-grams starting at each position (FNV-1a over UTF-16 code
 * units), each word, each pair of neighbouring words, and the first word of each sentence or line
 * paired with a sentence-start marker (so "<start> explain" differs from "to explain"). Character
 * n-grams hash into the lower half of the buckets and word features into the upper half, so
 * training can regularise them apart. A feature belongs to the block its n-gram starts in, or its
 * word ends in. Blocks are `blockLength` normalised units; a last block shorter than half a block
 * joins the one before. A window is two neighbouring blocks (the whole text when it has at most
 * two), and its logit is `bias + Σ weights / √(number of features)`.
 */
import { foldText } from './fold.js';

/** Feature settings; stored in the model file and checked at load, so a model never meets other features. */
export const FEATURE_SETTINGS = {
  version: 4,
  /** Character n-grams hash into the lower half of the buckets, words and word pairs into the upper half. */
  split: true,
  /** fold.ts: NFKD per character without combining marks, lower case, invisible controls dropped. */
  fold: 'nfkd-unmarked-lower',
  /** Whitespace runs holding a line break become one `\n` (tables and lists keep their shape). */
  lineBreaks: true,
  /** The first word of a sentence or line is paired with a sentence-start marker (imperatives, questions). */
  sentenceStarts: true,
  hash: 'fnv1a32-utf16',
  bucketBits: 18,
  charNgrams: [2, 4],
  wordNgrams: [1, 2],
  blockLength: 64,
  windowBlocks: 2,
} as const;

export type FeatureSettings = typeof FEATURE_SETTINGS;

/** Number of hash buckets (weights) of the model. */
export const BUCKETS = 1 << FEATURE_SETTINGS.bucketBits;
/** Buckets from here on hold word features; below, character n-grams. */
export const WORD_BUCKETS_START = BUCKETS >> 1;
const HALF_MASK = WORD_BUCKETS_START - 1;
const BLOCK = FEATURE_SETTINGS.blockLength;
const HALF_BLOCK = BLOCK >> 1;

const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Words hash from another basis than character n-grams. */
const WORD_BASIS = 0x050c5d1f;
/** Pairs with the first word of a sentence in place of the word before it. */
const SENTENCE_START = 0x1b873593;
const SPACE = 0x20;
const NEWLINE = 0x0a;

// --- normalisation ---------------------------------------------------------------------------------

/** ASCII code → normalised unit; SKIP drops it, BLANK and BREAK are whitespace. */
const SKIP = 0xffff;
const BLANK = 0xfffe;
const BREAK = 0xfffd;
const ASCII_MAP = new Uint16Array(128);
for (let code = 0; code < 128; code++) {
  let mapped = code;
  if (code >= 0x41 && code <= 0x5a) mapped = code + 0x20;
  else if (code >= 0x30 && code <= 0x39) mapped = 0x30;
  else if (code >= 0x0a && code <= 0x0d) mapped = BREAK;
  else if (code === SPACE || code === 0x09) mapped = BLANK;
  else if (code < 0x20 || code === 0x7f) mapped = SKIP;
  ASCII_MAP[code] = mapped;
}

/** Code units that render as nothing (zero-width, bidi controls, soft hyphen, BOM, variation selectors). */
function isInvisible(code: number): boolean {
  return (
    code === 0x00ad ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    code === 0x034f ||
    code === 0x180e
  );
}

/** Normalised form of a non-ASCII unit: SKIP, BLANK, BREAK or the unit itself. */
function mapWide(code: number): number {
  if (isInvisible(code)) return SKIP;
  if (code === 0x85 || code === 0x2028 || code === 0x2029) return BREAK;
  if (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  ) {
    return BLANK;
  }
  // U+FFFD–FFFF would read as the markers above: fold them into U+FFFC.
  return code >= BREAK ? 0xfffc : code;
}

/**
 * The normalised form of `text` as UTF-16 code units, padded with a space on each side.
 *
 * @example String.fromCharCode(...normalizeForFeatures('Ignore  ALL 42\u200b rules')) === ' ignore all 00 rules '
 */
export function normalizeForFeatures(text: string): Uint16Array {
  return normalizeInto(foldText(text).text, null);
}

/** Texts up to this many units are normalised into the shared scratch buffer. */
const SCRATCH_UNITS = 1 << 20;
let scratch = new Uint16Array(4096);

/**
 * normalizeForFeatures of an already folded text (foldText(text).text), into a shared scratch
 * buffer when `reuse` is 'scratch' and the text fits: the result is then valid only until the next
 * call. The scorer is synchronous, so one buffer serves every call.
 */
export function normalizeInto(folded: string, reuse: 'scratch' | null): Uint16Array {
  const source = folded;
  const length = source.length;
  let out: Uint16Array;
  if (reuse === 'scratch' && length + 2 <= SCRATCH_UNITS) {
    if (scratch.length < length + 2)
      scratch = new Uint16Array(Math.min(SCRATCH_UNITS, Math.max(length + 2, scratch.length * 2)));
    out = scratch;
  } else out = new Uint16Array(length + 2);
  let size = 0;
  out[size++] = SPACE;
  let lastBlank = true;
  for (let index = 0; index < length; index++) {
    const code = source.charCodeAt(index);
    let mapped: number;
    if (code < 0x80) mapped = ASCII_MAP[code] as number;
    else if (code === 0xdb40 && index + 1 < length) {
      // Unicode tag characters U+E0000–E007F are the surrogate pairs DB40 DC00–DC7F.
      const low = source.charCodeAt(index + 1);
      if (low >= 0xdc00 && low <= 0xdc7f) {
        index++;
        mapped = low >= 0xdc20 && low <= 0xdc7e ? (ASCII_MAP[low - 0xdc00] as number) : SKIP;
      } else mapped = code;
    } else mapped = mapWide(code);
    if (mapped < BREAK) {
      out[size++] = mapped;
      lastBlank = false;
    } else if (mapped === SKIP) continue;
    else if (!lastBlank) {
      out[size++] = mapped === BREAK ? NEWLINE : SPACE;
      lastBlank = true;
    } else if (mapped === BREAK && size > 1) out[size - 1] = NEWLINE;
  }
  if (!lastBlank) out[size++] = SPACE;
  return out.subarray(0, size);
}

// --- blocks ----------------------------------------------------------------------------------------

/** Number of blocks a normalised text of this length is cut into (at least 1). */
export function blockCount(length: number): number {
  const full = Math.floor(length / BLOCK);
  return length - full * BLOCK >= HALF_BLOCK ? full + 1 : Math.max(1, full);
}

/** End of the block that starts at `start` (the last block takes a short remainder). */
function blockEndAfter(start: number, length: number): number {
  const end = start + BLOCK;
  return length - end < HALF_BLOCK ? length : end;
}

/** Letters and digits of any script (punctuation blocks excluded) make words. */
function isWordUnit(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || code === 0x30;
  return !(
    (code >= 0x2000 && code <= 0x2bff) ||
    (code >= 0x3000 && code <= 0x303f) ||
    (code >= 0xff00 && code <= 0xff0f) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

/** `?`, `!` and line breaks end a sentence; `.`, `:` and `;` when a space or line break follows. */
function endsSentence(code: number, next: number): boolean {
  if (code === NEWLINE || code === 0x3f || code === 0x21) return true;
  return (code === 0x2e || code === 0x3a || code === 0x3b) && (next === SPACE || next === NEWLINE);
}

/** Bucket of a character n-gram hash (lower half). */
function charBucket(hash: number): number {
  return (hash ^ (hash >>> 18)) & HALF_MASK;
}

/** Bucket of a word or word-pair hash (upper half). */
function wordBucket(hash: number): number {
  return WORD_BUCKETS_START | ((hash ^ (hash >>> 18)) & HALF_MASK);
}

function pairHash(before: number, word: number): number {
  const pair = Math.imul(before ^ 0x7f4a7c15, 0x85ebca6b) ^ word;
  return Math.imul(pair ^ (pair >>> 13), 0xc2b2ae35);
}

/**
 * The features of each block, as bucket lists (with repeats). For training and tests; the runtime
 * uses blockSums, which walks the text the same way without keeping the lists (a test checks that
 * both agree on every block).
 */
export function blockFeatures(units: Uint16Array): Int32Array[] {
  const length = units.length;
  const blocks: Int32Array[] = [];
  let current: number[] = [];
  let blockEnd = blockEndAfter(0, length);
  let word = 0;
  let inWord = false;
  let previous = 0;
  let hasPrevious = false;
  let sentenceStart = true;
  for (let position = 0; position < length; position++) {
    if (position === blockEnd) {
      blocks.push(Int32Array.from(current));
      current = [];
      blockEnd = blockEndAfter(position, length);
    }
    const code = units[position] as number;
    let hash = Math.imul(FNV_BASIS ^ code, FNV_PRIME);
    for (let next = position + 1; next < length && next < position + 4; next++) {
      hash = Math.imul(hash ^ (units[next] as number), FNV_PRIME);
      current.push(charBucket(hash));
    }
    if (isWordUnit(code)) {
      if (!inWord) {
        inWord = true;
        word = WORD_BASIS;
      }
      word = Math.imul(word ^ code, FNV_PRIME);
      continue;
    }
    if (inWord) {
      inWord = false;
      current.push(wordBucket(Math.imul(word ^ 0x2e, FNV_PRIME)));
      if (sentenceStart || hasPrevious) {
        current.push(wordBucket(pairHash(sentenceStart ? SENTENCE_START : previous, word)));
      }
      previous = word;
      hasPrevious = true;
      sentenceStart = false;
    }
    if (endsSentence(code, position + 1 < length ? (units[position + 1] as number) : SPACE))
      sentenceStart = true;
  }
  blocks.push(Int32Array.from(current));
  return blocks;
}

/**
 * Per block, the sum of `weights` over its features (into `sums`) and their number (into
 * `counts`); returns the number of blocks done. The same walk as blockFeatures, written for speed.
 * Looks at the clock every 64 blocks and stops after `deadline`.
 */
export function blockSums(
  units: Uint16Array,
  weights: Float32Array,
  sums: Float64Array,
  counts: Int32Array,
  deadline: number,
): number {
  const length = units.length;
  const fastEnd = length - 3;
  let block = 0;
  let blockEnd = blockEndAfter(0, length);
  let sum = 0;
  let count = 0;
  let word = 0;
  let inWord = false;
  let previous = 0;
  let hasPrevious = false;
  let sentenceStart = true;
  for (let position = 0; position < length; position++) {
    if (position === blockEnd) {
      sums[block] = sum;
      counts[block] = count;
      block++;
      sum = 0;
      count = 0;
      blockEnd = blockEndAfter(position, length);
      if ((block & 63) === 0 && performance.now() > deadline) return block;
    }
    const code = units[position] as number;
    let hash = Math.imul(FNV_BASIS ^ code, FNV_PRIME);
    if (position < fastEnd) {
      hash = Math.imul(hash ^ (units[position + 1] as number), FNV_PRIME);
      sum += weights[(hash ^ (hash >>> 18)) & HALF_MASK] as number;
      hash = Math.imul(hash ^ (units[position + 2] as number), FNV_PRIME);
      sum += weights[(hash ^ (hash >>> 18)) & HALF_MASK] as number;
      hash = Math.imul(hash ^ (units[position + 3] as number), FNV_PRIME);
      sum += weights[(hash ^ (hash >>> 18)) & HALF_MASK] as number;
      count += 3;
    } else {
      for (let next = position + 1; next < length && next < position + 4; next++) {
        hash = Math.imul(hash ^ (units[next] as number), FNV_PRIME);
        sum += weights[(hash ^ (hash >>> 18)) & HALF_MASK] as number;
        count++;
      }
    }
    if (isWordUnit(code)) {
      if (!inWord) {
        inWord = true;
        word = WORD_BASIS;
      }
      word = Math.imul(word ^ code, FNV_PRIME);
      continue;
    }
    if (inWord) {
      inWord = false;
      const unigram = Math.imul(word ^ 0x2e, FNV_PRIME);
      sum += weights[WORD_BUCKETS_START | ((unigram ^ (unigram >>> 18)) & HALF_MASK)] as number;
      count++;
      if (sentenceStart || hasPrevious) {
        const pair = pairHash(sentenceStart ? SENTENCE_START : previous, word);
        sum += weights[WORD_BUCKETS_START | ((pair ^ (pair >>> 18)) & HALF_MASK)] as number;
        count++;
      }
      previous = word;
      hasPrevious = true;
      sentenceStart = false;
    }
    if (endsSentence(code, position + 1 < length ? (units[position + 1] as number) : SPACE))
      sentenceStart = true;
  }
  sums[block] = sum;
  counts[block] = count;
  return block + 1;
}

// --- windows ---------------------------------------------------------------------------------------

/** One scoring window of a text: its span in normalised units and its feature buckets (with repeats). */
export interface FeatureWindow {
  start: number;
  end: number;
  features: Int32Array;
}

/**
 * Every window of a text with its features, as the classifier scores them: the whole text when it
 * has at most `windowBlocks` blocks, else every run of `windowBlocks` neighbouring blocks. For
 * training and tests.
 */
export function featureWindows(text: string): FeatureWindow[] {
  const units = normalizeForFeatures(text);
  const blocks = blockFeatures(units);
  const spans: FeatureWindow[] = [];
  let start = 0;
  for (const features of blocks) {
    const end = blockEndAfter(start, units.length);
    spans.push({ start, end, features });
    start = end;
  }
  const per = FEATURE_SETTINGS.windowBlocks;
  if (spans.length <= per) return [joinWindows(spans)];
  const windows: FeatureWindow[] = [];
  for (let first = 0; first + per <= spans.length; first++)
    windows.push(joinWindows(spans.slice(first, first + per)));
  return windows;
}

function joinWindows(parts: FeatureWindow[]): FeatureWindow {
  let total = 0;
  for (const part of parts) total += part.features.length;
  const features = new Int32Array(total);
  let offset = 0;
  for (const part of parts) {
    features.set(part.features, offset);
    offset += part.features.length;
  }
  return { start: parts[0]?.start ?? 0, end: parts[parts.length - 1]?.end ?? 0, features };
}
