/**
 * Street addresses as continental Europe writes them, found from the postcode: a postcode of four or
 * five digits ("10115", "8001", "1015 CJ", "1100-053", "111 51", "F-75002") followed by a town, with
 * a street before it that names its kind and carries a house number.
 *
 *   Hauptstraße 5, 10115 Berlin            Via Roma 10, 00184 Roma
 *   Frankfurter Allee 34, 10247 Berlin     Calle de Alcalá, 45, 28014 Madrid
 *   12 rue de la Paix, 75002 Paris         Rua Augusta 100, 1100-053 Lisboa
 *   Keizersgracht 123, 1015 CJ Amsterdam   Bahnhofstrasse 10\n8001 Zürich
 *
 * The street's kind is the evidence that a number and a capitalized word are an address: a word
 * such as rue, avenue, via, corso, calle, rua or a word ending in -straße, -weg, -allee, -straat,
 * -gracht, -vej or -gatan. Without one, "Version 5, 10115 Berlin" is nothing. Only text around a
 * postcode-shaped digit group is read, each candidate at most MAX_STREET_LENGTH units back.
 */
import { isWordCode } from './context.js';
import { isDigit } from './digit-runs.js';
import { isNameLower, isNameUpper, nameFold } from './name-letters.js';

/** Where a European address found from a postcode starts and ends (the end is the town's). */
export interface AddressSpan {
  start: number;
  end: number;
}

/** How far before the postcode the street may start. */
const MAX_STREET_LENGTH = 90;
/** Words of a street's name between its kind and its number ("rue du Faubourg Saint Honoré"). */
const MAX_NAME_WORDS = 7;
/** Words of a town ("Frankfurt am Main", "Aix-en-Provence" is one). */
const MAX_TOWN_WORDS = 4;
const MAX_WORD_LENGTH = 32;

const SPACE = 0x20;
const COMMA = 0x2c;
const HYPHEN = 0x2d;
const NEWLINE = 0x0a;

/**
 * Words that name a street's kind and come before its name ("rue de la Paix", "Via Roma", "Calle
 * Mayor", "Rua Augusta", "Frankfurter Allee" reads its kind after the name: see AFTER_NAME), folded
 * to lower-case ASCII. Abbreviations keep their dot or slash.
 */
const BEFORE_NAME = new Set(
  // French (France, Belgium, Switzerland, Luxembourg)
  (
    'rue avenue av. boulevard bd bd. bld place allee chemin impasse quai route cours square chaussee passage ' +
    'faubourg sentier voie ' +
    // Italian
    'via viale corso piazza piazzale largo vicolo lungomare strada contrada p.za v.le ' +
    // Spanish and Catalan
    'calle c/ avenida avda. avda paseo plaza pza. carrer camino ronda travesia carretera passeig placa glorieta ' +
    // Portuguese
    'rua r. travessa praca estrada alameda calcada beco ' +
    // Dutch words that also stand before a name
    'laan straat'
  ).split(' '),
);

/**
 * Words that name a street's kind after an adjective or a name, as a word of their own ("Frankfurter
 * Allee", "Berliner Straße", "Lange Straat"); the word before them belongs to the street.
 */
const AFTER_NAME = new Set(
  (
    'strase strasse str. allee platz weg gasse damm ufer chaussee steig markt straat laan gracht plein kade ' +
    'singel dijk vej gade gatan vagen veien gata'
  ).split(' '),
);

/**
 * Endings of one-word street names (folded): "Hauptstraße", "Bahnhofstr.", "Kalverstraat",
 * "Keizersgracht", "Nørrebrogade", "Drottninggatan". The word must be longer than its ending.
 */
const ENDINGS = [...AFTER_NAME, 'pfad', 'graben', 'dreef'];

/** Lower-case words inside a street's or a town's name ("rue de la Paix", "Frankfurt am Main"). */
const PARTICLES = new Set(
  (
    "de du des la le les l' d' del dell' della delle dei degli di da dal dalla do dos das e y i van von der den " +
    "het 't op aan zu zur zum am an auf im in ob bei sur sous en aux au a el los las al"
  ).split(' '),
);

