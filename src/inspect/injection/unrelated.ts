/**
 * Whether a request standing on a line of its own is out of place in the text around it: a task
 * planted in data ("Explain the theory of relativity." in a payment receipt, "Who wrote the play
 * 'Romeo and Juliet'?" between the rows of a sports table) shares no content word with the rest of
 * the text, where the questions of an FAQ, the asks of an e-mail and the steps of a README mostly
 * talk about what the document is about. One input of the calibration (tool output only).
 *
 * Content words are runs of at least MIN_WORD_LETTERS Latin letters (case and diacritics folded),
 * stopwords and request verbs aside, compared by their first STEM_LETTERS letters ("panels" and
 * "panel", "explained" and "explains"). Texts in scripts without such words, and texts with too few
 * of them to judge, are never "unrelated".
 */

import { foldedUnit } from '../detectors/context.js';

/** Shortest content word: shorter ones are mostly function words. */
const MIN_WORD_LETTERS = 4;
/** Words are compared by this many first letters, a crude stem. */
const STEM_LETTERS = 5;
/** Fewest content words in a request line for it to be judged. */
const MIN_LINE_WORDS = 2;
/** Fewest distinct content words outside the request line for the text to be judged. */
const MIN_REST_WORDS = 15;
/** Characters read between two looks at the clock. */
const DEADLINE_SLICE = 65_536;

/**
 * Function words and the words requests are made of: sharing them says nothing about a topic.
 * Stems (first STEM_LETTERS letters), so "explain", "explains" and "explained" are one entry.
 */
const STOP_STEMS: ReadonlySet<string> = new Set(
  (
    'about above after again against also been before being below between both cannot could does doing done ' +
    'down during each even ever every from further have having here into itself just like many might more ' +
    'most much must need never only other ought ours over same shall should some such than that their them ' +
    'then there these they this those through under until upon very want were what when where which while ' +
    'whom whose will with within without would your yours also back well still thing things make made ' +
    'please thank thanks kindly know tell give take find show write explain describe provide create ' +
    'generate list compose draft translate summarize summarise answer reply respond include mention ' +
    'share help using use used sure okay really something anything everything someone anyone everyone'
  )
    .split(' ')
    .map((word) => word.slice(0, STEM_LETTERS)),
);

/** The letter `code` folds to (lower-case ASCII, diacritics dropped, Đ as d), or 0 for anything else. */
function letterOf(code: number): number {
  const folded = foldedUnit(code);
  return folded >= 0x61 && folded <= 0x7a ? folded : 0;
}

/** Calls `visit(stem, start)` for every content word of `text[from, to)`. */
function forEachContentWord(
  text: string,
  from: number,
  to: number,
  visit: (stem: string, start: number) => void,
): void {
  let position = from;
  while (position < to) {
    while (position < to && letterOf(text.charCodeAt(position)) === 0) position++;
    const start = position;
    let stem = '';
    while (position < to) {
      const letter = letterOf(text.charCodeAt(position));
      if (letter === 0) break;
      if (position - start < STEM_LETTERS) stem += String.fromCharCode(letter);
      position++;
    }
    // a letter glued to a digit or another script ("abc123", "café漢") still ends the word here
    if (position - start >= MIN_WORD_LETTERS && !STOP_STEMS.has(stem)) visit(stem, start);
  }
}

/**
 * Characters and words that tie a line to the document it stands in: code and paths ("Replace
 * `YOUR_API_KEY`", "Add it with `npm install zod`", "the `--force` flag", "`locales/`") and
 * pointers to the text around it ("Use this method…", "respond to this thread"). A planted task
 * ("Describe the lifecycle of a butterfly.") has neither.
 */
