/**
 * Features of the injection classifier: hashed character 1–4-grams and word 1–2-grams of a
 * normalised text, cut into fixed blocks so that a long text is scored window by window. The
 * training script and the runtime both go through this one module, so the features a model was
 * trained on are exactly the ones it is scored on.
 *
 * Normalisation: NFKC (only when the text is not plain ASCII), lower case, every digit as `0`,
 * whitespace runs as one space, a space on either side; zero-width, bidi and other invisible
 * controls are dropped and Unicode tag characters (U+E0020–E007E, "ASCII smuggling") are read as
 * the ASCII they encode, so hiding or splitting words with them does not hide them from the model.
 */

/** Feature settings; stored in the model file and checked at load, so a model never meets other features. */
export const FEATURE_SETTINGS = {
  version: 1,
  hash: 'fnv1a32-utf16',
  bucketBits: 18,
  charNgrams: [1, 4],
  wordNgrams: [1, 2],
  blockLength: 256,
  windowBlocks: 2,
} as const;

export type FeatureSettings = typeof FEATURE_SETTINGS;

/** Number of hash buckets (weights) of the model. */
export const BUCKETS = 1 << FEATURE_SETTINGS.bucketBits;
const MASK = BUCKETS - 1;
const BLOCK = FEATURE_SETTINGS.blockLength;
const HALF_BLOCK = BLOCK >> 1;
/** Longest block: a last block shorter than half a block is merged into the one before it. */
const MAX_BLOCK = BLOCK + HALF_BLOCK;
/** Per position at most 4 char n-grams, and per word end 2 word features. */
const MAX_FEATURES_PER_BLOCK = MAX_BLOCK * 6 + 8;

const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Words hash from another basis than character n-grams, so the word "a" and the 1-gram "a" differ. */
const WORD_BASIS = 0x050c5d1f;
const SPACE = 0x20;
const NON_ASCII = /[^\x00-\x7f]/;

