/**
 * Folding for the injection rules: a text is matched against the phrase patterns in a folded form
 * (diacritics removed, `đ` as `d`, curly quotes as straight ones, compatibility forms expanded,
 * invisible controls dropped, Unicode tag characters read as the ASCII they smuggle) with a map back
 * to the original offsets, so
 * "bỏ qua" and "bo qua", or "ig\u200Bnore", match the same pattern and findings still point into
 * the original string. Folding also notes which hidden characters and scripts a text holds
 * (FoldedText.contents), so the rules skip the passes that cannot match.
 */

const NON_ASCII = /[\u0080-\uffff]/;
const MARKS = /\p{M}/gu;
const foldCache = new Map<number, string>();

/**
 * A folded text and the way back to original offsets: `map` is null when the text was plain ASCII
 * (offsets did not move), else the points where the folded-to-original offset changes.
 */
export interface FoldedText {
  text: string;
  map: OffsetMap | null;
  /** CONTENTS bits: what the text holds beyond ASCII (0 for plain ASCII). */
  contents: number;
}

/**
 * Piecewise-linear offset map: folded offset `f` with `folded[k] <= f < folded[k + 1]` maps to
 * `original[k] + (f - folded[k])`, but never to `original[k + 1]` or beyond (the units of an
 * expanded character all map to that character).
 */
export interface OffsetMap {
  folded: number[];
  original: number[];
}

/** Zero-width, bidi and other invisible controls that folding drops. */
export function isInvisibleControl(code: number): boolean {
  return (
    code === 0x00ad ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff ||
    code === 0x034f ||
    code === 0x180e
  );
}

/** The folded form of one BMP code unit (lower case, no marks); '' drops it. */
function foldUnit(code: number): string {
  const known = foldCache.get(code);
  if (known !== undefined) return known;
  let folded: string;
  if (code === 0x0111 || code === 0x0110) folded = 'd';
  else if (code === 0x2018 || code === 0x2019 || code === 0x02bc || code === 0x2032) folded = "'";
  else if (code === 0x201c || code === 0x201d || code === 0x2033) folded = '"';
  else if (code >= 0xd800 && code <= 0xdfff) folded = String.fromCharCode(code);
  else {
    try {
      folded = String.fromCharCode(code).normalize('NFKD').replace(MARKS, '').toLowerCase();
    } catch {
      folded = String.fromCharCode(code);
    }
  }
  if (foldCache.size < 65_536) foldCache.set(code, folded);
  return folded;
}

/**
 * Folds a pattern source written in natural spelling (e.g. "bỏ qua", "игнорируй") the way texts
 * are folded. Only non-ASCII characters change, so regex syntax is left alone.
 */
export function foldPattern(source: string): string {
  let out = '';
  for (let index = 0; index < source.length; index++) {
    const code = source.charCodeAt(index);
    out += code < 0x80 ? source[index] : foldUnit(code);
  }
  return out;
}

/**
 * What a folded text and its original hold beyond ASCII, as FoldedText.contents bits: the rules
 * skip a whole pass (a regex over the text) when the characters it looks for are absent.
 */
export const CONTENTS = {
  /** The original holds U+DB40, the high surrogate of the Unicode tag characters. */
  tagLead: 1,
  /** The original holds a zero-width character: U+200B–200F, U+2060–2064 or U+FEFF. */
  zeroWidth: 2,
  /** The original holds a bidi control: U+202A–202E or U+2066–2069. */
  bidi: 4,
  /** The folded text holds Cyrillic (U+0400–04FF), or did before look-alikes were read as Latin (unmaskHomoglyphs). */
  cyrillic: 8,
  /** The folded text holds kana or CJK ideographs (U+3040–30FF, U+3400–9FFF). */
  cjk: 16,
  /** The folded text holds Hangul (U+1100–11FF, U+AC00–D7AF). */
  hangul: 32,
} as const;