const TIED_TO_DOCUMENT = /[`/\\=<>{}()_#@|]|--|\b(?:this|these|here|above|below)\b/i;

/**
 * Whether one of the request lines (`[start, end)` spans of `text`), not tied to the document by
 * code or pointers (TIED_TO_DOCUMENT), shares no content word with the rest of the text, the line having at least MIN_LINE_WORDS content words and the rest at least
 * MIN_REST_WORDS distinct ones. Linear in the text (one pass, then one per line); false when
 * `deadline` passes before the text is read.
 */
export function hasUnrelatedRequestLine(
  text: string,
  lines: readonly (readonly [number, number])[],
  deadline = Infinity,
): boolean {
  if (lines.length === 0) return false;
  const counts = new Map<string, number>();
  // the whole text, a slice at a time, so a long one does not run past the scan's deadline
  for (let from = 0; from < text.length; from += DEADLINE_SLICE) {
    if (from > 0 && performance.now() > deadline) return false;
    let to = Math.min(text.length, from + DEADLINE_SLICE);
    while (to < text.length && letterOf(text.charCodeAt(to)) !== 0) to++; // do not cut a word
    forEachContentWord(text, from, to, (stem) => counts.set(stem, (counts.get(stem) ?? 0) + 1));
    from = to - DEADLINE_SLICE;
  }
  for (const [start, end] of lines) {
    if (TIED_TO_DOCUMENT.test(text.slice(start, end))) continue;
    const own = new Map<string, number>();
    forEachContentWord(text, start, end, (stem) => own.set(stem, (own.get(stem) ?? 0) + 1));
    if (own.size < MIN_LINE_WORDS) continue;
    let shared = false;
    let onlyHere = 0;
    for (const [stem, count] of own) {
      if ((counts.get(stem) ?? 0) > count) shared = true;
      else onlyHere++;
    }
    if (!shared && counts.size - onlyHere >= MIN_REST_WORDS) return true;
  }
  return false;
}

/** Longest line looked at as a possible table row. */
const MAX_ROW_LENGTH = 4096;
/** Blank lines passed over between a request line and the row next to it. */
const MAX_BLANK_LINES = 2;

/**
 * Whether `text[start, end)` is a row of a table: a Markdown or pipe table's (starts with "|" and
 * holds another) or a tab-separated one's (two tabs or more).
 */
function isTableRow(text: string, start: number, end: number): boolean {
  if (end - start > MAX_ROW_LENGTH) return false;
  let first = start;
  while (first < end && (text.charCodeAt(first) === 0x20 || text.charCodeAt(first) === 0x09)) first++;
  let pipes = 0;
  let tabs = 0;
  for (let position = first; position < end; position++) {
    const code = text.charCodeAt(position);
    if (code === 0x7c) pipes++;
    else if (code === 0x09) tabs++;
  }
  return (text.charCodeAt(first) === 0x7c && pipes >= 2) || tabs >= 2;
}

/** Whether `text[start, end)` holds only spaces, tabs and carriage returns. */
function isBlank(text: string, start: number, end: number): boolean {
  for (let position = start; position < end; position++) {
    const code = text.charCodeAt(position);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return false;
  }
  return true;
}

/** The nearest non-blank line before the line holding `position` (`step` -1) or after it (+1). */
function neighbourLine(text: string, position: number, step: -1 | 1): [number, number] | undefined {
  let lineStart = text.lastIndexOf('\n', position - 1) + 1;
  let lineEnd = text.indexOf('\n', position);
  if (lineEnd === -1) lineEnd = text.length;
  for (let blanks = 0; blanks <= MAX_BLANK_LINES; blanks++) {
    if (step === -1) {
      if (lineStart === 0) return undefined;
      lineEnd = lineStart - 1;
      lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
    } else {
      if (lineEnd >= text.length) return undefined;
      lineStart = lineEnd + 1;
      lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1) lineEnd = text.length;
    }
    if (!isBlank(text, lineStart, lineEnd)) return [lineStart, lineEnd];
  }
  return undefined;
}

/**
 * Whether one of the request lines (`[start, end)` spans of `text`) stands in a table: its nearest
 * non-blank line before or after it is a table row (pipe or tab-separated) and it is not one
 * itself. Tables hold data; a question or a task wedged between their rows ("Who wrote the play
 * 'Romeo and Juliet'?" above a sports table) was put there by someone other than the table's
 * author. One input of the calibration (tool output only).
 */
export function hasRequestLineInTable(text: string, lines: readonly (readonly [number, number])[]): boolean {
  for (const [start] of lines) {
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    // a request line lies on one line: the first line break after its start ends it
    let lineEnd = text.indexOf('\n', start);
    if (lineEnd === -1) lineEnd = text.length;
    if (isTableRow(text, lineStart, lineEnd)) continue;
    const before = neighbourLine(text, start, -1);
    if (before !== undefined && isTableRow(text, before[0], before[1])) return true;
    const after = neighbourLine(text, start, 1);
    if (after !== undefined && isTableRow(text, after[0], after[1])) return true;
  }
  return false;
}
