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
import { UnitBuffer, foldText } from './fold.js';

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
  return normalizeInto(foldText(text).text);
}

/**
 * normalizeForFeatures of an already folded text (foldText(text).text), in a new array (for
 * training and tests; the scorer's walk, textBlockSums, normalises as it goes).
 */
export function normalizeInto(folded: string): Uint16Array {
  const source = folded;
  const length = source.length;
  const out = new Uint16Array(length + 2);
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
 * uses textBlockSums, which walks the text the same way without keeping the lists (tests check that
 * blockFeatures, blockSums and textBlockSums agree on every block).
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
 * `counts`); returns the number of blocks done. The same walk as blockFeatures over normalised
 * units, summing as it goes: the plain form of textBlockSums, which tests compare it with. Looks at
 * the clock every 64 blocks and stops after `deadline`.
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

// --- the runtime walk ------------------------------------------------------------------------------

const BLOCK_SHIFT = 6;
if (1 << BLOCK_SHIFT !== BLOCK) throw new Error('features.ts: BLOCK_SHIFT does not match blockLength');

/** Per BMP unit: 1 when it makes words (isWordUnit), so the walk reads a table instead of ranges. */
const WORD_UNIT = new Uint8Array(65_536);
for (let code = 0; code < 65_536; code++) WORD_UNIT[code] = isWordUnit(code) ? 1 : 0;

/** Per ASCII code: 1 when it normalises to a word unit (letters and digits). */
const ASCII_WORD = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const mapped = ASCII_MAP[code] as number;
  ASCII_WORD[code] = mapped < BREAK && WORD_UNIT[mapped] === 1 ? 1 : 0;
}

/** The per-block sums of the last text (textBlockSums); reused, as the scorer is synchronous. */
export interface BlockSums {
  /** Sum of the weights of each block's features. */
  sums: Float64Array;
  /** Number of each block's features. */
  counts: Int32Array;
  /** Blocks done (all of them unless the deadline passed). */
  blocks: number;
}

const sourceBuffer = new UnitBuffer(4096, true);
const unitsBuffer = new UnitBuffer(4096, true);
const result: BlockSums = { sums: new Float64Array(256), counts: new Int32Array(256), blocks: 0 };
/** Word features per block of 64 normalised units, from the first pass. */
let wordSums = new Float64Array(256);
let wordCounts = new Int32Array(256);

/**
 * The classifier's walk over an already folded text (foldText(text).text): the same sums and
 * counts as blockSums(normalizeInto(folded)), in two passes over typed arrays. The first normalises
 * and, as it goes, hashes the words (a word ends where a non-word unit is written, so its block is
 * known then; a short last block joins the one before at the end); the second adds the character
 * n-grams block by block, with no per-unit branches. The sums differ from blockSums' at most in the
 * last bits (float64 sums of these weights in another order; with weights of 4 decimals, as
 * models/injection.json stores them, not at all). Looks at the clock every 64 blocks and stops after
 * `deadline`. The result is valid until the next call.
 */
