/**
 * Folding for the injection rules: a text is matched against the phrase patterns in a folded form
 * (diacritics removed, `đ` as `d`, compatibility forms expanded, invisible controls dropped, Unicode
 * tag characters read as the ASCII they smuggle) with a map back to the original offsets, so
 * "bỏ qua" and "bo qua", or "ig\u200Bnore", match the same pattern and findings still point into
 * the original string.
 */

const NON_ASCII = /[^\x00-\x7f]/;
const MARKS = /\p{M}/gu;
const foldCache = new Map<number, string>();

/** A folded text; `map[i]` is the original offset of folded unit `i` (null when nothing changed). */
export interface FoldedText {
  text: string;
  map: Int32Array | null;
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
 * Folds `text` for phrase matching, in lower case. Plain ASCII text is only lower-cased (offsets do
 * not move, so there is no map).
 */
export function foldText(text: string): FoldedText {
  if (!NON_ASCII.test(text)) return { text: text.toLowerCase(), map: null };
  const length = text.length;
  let out = new Uint16Array(length + 64);
  let map = new Int32Array(length + 64);
  let size = 0;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      out[size] = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
      map[size++] = index;
      continue;
    }
    if (code === 0xdb40) {
      const low = text.charCodeAt(index + 1);
      if (low >= 0xdc00 && low <= 0xdc7f) {
        // A tag character: keep the ASCII it stands for, drop the rest of the tag block.
        const smuggled = low - 0xdc00;
        if (smuggled >= 0x20 && smuggled <= 0x7e) {
          out[size] = smuggled >= 0x41 && smuggled <= 0x5a ? smuggled + 0x20 : smuggled;
          map[size++] = index;
        }
        index++;
        continue;
      }
    }
    if (isInvisibleControl(code)) continue;
    const folded = foldUnit(code);
    // Each source unit folds to at most a few units, except rare compatibility forms: grow then.
    if (size + folded.length + (length - index) > out.length) {
      const capacity = Math.max(out.length * 2, size + folded.length + (length - index) + 64);
      const biggerOut = new Uint16Array(capacity);
      biggerOut.set(out.subarray(0, size));
      out = biggerOut;
      const biggerMap = new Int32Array(capacity);
      biggerMap.set(map.subarray(0, size));
      map = biggerMap;
    }
    for (let unit = 0; unit < folded.length; unit++) {
      out[size] = folded.charCodeAt(unit);
      map[size++] = index;
    }
  }
  return { text: unitsToString(out, size), map: map.subarray(0, size) };
}

const CHUNK = 8192;

/** The string of the first `size` code units (lone surrogates kept as they are). */
const utf16 = new TextDecoder('utf-16le');

function unitsToString(units: Uint16Array, size: number): string {
  if (size <= CHUNK) return String.fromCharCode.apply(null, units.subarray(0, size) as unknown as number[]);
  // The decoder turns lone surrogates into U+FFFD (one unit each), so offsets still hold.
  if (size > 16 * CHUNK) return utf16.decode(units.subarray(0, size));
  const parts: string[] = [];
  for (let start = 0; start < size; start += CHUNK) {
    parts.push(String.fromCharCode.apply(null, units.subarray(start, Math.min(size, start + CHUNK)) as unknown as number[]));
  }
  return parts.join('');
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
  const first = map[start] ?? 0;
  const last = map[Math.max(start, end - 1)] ?? first;
  const lastCode = original.charCodeAt(last);
  const width = lastCode >= 0xd800 && lastCode <= 0xdbff && last + 1 < original.length ? 2 : 1;
  return { start: first, end: Math.min(original.length, last + width) };
}