/** Folds a 32-bit hash into a bucket index. */
function bucket(hash: number): number {
  return (hash ^ (hash >>> 18)) & MASK;
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

function isUnicodeSpace(code: number): boolean {
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
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

/** NFKC and lower case; a string `normalize` refuses (it should not, but never throw here) is only lower-cased. */
function foldCase(text: string): string {
  let folded = text;
  try {
    folded = text.normalize('NFKC');
  } catch {
    folded = text;
  }
  return folded.toLowerCase();
}

/**
 * The normalised form of `text` as UTF-16 code units, padded with a space on each side.
 *
 * @example String.fromCharCode(...normalizeForFeatures('Ignore  ALL 42\u200b rules')) === ' ignore all 00 rules '
 */
export function normalizeForFeatures(text: string): Uint16Array {
  const source = NON_ASCII.test(text) ? foldCase(text) : text;
  const length = source.length;
  const out = new Uint16Array(length + 2);
  let size = 0;
  out[size++] = SPACE;
  let lastSpace = true;
  for (let index = 0; index < length; index++) {
    let code = source.charCodeAt(index);
    if (code >= 0x80) {
      if (code === 0xdb40) {
        // Unicode tag characters: U+E0000–E007F are the surrogate pair DB40 DC00–DC7F.
        const low = source.charCodeAt(index + 1);
        if (low >= 0xdc00 && low <= 0xdc7f) {
          index++;
          code = low - 0xdc00;
          if (code < 0x20 || code > 0x7e) continue;
          // fall through to the ASCII handling below with the smuggled character
        }
      }
      if (code >= 0x80) {
        if (isInvisible(code)) continue;
        if (isUnicodeSpace(code)) {
          if (!lastSpace) out[size++] = SPACE;
          lastSpace = true;
          continue;
        }
        out[size++] = code;
        lastSpace = false;
        continue;
      }
    }
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    else if (code >= 0x30 && code <= 0x39) code = 0x30;
    else if (code === SPACE || (code >= 0x09 && code <= 0x0d)) {
      if (!lastSpace) out[size++] = SPACE;
      lastSpace = true;
      continue;
    } else if (code < 0x20 || code === 0x7f) continue;
    out[size++] = code;
    lastSpace = false;
  }
  if (!lastSpace) out[size++] = SPACE;
  return out.subarray(0, size);
}

/**
 * Walks a normalised text block by block and writes each block's feature buckets into `buffer`.
 * A feature belongs to the block its n-gram starts in (char n-grams) or its word ends in (words).
 * Blocks are `blockLength` units; a last block shorter than half of that joins the one before.
 */
export class FeatureBlocks {
  /** Feature buckets of the current block (valid up to the count nextBlock() returned). */
  readonly buffer = new Int32Array(MAX_FEATURES_PER_BLOCK);
  readonly #units: Uint16Array;
  #position = 0;
  #word = 0;
  #inWord = false;
  #previousWord = 0;
  #hasPreviousWord = false;

  constructor(units: Uint16Array) {
    this.#units = units;
  }

  /** Number of blocks a normalised text of this length is cut into (at least 1). */
  static blockCount(length: number): number {
    const full = Math.floor(length / BLOCK);
    return length - full * BLOCK >= HALF_BLOCK ? full + 1 : Math.max(1, full);
  }

  /** End (exclusive, in normalised units) of the block nextBlock() returned last. */
  get position(): number {
    return this.#position;
  }

  /** Fills `buffer` with the next block's features and returns how many; -1 when the text is done. */
  nextBlock(): number {
    const units = this.#units;
    const length = units.length;
    const start = this.#position;
    if (start >= length) return -1;
    let end = start + BLOCK;
    if (length - end < HALF_BLOCK) end = length;
    const buffer = this.buffer;
    let count = 0;
    let word = this.#word;
    let inWord = this.#inWord;
    for (let position = start; position < end; position++) {
      const code = units[position] as number;
      // character n-grams starting here
      let hash = Math.imul(FNV_BASIS ^ code, FNV_PRIME);
      buffer[count++] = bucket(hash);
      const limit = Math.min(position + 4, length);
      for (let next = position + 1; next < limit; next++) {
        hash = Math.imul(hash ^ (units[next] as number), FNV_PRIME);
        buffer[count++] = bucket(hash);
      }
      // words and word pairs, emitted where a word ends
      if (isWordUnit(code)) {
        if (!inWord) {
          inWord = true;
          word = WORD_BASIS;
        }
        word = Math.imul(word ^ code, FNV_PRIME);
      } else if (inWord) {
        inWord = false;
        buffer[count++] = bucket(Math.imul(word ^ 0x2e, FNV_PRIME));
        if (this.#hasPreviousWord) {
          let pair = Math.imul(this.#previousWord ^ 0x7f4a7c15, 0x85ebca6b) ^ word;
          pair = Math.imul(pair ^ (pair >>> 13), 0xc2b2ae35);
          buffer[count++] = bucket(pair);
        }
        this.#previousWord = word;
        this.#hasPreviousWord = true;
      }
    }
    this.#word = word;
    this.#inWord = inWord;
    this.#position = end;
    return count;
  }
}

/** One scoring window of a text: its span in normalised units and its feature buckets (with repeats). */
export interface FeatureWindow {
  start: number;
  end: number;
  features: Int32Array;
}

/**
 * Every window of a text with its features, as the classifier scores them: the whole text when it
 * has at most `windowBlocks` blocks, else every run of `windowBlocks` neighbouring blocks. For
 * training and tests; the runtime sums weights per block instead of keeping feature lists.
 */
export function featureWindows(text: string): FeatureWindow[] {
  const units = normalizeForFeatures(text);
  const blocks = new FeatureBlocks(units);
  const spans: { start: number; end: number; features: Int32Array }[] = [];
  let start = 0;
  for (let count = blocks.nextBlock(); count >= 0; count = blocks.nextBlock()) {
    spans.push({ start, end: blocks.position, features: blocks.buffer.slice(0, count) });
    start = blocks.position;
  }
  const per = FEATURE_SETTINGS.windowBlocks;
  if (spans.length <= per) return [joinWindows(spans)];
  const windows: FeatureWindow[] = [];
  for (let first = 0; first + per <= spans.length; first++) windows.push(joinWindows(spans.slice(first, first + per)));
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