export function textBlockSums(folded: string, weights: Float32Array, deadline: number): BlockSums {
  const length = folded.length;
  const source = sourceBuffer.read(folded);
  const out = unitsBuffer.reserve(length + 2);
  const provisional = ((length + 2) >> BLOCK_SHIFT) + 1;
  if (wordSums.length < provisional) {
    wordSums = new Float64Array(Math.max(provisional, wordSums.length * 2));
    wordCounts = new Int32Array(wordSums.length);
  }
  wordSums.fill(0, 0, provisional);
  wordCounts.fill(0, 0, provisional);

  // Pass 1: normalizeInto's walk; each unit written also goes through blockFeatures' word logic.
  // Like normalizeInto, it does not look at the clock: its work is one step per unit of the text.
  let size = 1;
  out[0] = SPACE;
  let lastBlank = true;
  let word = 0;
  let inWord = false;
  let previous = 0;
  let hasPrevious = false;
  let sentenceStart = true;
  /** The unit written last was `.`, `:` or `;`: the next decides whether a sentence ends. */
  let pendingStop = false;
  for (let index = 0; index <= length; index++) {
    let unit: number;
    if (index === length) {
      if (lastBlank) break;
      unit = SPACE;
    } else {
      const code = source[index] as number;
      let mapped: number;
      if (code < 0x80) {
        mapped = ASCII_MAP[code] as number;
        if (ASCII_WORD[code] === 1) {
          // The common case, a letter or digit: it continues or starts a word (the steps below, shortened).
          pendingStop = false;
          lastBlank = false;
          if (!inWord) {
            inWord = true;
            word = WORD_BASIS;
          }
          word = Math.imul(word ^ mapped, FNV_PRIME);
          out[size++] = mapped;
          continue;
        }
      } else if (code === 0xdb40 && index + 1 < length) {
        const low = source[index + 1] as number;
        if (low >= 0xdc00 && low <= 0xdc7f) {
          index++;
          mapped = low >= 0xdc20 && low <= 0xdc7e ? (ASCII_MAP[low - 0xdc00] as number) : SKIP;
        } else mapped = code;
      } else mapped = mapWide(code);
      if (mapped < BREAK) {
        unit = mapped;
        lastBlank = false;
      } else if (mapped === SKIP) continue;
      else if (!lastBlank) {
        unit = mapped === BREAK ? NEWLINE : SPACE;
        lastBlank = true;
      } else {
        if (mapped === BREAK && size > 1) {
          // The blank written last becomes a line break, which starts a sentence.
          out[size - 1] = NEWLINE;
          sentenceStart = true;
        }
        continue;
      }
    }
    if (pendingStop) {
      if (unit === SPACE || unit === NEWLINE) sentenceStart = true;
      pendingStop = false;
    }
    if (WORD_UNIT[unit] === 1) {
      if (!inWord) {
        inWord = true;
        word = WORD_BASIS;
      }
      word = Math.imul(word ^ unit, FNV_PRIME);
    } else {
      if (inWord) {
        inWord = false;
        const block = size >> BLOCK_SHIFT;
        const unigram = Math.imul(word ^ 0x2e, FNV_PRIME);
        let sum = weights[WORD_BUCKETS_START | ((unigram ^ (unigram >>> 18)) & HALF_MASK)] as number;
        let count = 1;
        if (sentenceStart || hasPrevious) {
          const pair = pairHash(sentenceStart ? SENTENCE_START : previous, word);
          sum += weights[WORD_BUCKETS_START | ((pair ^ (pair >>> 18)) & HALF_MASK)] as number;
          count++;
        }
        wordSums[block] = (wordSums[block] as number) + sum;
        wordCounts[block] = (wordCounts[block] as number) + count;
        previous = word;
        hasPrevious = true;
        sentenceStart = false;
      }
      if (unit === NEWLINE || unit === 0x3f || unit === 0x21) sentenceStart = true;
      else if (unit === 0x2e || unit === 0x3a || unit === 0x3b) pendingStop = true;
    }
    out[size++] = unit;
  }
  // A last block shorter than half a block joins the one before.
  const full = size >> BLOCK_SHIFT;
  if (size - (full << BLOCK_SHIFT) < HALF_BLOCK && full > 0) {
    wordSums[full - 1] = (wordSums[full - 1] as number) + (wordSums[full] as number);
    wordCounts[full - 1] = (wordCounts[full - 1] as number) + (wordCounts[full] as number);
  }

  // Pass 2: the character n-grams of each block.
  const total = blockCount(size);
  if (result.sums.length < total) {
    result.sums = new Float64Array(Math.max(total, result.sums.length * 2));
    result.counts = new Int32Array(result.sums.length);
  }
  const { sums, counts } = result;
  const fastEnd = size - 3;
  let block = 0;
  for (let start = 0; start < size;) {
    const end = blockEndAfter(start, size);
    const stop = end < fastEnd ? end : fastEnd;
    let bigrams = 0;
    let trigrams = 0;
    let fourgrams = 0;
    let position = start;
    if (position < stop) {
      let u1 = out[position + 1] as number;
      let u2 = out[position + 2] as number;
      let hash0 = Math.imul(FNV_BASIS ^ (out[position] as number), FNV_PRIME);
      for (; position < stop; position++) {
        const u3 = out[position + 3] as number;
        let hash = Math.imul(hash0 ^ u1, FNV_PRIME);
        bigrams += weights[(hash ^ (hash >>> 18)) & HALF_MASK] as number;
        hash = Math.imul(hash ^ u2, FNV_PRIME);
        trigrams += weights[(hash ^ (hash >>> 18)) & HALF_MASK] as number;
        hash = Math.imul(hash ^ u3, FNV_PRIME);
        fourgrams += weights[(hash ^ (hash >>> 18)) & HALF_MASK] as number;
        hash0 = Math.imul(FNV_BASIS ^ u1, FNV_PRIME);
        u1 = u2;
        u2 = u3;
      }
    }
    let count = 3 * (position - start);
    // The last three units start fewer n-grams.
    for (; position < end; position++) {
      let hash = Math.imul(FNV_BASIS ^ (out[position] as number), FNV_PRIME);
      for (let next = position + 1; next < size && next < position + 4; next++) {
        hash = Math.imul(hash ^ (out[next] as number), FNV_PRIME);
        bigrams += weights[(hash ^ (hash >>> 18)) & HALF_MASK] as number;
        count++;
      }
    }
    sums[block] = bigrams + trigrams + fourgrams + (wordSums[block] as number);
    counts[block] = count + (wordCounts[block] as number);
    block++;
    start = end;
    if ((block & 63) === 0 && start < size && performance.now() > deadline) break;
  }
  result.blocks = block;
  return result;
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
