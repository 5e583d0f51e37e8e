/**
 * The letters an English-list person name is read in: ASCII letters, and the Latin letters with
 * diacritics of European names ("José García", "Björn Müller", "Łukasz", "Søren"), each read as the
 * lower-case ASCII letter it folds to (é → e, ł → l, ø → o, ß → s), so that "José García" is looked up in
 * compromise's lists as "jose garcia". Letters that only Vietnamese writes (ă, đ, ĩ, ũ, ơ, ư and the
 * U+1E00–1EFF block) are not name letters here: a word holding one is the Vietnamese detector's.
 */
import { UPPER, foldedUnit, letterCase } from './context.js';

/** Units below this may be name letters; none from here up is. */
const TABLE_SIZE = 0x250;
/** Letters with diacritics that only Vietnamese writes, in this table's range. */
const VIETNAMESE_ONLY = [0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1a0, 0x1a1, 0x1af, 0x1b0];
/** Letters that Unicode does not decompose, with the ASCII letter a reader takes them for. */
const EXTRA_FOLDS: readonly (readonly [number, number])[] = [
  [0xd8, 0x6f], // Ø
  [0xf8, 0x6f], // ø
  [0x141, 0x6c], // Ł
  [0x142, 0x6c], // ł
  [0xdf, 0x73], // ß ("Weiß" is read "weis")
  [0x130, 0x69], // İ
  [0x131, 0x69], // ı ("Yılmaz")
];

/** Per unit: the lower-case ASCII letter it is read as (0: no name letter) in the low byte, its case in UPPER_BIT or LOWER_BIT. */
const UPPER_BIT = 0x100;
const LOWER_BIT = 0x200;
const NAME_UNITS = buildNameUnits();

function buildNameUnits(): Uint16Array {
  const table = new Uint16Array(TABLE_SIZE);
  for (let code = 0x41; code < TABLE_SIZE; code++) {
    const letter = letterCase(code);
    if (letter === 0 || VIETNAMESE_ONLY.includes(code)) continue;
    const folded = foldedUnit(code);
    if (folded < 0x61 || folded > 0x7a) continue;
    table[code] = folded | (letter === UPPER ? UPPER_BIT : LOWER_BIT);
  }
  for (const [code, folded] of EXTRA_FOLDS) {
    table[code] = folded | (letterCase(code) === UPPER ? UPPER_BIT : LOWER_BIT);
  }
  return table;
}

/** Whether a unit is an upper-case name letter ("J", "Á", "Ł"). */
export function isNameUpper(code: number): boolean {
  return code < TABLE_SIZE && ((NAME_UNITS[code] as number) & UPPER_BIT) !== 0;
}

/** Whether a unit is a lower-case name letter ("a", "é", "ø"). */
export function isNameLower(code: number): boolean {
  return code < TABLE_SIZE && ((NAME_UNITS[code] as number) & LOWER_BIT) !== 0;
}

/** The lower-case ASCII letter a name letter is read as, or 0 when the unit is no name letter. */
export function nameFold(code: number): number {
  return code < TABLE_SIZE ? (NAME_UNITS[code] as number) & 0xff : 0;
}

/**
 * The `lowerCaseHash` (ascii-words.ts) of a name word as it is read: each name letter folded, other
 * units (an apostrophe, a hyphen) lower-cased as that hash does. Equal to `lowerCaseHash` on ASCII.
 */
export function nameWordHash(text: string, start: number, end: number): number {
  let hash = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    hash = (Math.imul(hash, 31) + (nameFold(code) || code | 0x20)) & 0x3fffffff;
  }
  return hash;
}

/** Regex class bodies: the upper-case name letters, and every name letter. */
export const NAME_UPPER_CLASS = classBody((code) => isNameUpper(code));
export const NAME_LETTER_CLASS = classBody((code) => nameFold(code) !== 0);

function classBody(accepts: (code: number) => boolean): string {
  const hex = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;
  let body = '';
  for (let code = 0; code < TABLE_SIZE; code++) {
    if (!accepts(code)) continue;
    let last = code;
    while (last + 1 < TABLE_SIZE && accepts(last + 1)) last++;
    body += last === code ? hex(code) : `${hex(code)}-${hex(last)}`;
    code = last;
  }
  return body;
}