/** Internal CONTENTS bit: the folded text holds a surrogate (see foldText). */
const SURROGATE = 64;
/** Internal CONTENTS bit: the folded text holds a Cyrillic or Greek letter that looks like a Latin one (see unmaskHomoglyphs). */
const HOMOGLYPH = 128;

/**
 * Cyrillic and Greek letters (lower case, as folding leaves them) that look like a Latin letter in
 * common fonts, upper or lower case: "Ignоre" with a Cyrillic "о", "Іgnore" with a Ukrainian "І",
 * "DΑN" with a Greek "Α".
 */
const HOMOGLYPHS: ReadonlyMap<number, number> = new Map(
  [
    // Cyrillic
    ['а', 'a'],
    ['в', 'b'],
    ['е', 'e'],
    ['ё', 'e'],
    ['к', 'k'],
    ['м', 'm'],
    ['н', 'h'],
    ['о', 'o'],
    ['р', 'p'],
    ['с', 'c'],
    ['т', 't'],
    ['у', 'y'],
    ['х', 'x'],
    ['ѕ', 's'],
    ['і', 'i'],
    ['ї', 'i'],
    ['ј', 'j'],
    ['һ', 'h'],
    ['ԁ', 'd'],
    ['ӏ', 'l'],
    ['ԛ', 'q'],
    ['ԝ', 'w'],
    // Greek
    ['α', 'a'],
    ['β', 'b'],
    ['ε', 'e'],
    ['ζ', 'z'],
    ['η', 'h'],
    ['ι', 'i'],
    ['κ', 'k'],
    ['μ', 'm'],
    ['ν', 'v'],
    ['ο', 'o'],
    ['ρ', 'p'],
    ['τ', 't'],
    ['υ', 'u'],
    ['χ', 'x'],
  ].map(([from, to]) => [(from as string).charCodeAt(0), (to as string).charCodeAt(0)]),
);

/** CONTENTS bits of one original non-ASCII unit (tag lead, zero-width, bidi). */
function originalContents(code: number): number {
  if (code === 0xdb40) return CONTENTS.tagLead | SURROGATE;
  if (code >= 0xd800 && code <= 0xdfff) return SURROGATE;
  if ((code >= 0x200b && code <= 0x200f) || (code >= 0x2060 && code <= 0x2064) || code === 0xfeff)
    return CONTENTS.zeroWidth;
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return CONTENTS.bidi;
  return 0;
}

/** CONTENTS bits of one folded unit (the scripts that have anchors of their own in phrases.ts). */
export function foldedContents(code: number): number {
  if (code < 0x0400) return 0;
  if (code <= 0x04ff) return CONTENTS.cyrillic;
  if ((code >= 0x3040 && code <= 0x30ff) || (code >= 0x3400 && code <= 0x9fff)) return CONTENTS.cjk;
  if ((code >= 0x1100 && code <= 0x11ff) || (code >= 0xac00 && code <= 0xd7af)) return CONTENTS.hangul;
  return 0;
}

const UNKNOWN = -1;
const DROPPED = -2;
const SEVERAL = -3;
/**
 * Per BMP code unit, how foldText folds it outside a tag character (invisible controls dropped,
 * else foldUnit): UNKNOWN until first met, DROPPED, SEVERAL (the string is in severalCache), or the
 * one unit it folds to. UNIT_CONTENTS holds the unit's CONTENTS bits (original and folded) alongside.
 */
const UNIT_FOLD = new Int32Array(65_536).fill(UNKNOWN);
const UNIT_CONTENTS = new Uint8Array(65_536);
const severalCache = new Map<number, string>();

function learnUnit(code: number): number {
  const folded = isInvisibleControl(code) ? '' : foldUnit(code);
  let contents = originalContents(code);
  for (let index = 0; index < folded.length; index++) {
    contents |= foldedContents(folded.charCodeAt(index));
    if (HOMOGLYPHS.has(folded.charCodeAt(index))) contents |= HOMOGLYPH;
  }
  UNIT_CONTENTS[code] = contents;
  let kind: number;
  if (folded.length === 0) kind = DROPPED;
  else if (folded.length === 1) kind = folded.charCodeAt(0);
  else {
    kind = SEVERAL;
    severalCache.set(code, folded);
  }
  UNIT_FOLD[code] = kind;
  return kind;
}

