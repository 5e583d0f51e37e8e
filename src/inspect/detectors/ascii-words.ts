/**
 * Word lists looked up in place: whether `text[start, end)`, lower-cased, is one of a list of
 * lower-case ASCII words, without building the lower-case string. `slice().toLowerCase()` on a text
 * that holds any character above U+00FF goes through the full Unicode case mapping (about a
 * microsecond a word here), and the name, date and e-mail detectors ask about thousands of words
 * per megabyte. The table is a few typed arrays (open addressing), which a scan that has just read
 * a megabyte of text finds in cache far more often than a Map of strings.
 */

/** Lower-case ASCII words (letters, digits, `'` and `-`), each with a value. */
export class AsciiWords<Value> {
  /** Open-addressing slots, two per entry: the word's hash + 1 (0: empty slot), its entry index. */
  readonly #slots: Int32Array;
  readonly #mask: number;
  /** The words' units, one after the other; word i is `#units[#offsets[i], #offsets[i + 1])`. */
  readonly #units: Uint8Array;
  readonly #offsets: Int32Array;
  readonly #values: Value[] = [];

  constructor(entries: Iterable<readonly [string, Value]>) {
    const byWord = new Map<string, Value>();
    for (const [word, value] of entries) {
      // a word with a capital or a non-ASCII letter never equals a lower-cased ASCII range
      if (isLowerCaseAscii(word)) byWord.set(word, value);
    }
    let capacity = 16;
    while (capacity < byWord.size * 2) capacity *= 2;
    this.#slots = new Int32Array(capacity * 2);
    this.#mask = capacity - 1;
    this.#offsets = new Int32Array(byWord.size + 1);
    let length = 0;
    for (const word of byWord.keys()) length += word.length;
    this.#units = new Uint8Array(length);
    let index = 0;
    let offset = 0;
    for (const [word, value] of byWord) {
      for (let unit = 0; unit < word.length; unit++) this.#units[offset + unit] = word.charCodeAt(unit);
      this.#offsets[index] = offset;
      offset += word.length;
      this.#offsets[index + 1] = offset;
      this.#values.push(value);
      let slot = lowerCaseHash(word, 0, word.length) & this.#mask;
      while (this.#slots[slot * 2] !== 0) slot = (slot + 1) & this.#mask;
      this.#slots[slot * 2] = lowerCaseHash(word, 0, word.length) + 1;
      this.#slots[slot * 2 + 1] = index;
      index++;
    }
  }

  /**
   * The value of `text[start, end)` lower-cased, or undefined when it is not in the list. The range
   * must hold only ASCII letters, digits, `'` and `-` (where lower-casing is `code | 0x20`).
   */
  get(text: string, start: number, end: number): Value | undefined {
    return this.getHashed(text, start, end, lowerCaseHash(text, start, end));
  }

  /**
   * `get` when the caller has the range's `lowerCaseHash` already. With `fold`, the range is read
   * through it (a unit it maps to 0 is lower-cased as `get` does): "José" is "jose" when `fold`
   * maps é to e, and `hash` must then be the hash of the folded units.
   */
  getHashed(
    text: string,
    start: number,
    end: number,
    hash: number,
    fold?: (code: number) => number,
  ): Value | undefined {
    const slots = this.#slots;
    for (let slot = hash & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const stored = slots[slot * 2] as number;
      if (stored === 0) return undefined;
      if (stored === hash + 1) {
        const index = slots[slot * 2 + 1] as number;
        if (this.#sameWord(text, start, end, index, fold)) return this.#values[index];
      }
    }
  }

  /** Whether `text[start, end)` lower-cased is in the list (same range rule as `get`). */
  has(text: string, start: number, end: number): boolean {
    return this.get(text, start, end) !== undefined;
  }

  #sameWord(
    text: string,
    start: number,
    end: number,
    index: number,
    fold: ((code: number) => number) | undefined,
  ): boolean {
    const offset = this.#offsets[index] as number;
    if ((this.#offsets[index + 1] as number) - offset !== end - start) return false;
    for (let unit = 0; unit < end - start; unit++) {
      const code = text.charCodeAt(start + unit);
      const folded = fold === undefined ? 0 : fold(code);
      if ((folded || code | 0x20) !== this.#units[offset + unit]) return false;
    }
    return true;
  }
}

/**
 * Hash of `text[start, end)` lower-cased (ASCII letters, digits, `'` and `-` only), kept within 30
 * bits: a small integer, never boxed. It is `foldedWordHash` (context.ts) of such a range, masked to
 * its 30 low bits: both multiply by 31 and add `code | 0x20` unit by unit.
 */
export function lowerCaseHash(text: string, start: number, end: number): number {
  let hash = 0;
  for (let index = start; index < end; index++) {
    hash = (Math.imul(hash, 31) + (text.charCodeAt(index) | 0x20)) & 0x3fffffff;
  }
  return hash;
}

function isLowerCaseAscii(word: string): boolean {
  for (let index = 0; index < word.length; index++) {
    const code = word.charCodeAt(index);
    if (code >= 0x80 || (code | 0x20) !== code) return false;
  }
  return true;
}
