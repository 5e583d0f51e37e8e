/**
 * Folding for the injection rules: a text is matched against the phrase patterns in a folded form
 * (diacritics removed, `đ` as `d`, curly quotes as straight ones, compatibility forms expanded,
 * invisible controls dropped, Unicode tag characters read as the ASCII they smuggle) with a map back
 * to the original offsets, so
 * "bỏ qua" and "bo qua", or "ig\u200Bnore", match the same pattern and findings still point into
 * the original string.
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

const NON_ASCII_ALL = /[\u0080-\uffff]/g;
/** Above this share of non-ASCII units (in a sample), the unit-by-unit loop beats the piecewise fold. */
const DENSE_SHARE = 0.05;
const SAMPLE = 2048;

/**
 * Folds `text` for phrase matching and the classifier, in lower case. Plain ASCII text is only
 * lower-cased (offsets do not move, so there is no map).
 */
export function foldText(text: string): FoldedText {
  if (!NON_ASCII.test(text)) return { text: text.toLowerCase(), map: null };
  let sampled = 0;
  const sample = Math.min(text.length, SAMPLE);
  for (let index = 0; index < sample; index++) if (text.charCodeAt(index) >= 0x80) sampled++;
  return sampled > sample * DENSE_SHARE ? foldDense(text) : foldSparse(text);
}

/**
 * How one non-ASCII unit at `index` folds: the folded string and how many original units it used
 * (2 for a tag character's surrogate pair).
 */
function foldAt(text: string, index: number, code: number): { folded: string; used: number } {
  if (code === 0xdb40) {
    const low = text.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdc7f) {
      // A tag character: keep the ASCII it stands for (lower-cased), drop the rest of the tag block.
      const smuggled = low - 0xdc00;
      const folded = smuggled >= 0x20 && smuggled <= 0x7e ? String.fromCharCode(smuggled).toLowerCase() : '';
      return { folded, used: 2 };
    }
  }
  return { folded: isInvisibleControl(code) ? '' : foldUnit(code), used: 1 };
}

/** Mostly-ASCII text: copy ASCII stretches as they are, fold the few other units, lower-case once. */
function foldSparse(text: string): FoldedText {
  const pieces: string[] = [];
  const map: OffsetMap = { folded: [0], original: [0] };
  let copied = 0;
  let foldedLength = 0;
  NON_ASCII_ALL.lastIndex = 0;
  for (let match = NON_ASCII_ALL.exec(text); match !== null; match = NON_ASCII_ALL.exec(text)) {
    const index = match.index;
    if (index < copied) continue; // the low half of a tag character already used
    pieces.push(text.slice(copied, index));
    foldedLength += index - copied;
    const { folded, used } = foldAt(text, index, text.charCodeAt(index));
    pieces.push(folded);
    foldedLength += folded.length;
    copied = index + used;
    if (folded.length !== 1 || used !== 1) {
      map.folded.push(foldedLength);
      map.original.push(copied);
    }
  }
  NON_ASCII_ALL.lastIndex = 0;
  pieces.push(text.slice(copied));
  // The folded pieces are lower case already; this lower-cases the ASCII stretches (length-preserving).
  return { text: pieces.join('').toLowerCase(), map };
}

/** Text with many non-ASCII units: fold unit by unit into a buffer. */
function foldDense(text: string): FoldedText {
  const length = text.length;
  let out = new Uint16Array(length + 64);
  let size = 0;
  const map: OffsetMap = { folded: [0], original: [0] };
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      out[size++] = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
      continue;
    }
    const { folded, used } = foldAt(text, index, code);
    // Each unit folds to at most a few units, except rare compatibility forms: grow then.
    if (size + folded.length + (length - index) > out.length) {
      const bigger = new Uint16Array(Math.max(out.length * 2, size + folded.length + (length - index) + 64));
      bigger.set(out.subarray(0, size));
      out = bigger;
    }
    for (let unit = 0; unit < folded.length; unit++) out[size++] = folded.charCodeAt(unit);
    index += used - 1;
    if (folded.length !== 1 || used !== 1) {
      map.folded.push(size);
      map.original.push(index + 1);
    }
  }
  return { text: unitsToString(out, size), map };
}

const CHUNK = 8192;

/** The string of the first `size` code units (lone surrogates kept as they are). */
function unitsToString(units: Uint16Array, size: number): string {
  if (size <= CHUNK) return String.fromCharCode.apply(null, units.subarray(0, size) as unknown as number[]);
  const parts: string[] = [];
  for (let start = 0; start < size; start += CHUNK) {
    parts.push(
      String.fromCharCode.apply(
        null,
        units.subarray(start, Math.min(size, start + CHUNK)) as unknown as number[],
      ),
    );
  }
  return parts.join('');
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
