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
 * Folds `text` for phrase matching. Plain ASCII text is returned as it is (the patterns are
 * case-insensitive) with no map.
 */
export function foldText(text: string): FoldedText {
  if (!NON_ASCII.test(text)) return { text, map: null };
  const length = text.length;
  let out = new Uint16Array(length + 16);
  let map = new Int32Array(length + 16);
  let size = 0;
  const push = (unit: number, origin: number): void => {
    if (size === out.length) {
      const biggerOut = new Uint16Array(out.length * 2);
      biggerOut.set(out);
      out = biggerOut;
      const biggerMap = new Int32Array(map.length * 2);
      biggerMap.set(map);
      map = biggerMap;
    }
    out[size] = unit;
    map[size] = origin;
    size++;
  };
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      push(code, index);
      continue;
    }
    if (code === 0xdb40) {
      const low = text.charCodeAt(index + 1);
      if (low >= 0xdc00 && low <= 0xdc7f) {
        // A tag character: keep the ASCII it stands for, drop the rest of the tag block.
        if (low >= 0xdc20 && low <= 0xdc7e) push(low - 0xdc00, index);
        index++;
        continue;
      }
    }
    if (isInvisibleControl(code)) continue;
    const folded = foldUnit(code);
    for (let unit = 0; unit < folded.length; unit++) push(folded.charCodeAt(unit), index);
  }
  return { text: new TextDecoder('utf-16le').decode(out.subarray(0, size)), map: map.subarray(0, size) };
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