/**
 * Whether Uint16Array elements are little-endian, as Buffer's 'utf16le' encoding writes them. On a
 * big-endian machine strings are copied unit by unit instead.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const CHUNK = 8192;
/** Units a UnitBuffer keeps between calls: a longer text's buffer is let go at the next shorter one. */
const RETAINED_UNITS = 1 << 18;

/** Every UnitBuffer made, so that wipeUnitBuffers can clear what the last scan left in them. */
const UNIT_BUFFERS: UnitBuffer[] = [];

/**
 * Zeroes what every UnitBuffer has held since the last wipe: they hold copies of scanned text
 * (see forgetScannedText). Costs a memset of the units used.
 */
export function wipeUnitBuffers(): void {
  for (const buffer of UNIT_BUFFERS) buffer.wipe();
}

/** How many units of the kept UnitBuffers are not zero (0 after wipeUnitBuffers; for tests). */
export function unitsHeld(): number {
  let held = 0;
  for (const buffer of UNIT_BUFFERS) for (const unit of buffer.units) if (unit !== 0) held++;
  return held;
}

/**
 * A reusable buffer of code units with a Buffer view of the same memory, so that strings are copied
 * in and out natively. Callers are synchronous and finish with the buffer before anything else runs.
 */
export class UnitBuffer {
  units: Uint16Array;
  #bytes: Buffer;
  /** Units handed out since the last wipe (the most reserved). */
  #used = 0;
  /** `kept`: the buffer outlives the call that made it (a module's own), so wipeUnitBuffers clears it. */
  constructor(size: number, kept = false) {
    this.units = new Uint16Array(size);
    this.#bytes = Buffer.from(this.units.buffer, this.units.byteOffset, this.units.byteLength);
    if (kept) UNIT_BUFFERS.push(this);
  }