/** One word of the text, by offsets. */
interface Word {
  start: number;
  end: number;
  /** The word folded to lower-case ASCII (letters through nameFold, other units lower-cased). */
  folded: string;
  /** A comma follows the word (before the next one). */
  comma: boolean;
}

/**
 * The European address whose postcode starts with the digit group `[groupStart, groupEnd)` (four
 * or five digits, or three before two: "111 51"), or undefined. `nextGroupStart` and `nextGroupEnd`
 * are the following digit group (for a Portuguese "1100-053" or a Swedish "111 51"), or -1.
 */
export function europeanAddressAt(
  text: string,
  groupStart: number,
  groupEnd: number,
  nextGroupStart: number,
  nextGroupEnd: number,
): AddressSpan | undefined {
  const digits = groupEnd - groupStart;
  let postcodeEnd = groupEnd;
  if (digits === 4) {
    if (
      text.charCodeAt(groupEnd) === HYPHEN &&
      nextGroupStart === groupEnd + 1 &&
      nextGroupEnd - nextGroupStart === 3
    ) {
      postcodeEnd = nextGroupEnd; // Portugal: 1100-053
    } else if (isUpperPair(text, groupEnd + 1) && text.charCodeAt(groupEnd) === SPACE) {
      postcodeEnd = groupEnd + 3; // the Netherlands: 1015 CJ
    } else if (isUpperPair(text, groupEnd)) {
      postcodeEnd = groupEnd + 2; // 1015CJ
    }
  } else if (digits === 3) {
    // Sweden, Czechia, Slovakia, Greece: 111 51
    if (
      text.charCodeAt(groupEnd) !== SPACE ||
      nextGroupStart !== groupEnd + 1 ||
      nextGroupEnd - nextGroupStart !== 2
    )
      return undefined;
    postcodeEnd = nextGroupEnd;
  } else if (digits !== 5) {
    return undefined;
  }
  if (text.charCodeAt(postcodeEnd) !== SPACE) return undefined;
  const townEnd = townEndAfter(text, postcodeEnd + 1);
  if (townEnd === undefined) return undefined;

  // An optional country prefix ("D-10115", "CH-8001", "F-75002").
  let postcodeStart = groupStart;
  if (text.charCodeAt(groupStart - 1) === HYPHEN) {
    let prefix = groupStart - 1;
    while (prefix > 0 && groupStart - 1 - prefix < 2 && isUpperAscii(text.charCodeAt(prefix - 1))) prefix--;
    if (prefix === groupStart - 1) return undefined;
    postcodeStart = prefix;
  }
  if (postcodeStart > 0 && isWordCode(text.charCodeAt(postcodeStart - 1))) return undefined;

  // The separator between the street and the postcode: ", ", a line break, or a space.
  let streetEnd = postcodeStart - 1;
  const before = text.charCodeAt(streetEnd);
  if (before === SPACE) {
    if (text.charCodeAt(streetEnd - 1) === COMMA) streetEnd--;
  } else if (before === NEWLINE) {
    if (text.charCodeAt(streetEnd - 1) === 0x0d) streetEnd--;
    if (text.charCodeAt(streetEnd - 1) === COMMA) streetEnd--;
  } else {
    return undefined;
  }
  const start = streetStart(text, streetEnd);
  return start === undefined ? undefined : { start, end: townEnd };
}

/**
 * End of the town starting at `start`: a capitalized word ("Berlin", "Zürich", "Aix-en-Provence",
 * "'s-Hertogenbosch" is not read), then more capitalized words or particles before one ("Frankfurt
 * am Main"), and a province code in brackets ("Roma (RM)").
 */