  /** Zeroes the units handed out since the last wipe. */
  wipe(): void {
    if (this.#used > 0) this.units.fill(0, 0, Math.min(this.#used, this.units.length));
    this.#used = 0;
  }

  /**
   * Makes room for `size` units (doubling, so growing step by step stays linear); the content is
   * kept up to `keep` units. After a text longer than RETAINED_UNITS the buffer shrinks back.
   */
  reserve(size: number, keep = 0): Uint16Array {
    const current = this.units.length;
    let length = current;
    if (current < size) length = Math.max(size, current * 2);
    else if (current > RETAINED_UNITS && size <= RETAINED_UNITS) length = RETAINED_UNITS;
    if (length !== current) {
      const units = new Uint16Array(length);
      if (keep > 0) units.set(this.units.subarray(0, keep));
      this.units.fill(0, 0, Math.min(this.#used, current)); // the old one is garbage: leave no text in it
      this.units = units;
      this.#bytes = Buffer.from(units.buffer, units.byteOffset, units.byteLength);
    }
    if (size > this.#used) this.#used = size;
    return this.units;
  }

  /** Copies `text` into the buffer (grown as needed) and returns the units. */
  read(text: string): Uint16Array {
    const units = this.reserve(text.length);
    if (LITTLE_ENDIAN) this.#bytes.write(text, 0, text.length * 2, 'utf16le');
    else for (let index = 0; index < text.length; index++) units[index] = text.charCodeAt(index);
    return units;
  }

  /**
   * The string of the first `size` units (lone surrogates kept as they are). Callers may have
   * written that far without reserving it (foldText grows into its capacity), so those units count
   * as used.
   */
  text(size: number): string {
    if (size > this.#used) this.#used = size;
    if (LITTLE_ENDIAN) return this.#bytes.toString('utf16le', 0, size * 2);
    const parts: string[] = [];
    for (let start = 0; start < size; start += CHUNK) {
      parts.push(
        String.fromCharCode.apply(
          null,
          this.units.subarray(start, Math.min(size, start + CHUNK)) as unknown as number[],
        ),
      );
    }
    return parts.join('');
  }
}

const sourceBuffer = new UnitBuffer(4096, true);
const foldedBuffer = new UnitBuffer(4096, true);

/** Above this share of non-ASCII units in the first SAMPLE units, a text counts as dense (see foldText). */
const DENSE_SHARE = 0.05;
const SAMPLE = 2048;

/**
 * Folds `text` for phrase matching and the classifier, in lower case. Plain ASCII text is only
 * lower-cased (offsets do not move, so there is no map). Other text is copied into a buffer and
 * folded there in place: runs of ASCII stay where they are (or move down by memmove once a
 * character folded to fewer units), each other unit goes through the unit tables, and the result is
 * lower-cased at once. The result also tells which hidden characters and scripts the text holds
 * (`contents`), so the rules skip the passes that cannot match.
 */
export function foldText(text: string): FoldedText {
  if (!NON_ASCII.test(text)) return { text: text.toLowerCase(), map: null, contents: 0 };
  const length = text.length;
  const units = sourceBuffer.read(text);
  // Writing in place holds while the folded text is no longer than the text read so far; a
  // character folding to more units than that moves the work to a second buffer.
  let out = units;
  let outBuffer = sourceBuffer;
  let size = 0;
  let contents = 0;
  /** Non-ASCII units among the first SAMPLE: above DENSE_SHARE the text is dense. */
  let sampled = 0;
  const folded: number[] = [0];
  const original: number[] = [0];
  let index = 0;
  while (index < length) {
    let next = index;
    while (next < length && (units[next] as number) < 0x80) next++;
    if (next > index) {
      if (out !== units) for (let at = index; at < next; at++) out[size++] = units[at] as number;
      else {
        if (size !== index) units.copyWithin(size, index, next);
        size += next - index;
      }
      index = next;
      if (index === length) break;
    }
    const code = units[index] as number;
    if (index < SAMPLE) sampled++;
    if (code === 0xdb40 && index + 1 < length) {
      const low = units[index + 1] as number;
      if (low >= 0xdc00 && low <= 0xdc7f) {
        // A tag character: keep the ASCII it stands for, drop the rest of the tag block.
        contents |= CONTENTS.tagLead;
        if (index + 1 < SAMPLE) sampled++;
        const smuggled = low - 0xdc00;
        if (smuggled >= 0x20 && smuggled <= 0x7e) out[size++] = smuggled;
        index += 2;
        folded.push(size);
        original.push(index);
        continue;
      }
    }
    let kind = UNIT_FOLD[code] as number;
    if (kind === UNKNOWN) kind = learnUnit(code);
    contents |= UNIT_CONTENTS[code] as number;
    index++;
    if (kind >= 0) {
      out[size++] = kind;
      continue;
    }
    if (kind === SEVERAL) {
      const several = severalCache.get(code) as string;
      if (
        out === units ? size + several.length > index : size + several.length + (length - index) > out.length
      ) {
        const moved = foldedBuffer.reserve(
          size + several.length + (length - index) + 64,
          out === units ? 0 : size,
        );
        if (out === units) moved.set(units.subarray(0, size));
        out = moved;
        outBuffer = foldedBuffer;
      }
      for (let unit = 0; unit < several.length; unit++) out[size++] = several.charCodeAt(unit);
    }
    folded.push(size);
    original.push(index);
  }
  if ((contents & HOMOGLYPH) !== 0) unmaskHomoglyphs(out, size);
  let result: string;
  // Folding has always lower-cased a mostly-ASCII text as a whole, which also lower-cases letters
  // outside the BMP (surrogate pairs, folded unit by unit as they are); in a dense one only ASCII.
  if ((contents & SURROGATE) !== 0 && sampled > Math.min(length, SAMPLE) * DENSE_SHARE) {
    for (let at = 0; at < size; at++) {
      const unit = out[at] as number;
      if (unit >= 0x41 && unit <= 0x5a) out[at] = unit + 0x20;
    }
    result = outBuffer.text(size);
  } else result = outBuffer.text(size).toLowerCase();
  return { text: result, map: { folded, original }, contents: contents & ~(SURROGATE | HOMOGLYPH) };
}

/** Letters of a word for unmaskHomoglyphs: ASCII, or Cyrillic and Greek (U+0370–052F). */
function letterKind(unit: number): 'ascii' | 'other' | null {
  if ((unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a)) return 'ascii';
  if (unit >= 0x370 && unit <= 0x52f) return 'other';
  return null;
}

/**
 * Reads Latin words spelt with Cyrillic or Greek look-alikes as the Latin words they show:
 * "ignоre" (Cyrillic о) as "ignore". A word's look-alikes become Latin when the word mixes them
 * with Latin letters and holds no other Cyrillic or Greek letter. A word of look-alikes only ("аll"
 * in Cyrillic) becomes Latin when the nearest other word before or after it on its line is Latin.
 * Russian and Greek text is left alone. One unit for one, so offsets do not move.
 */
function unmaskHomoglyphs(out: Uint16Array, size: number): void {
  /** The nearest word before, on this line, that is not of look-alikes only, is Latin. */
  let previousLatin = false;
  /** The words of look-alikes only since that word, waiting for the next one. */
  let pendingStart = -1;
  let pendingEnd = -1;
  let index = 0;
  while (index < size) {
    const unit = out[index] as number;
    if (letterKind(unit) === null) {
      if (unit === 0x0a) {
        previousLatin = false;
        pendingStart = -1;
      }
      index++;
      continue;
    }
    const start = index;
    let ascii = 0;
    let lookAlikes = 0;
    let others = 0;
    for (; index < size; index++) {
      const kind = letterKind(out[index] as number);
      if (kind === null) break;
      if (kind === 'ascii') ascii++;
      else if (HOMOGLYPHS.has(out[index] as number)) lookAlikes++;
      else others++;
    }
    if (ascii === 0 && others === 0) {
      if (previousLatin) replaceHomoglyphs(out, start, index);
      else {
        if (pendingStart < 0) pendingStart = start;
        pendingEnd = index;
      }
      continue;
    }
    const latin = others === 0;
    if (latin) {
      if (lookAlikes > 0) replaceHomoglyphs(out, start, index);
      if (pendingStart >= 0) replaceHomoglyphs(out, pendingStart, pendingEnd);
    }
    pendingStart = -1;
    previousLatin = latin;
  }
}

function replaceHomoglyphs(out: Uint16Array, start: number, end: number): void {
  for (let at = start; at < end; at++) {
    const latin = HOMOGLYPHS.get(out[at] as number);
    if (latin !== undefined) out[at] = latin;
  }
}

/** The original offset of folded offset `offset`. */
export function originalOffset(map: OffsetMap, offset: number): number {
  const { folded, original } = map;
  let low = 0;
  let high = folded.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if ((folded[middle] as number) <= offset) low = middle;
    else high = middle - 1;
  }
  const mapped = (original[low] as number) + (offset - (folded[low] as number));
  const next = original[low + 1];
  return next !== undefined && mapped >= next ? Math.max(original[low] as number, next - 1) : mapped;
}

/** Maps a folded span back to an original [start, end) span (end covers a whole surrogate pair). */
export function originalSpan(
  folded: FoldedText,
  original: string,
  start: number,
  end: number,
): { start: number; end: number } {
  const map = folded.map;
  if (map === null) return { start, end };
  const first = originalOffset(map, start);
  const last = Math.max(first, originalOffset(map, Math.max(start, end - 1)));
  const lastCode = original.charCodeAt(last);
  const width = lastCode >= 0xd800 && lastCode <= 0xdbff && last + 1 < original.length ? 2 : 1;
  return { start: first, end: Math.min(original.length, last + width) };
}