function townEndAfter(text: string, start: number): number | undefined {
  if (!isNameUpper(text.charCodeAt(start))) return undefined;
  let end = wordEnd(text, start);
  if (end - start < 2 || end - start > MAX_WORD_LENGTH) return undefined;
  if (end < text.length && (isDigit(text.charCodeAt(end)) || text.charCodeAt(end) === 0x40)) return undefined;
  for (let words = 1; words < MAX_TOWN_WORDS && text.charCodeAt(end) === SPACE; words++) {
    const next = end + 1;
    const code = text.charCodeAt(next);
    if (isNameUpper(code)) {
      const nextEnd = wordEnd(text, next);
      if (nextEnd - next < 2 || !isNameLower(text.charCodeAt(next + 1))) break;
      end = nextEnd;
    } else if (isNameLower(code)) {
      // a particle, only with a capitalized word after it
      const particleEnd = wordEnd(text, next);
      if (!PARTICLES.has(foldWord(text, next, particleEnd))) break;
      if (text.charCodeAt(particleEnd) !== SPACE || !isNameUpper(text.charCodeAt(particleEnd + 1))) break;
      const nextEnd = wordEnd(text, particleEnd + 1);
      if (nextEnd - particleEnd - 1 < 2) break;
      end = nextEnd;
      words++;
    } else if (code === 0x28 && isUpperPair(text, next + 1) && text.charCodeAt(next + 3) === 0x29) {
      end = next + 4; // (RM)
      break;
    } else {
      break;
    }
  }
  return end;
}

/** End of the word of name letters, hyphens and apostrophes starting at `start`. */
function wordEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && end - start <= MAX_WORD_LENGTH) {
    const code = text.charCodeAt(end);
    if (nameFold(code) !== 0 || code === 0x27 || code === 0x2019) end++;
    else if (code === HYPHEN && nameFold(text.charCodeAt(end + 1)) !== 0) end++;
    else break;
  }
  return end;
}

/**
 * Start of the street ending at `end`: "<kind> <name> <number>", "<name><kind> <number>" or
 * "<number> <kind> <name>", with the number maybe after a comma ("Calle de Alcalá, 45"). Undefined
 * when the text before `end` is not such a street.
 */
function streetStart(text: string, end: number): number | undefined {
  const words = wordsBefore(text, end);
  const count = words.length;
  if (count < 2) return undefined;
  const last = words[count - 1] as Word;
  // a capitalized word of the name has been read (between the kind and the number)
  let named = false;
  if (isHouseNumber(last.folded)) {
    // "<kind> <name> <number>", "<name><kind> <number>", "<name> <kind> <number>"
    for (let index = count - 2; index >= 0 && count - 2 - index < MAX_NAME_WORDS; index--) {
      const word = words[index] as Word;
      if (word.comma && index !== count - 2) return undefined;
      const kinds = kindsOf(text, word);
      if ((kinds & ONE_WORD) !== 0) return word.start;
      if ((kinds & BEFORE) !== 0 && named) return word.start;
      if ((kinds & AFTER) !== 0 && index === count - 2 && index > 0) {
        const adjective = words[index - 1] as Word;
        if (!adjective.comma && isCapitalized(text, adjective) && adjective.folded.length >= 3)
          return adjective.start;
      }
      if (!isNameWord(text, word)) return undefined;
      if (isCapitalized(text, word)) named = true;
    }
    return undefined;
  }
  // "<number>[,] <kind> <name>" (French): name words back to the kind, a number before it
  if (last.comma) return undefined;
  for (let index = count - 1; index >= 1 && count - 1 - index < MAX_NAME_WORDS; index--) {
    const word = words[index] as Word;
    if (word.comma) return undefined;
    if ((kindsOf(text, word) & BEFORE) !== 0 && named) return houseNumberBefore(words, index);
    if (!isNameWord(text, word)) return undefined;
    if (isCapitalized(text, word)) named = true;
  }
  return undefined;
}

/** Start of the house number right before word `index` ("12 rue", "12, rue", "12 bis rue", "12bis rue"). */
function houseNumberBefore(words: readonly Word[], index: number): number | undefined {
  let at = index - 1;
  if (at >= 0 && QUALIFIERS.has((words[at] as Word).folded)) at--;
  if (at < 0) return undefined;
  const number = words[at] as Word;
  return FRENCH_HOUSE_NUMBER.test(number.folded) ? number.start : undefined;
}

const QUALIFIERS = new Set(['bis', 'ter', 'quater']);
const FRENCH_HOUSE_NUMBER = /^\d{1,4}(?:[a-z]|bis|ter)?$/;

/** Bits of kindsOf. */
const BEFORE = 1;
const AFTER = 2;
const ONE_WORD = 4;

/** How `word` names a street's kind: BEFORE its name, AFTER a word of it, a ONE_WORD street's ending (0: none). */
function kindsOf(text: string, word: Word): number {
  const folded = word.folded;
  let kinds = BEFORE_NAME.has(folded) ? BEFORE : 0;
  if (!isCapitalized(text, word)) return kinds;
  if (AFTER_NAME.has(folded)) kinds |= AFTER;
  for (const ending of ENDINGS) {
    if (folded.length > ending.length + 2 && folded.endsWith(ending)) return kinds | ONE_WORD;
  }
  return kinds;
}

/** A word a street's name may hold: capitalized, a particle, a Roman numeral, a date's day ("Via XX Settembre", "Rua 1º de Maio"). */
function isNameWord(text: string, word: Word): boolean {
  if (isCapitalized(text, word)) return true;
  if (PARTICLES.has(word.folded)) return true;
  return /^\d{1,2}[ºª.]?$/.test(word.folded);
}

function isCapitalized(text: string, word: Word): boolean {
  return isNameUpper(text.charCodeAt(word.start)) && word.end - word.start >= 2;
}

/** "5", "5a", "5-7", "12/2", "110A", "s/n": a house number as the word folds. */
function isHouseNumber(folded: string): boolean {
  return /^(?:\d{1,4}[a-z]?(?:[-/]\d{1,4}[a-z]?)?|s\/n)$/.test(folded);
}

/**
 * The words of the street before `end`, on its line, from the farthest: runs of letters, digits and
 * `'./-ºª` between spaces (a comma ends a word and is noted). Stops at a line break, at a character
 * no street holds (`:`, `;`, `|`, quotes, brackets) and MAX_STREET_LENGTH units back.
 */
function wordsBefore(text: string, end: number): Word[] {
  const words: Word[] = [];
  const limit = Math.max(0, end - MAX_STREET_LENGTH);
  let at = end;
  let comma = false;
  while (at > limit) {
    let start = at;
    while (start > limit && isStreetUnit(text.charCodeAt(start - 1))) start--;
    if (start === at || at - start > MAX_WORD_LENGTH) break;
    words.push({ start, end: at, folded: foldWord(text, start, at), comma });
    comma = false;
    if (start === 0) break;
    const separator = text.charCodeAt(start - 1);
    if (separator === COMMA) {
      if (text.charCodeAt(start - 2) !== SPACE) break;
      comma = true;
      at = start - 2;
    } else if (separator === SPACE) {
      if (text.charCodeAt(start - 2) === COMMA) {
        comma = true;
        at = start - 2;
      } else at = start - 1;
    } else break;
  }
  return words.reverse();
}

function isStreetUnit(code: number): boolean {
  return (
    nameFold(code) !== 0 ||
    isDigit(code) ||
    code === 0x27 ||
    code === 0x2019 ||
    code === 0x2e ||
    code === 0x2f ||
    code === HYPHEN ||
    code === 0xba ||
    code === 0xaa
  );
}

/** `text[start, end)` folded: name letters to lower-case ASCII, `’` to `'`, the rest lower-cased. */
function foldWord(text: string, start: number, end: number): string {
  let folded = '';
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    const letter = nameFold(code);
    folded += String.fromCharCode(letter !== 0 ? letter : code === 0x2019 ? 0x27 : code);
  }
  return folded;
}

function isUpperAscii(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

/** Two upper-case ASCII letters at `start`, not followed by a word character. */
function isUpperPair(text: string, start: number): boolean {
  return (
    isUpperAscii(text.charCodeAt(start)) &&
    isUpperAscii(text.charCodeAt(start + 1)) &&
    !isWordCode(text.charCodeAt(start + 2))
  );
}
