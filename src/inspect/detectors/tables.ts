/**
 * Where a value stands in a delimited table (CSV, TSV, semicolon-separated, Markdown and other
 * pipe tables): the header cell of its column and the start of its own cell. A column's header is
 * what labels its values ("ngay_sinh" over every date of birth below it), not the headers of the
 * other columns and not the rows above it, which are other people's values. Context lookups
 * (context.ts) read a table cell's labels from its header cell and its own text.
 *
 * A table is a block of two or more neighbouring lines that split into the same number of cells on
 * the same delimiter (outside double quotes), its first line the header; a Markdown separator line
 * (`|---|:--:|`) may follow the header. A first line holding a number of three digits or more is
 * data, not a header, and a header cell longer than MAX_HEADER_LENGTH is a sentence: then there is
 * no table. A line that ends in its comma or semicolon (`"id": 7,`) is code, not a row, and lines
 * longer than MAX_LINE_LENGTH are never rows.
 * Memoized per text: each line is read once, whatever the number of lookups.
 */

/** Where a value's column starts in the header line, and where its own cell starts. */
export interface TableCell {
  /** The header cell of the value's column, delimiters excluded. */
  readonly headerStart: number;
  readonly headerEnd: number;
  /** Start of the value's own cell (after its delimiter). */
  readonly cellStart: number;
}

const MAX_LINE_LENGTH = 4096;
/** A longer header cell is a sentence, not a column name: the block is prose with commas. */
const MAX_HEADER_LENGTH = 48;
const TAB = 0x09;
const PIPE = 0x7c;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const QUOTE = 0x22;

/** A line as a table row: its delimiter and the number of them, or NOT_A_ROW. */
const NOT_A_ROW = 0;
/** Markdown separator lines get this delimiter count bit; they are rows of their block but hold no values. */
const SEPARATOR = 1 << 30;

let cachedText: string | undefined;
let lineStarts: number[] = [];
/** Per line: the delimiter in the low byte and its count above, 0 when the line is no row; -1 unknown. */
let lineShapes: Int32Array = new Int32Array(0);
/** Per line: the first line of its table block, -1 unknown. */
let blockFirst: Int32Array = new Int32Array(0);
/** Per line: 1 when it reads as a header, 0 when not, UNKNOWN before it is read. */
let headers: Int8Array = new Int8Array(0);
const UNKNOWN = -1;

/** Drops what was memoized for the last text (see forgetScannedText). */
export function forgetTables(): void {
  cachedText = undefined;
  lineStarts = [];
  lineShapes = new Int32Array(0);
  blockFirst = new Int32Array(0);
  headers = new Int8Array(0);
}

/**
 * The table cell holding `index`, when `index` is in a row below a table's header; undefined
 * otherwise (no table, or the header line itself).
 *
 * @example
 * const text = 'ho_ten,ngay_sinh\nAn,12/03/1990';
 * const cell = tableCellAt(text, text.indexOf('12/03'));
 * text.slice(cell.headerStart, cell.headerEnd) // 'ngay_sinh'
 */
export function tableCellAt(text: string, index: number): TableCell | undefined {
  if (text !== cachedText) readLines(text);
  const line = lineOf(index);
  const shape = shapeOf(text, line);
  if (shape === NOT_A_ROW || (shape & SEPARATOR) !== 0) return undefined;
  const first = firstLineOf(text, line);
  if (first === line || !isHeader(text, first)) return undefined;
  const delimiter = shape & 0xff;
  const rowStart = lineStarts[line] as number;
  const column = delimitersBetween(text, rowStart, index, delimiter);
  const header = cellSpan(text, first, column, delimiter);
  if (header === undefined || header[1] - header[0] > MAX_HEADER_LENGTH) return undefined;
  const cellStart = column === 0 ? rowStart : nthDelimiterEnd(text, rowStart, index, delimiter, column);
  return { headerStart: header[0], headerEnd: header[1], cellStart };
}

function readLines(text: string): void {
  cachedText = text;
  lineStarts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
  lineShapes = new Int32Array(lineStarts.length).fill(-1);
  blockFirst = new Int32Array(lineStarts.length).fill(-1);
  headers = new Int8Array(lineStarts.length).fill(UNKNOWN);
}

function lineOf(index: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if ((lineStarts[middle] as number) <= index) low = middle;
    else high = middle - 1;
  }
  return low;
}

function lineEnd(text: string, line: number): number {
  const next = lineStarts[line + 1];
  let end = next === undefined ? text.length : next - 1;
  if (end > (lineStarts[line] as number) && text.charCodeAt(end - 1) === 0x0d) end--;
  return end;
}

/** The shape of a line: its delimiter | count << 8 (| SEPARATOR for a Markdown separator), or NOT_A_ROW. */
function shapeOf(text: string, line: number): number {
  const known = lineShapes[line] as number;
  if (known >= 0) return known;
  const start = lineStarts[line] as number;
  const end = lineEnd(text, line);
  let shape = NOT_A_ROW;
  if (end > start && end - start <= MAX_LINE_LENGTH) {
    let tabs = 0;
    let pipes = 0;
    let commas = 0;
    let semicolons = 0;
    let quoted = false;
    let separator = true;
    for (let at = start; at < end; at++) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) quoted = !quoted;
      else if (!quoted) {
        if (code === TAB) tabs++;
        else if (code === PIPE) pipes++;
        else if (code === COMMA) commas++;
        else if (code === SEMICOLON) semicolons++;
      }
      if (code !== PIPE && code !== 0x2d && code !== 0x3a && code !== 0x20 && code !== 0x2b)
        separator = false;
    }
    if (tabs > 0) shape = TAB | (tabs << 8);
    else if (pipes >= 2 || (pipes === 1 && text.charCodeAt(start) === PIPE)) shape = PIPE | (pipes << 8);
    else if (commas > 0) shape = COMMA | (commas << 8);
    else if (semicolons > 0) shape = SEMICOLON | (semicolons << 8);
    if (shape !== NOT_A_ROW && separator && (shape & 0xff) === PIPE) shape |= SEPARATOR;
    // a line ending in its only commas or semicolons is code or JSON (`"id": 7,`), not a row
    if ((shape & 0xff) === COMMA || (shape & 0xff) === SEMICOLON) {
      let last = end;
      while (last > start && isTrimmed(text.charCodeAt(last - 1))) last--;
      if (text.charCodeAt(last - 1) === (shape & 0xff)) shape = NOT_A_ROW;
    }
  }
  lineShapes[line] = shape;
  return shape;
}

/** The first line of the table block holding `line` (the line itself when none is above it). */
function firstLineOf(text: string, line: number): number {
  const shape = shapeOf(text, line) & ~SEPARATOR;
  const walked: number[] = [];
  let first = line;
  while (first > 0) {
    const known = blockFirst[first] as number;
    if (known >= 0) {
      first = known;
      break;
    }
    walked.push(first);
    const above = shapeOf(text, first - 1);
    if (above === NOT_A_ROW || (above & ~SEPARATOR) !== shape) break;
    first--;
  }
  for (const walkedLine of walked) blockFirst[walkedLine] = first;
  return first;
}

/** Whether a block's first line reads as a header: no separator, and no number of 3 digits or more (memoized). */
function isHeader(text: string, line: number): boolean {
  let known = headers[line] as number;
  if (known === UNKNOWN) {
    known = (shapeOf(text, line) & SEPARATOR) === 0 && !holdsNumber(text, line) ? 1 : 0;
    headers[line] = known;
  }
  return known === 1;
}

function holdsNumber(text: string, line: number): boolean {
  const end = lineEnd(text, line);
  let run = 0;
  for (let at = lineStarts[line] as number; at < end; at++) {
    const code = text.charCodeAt(at);
    if (code >= 0x30 && code <= 0x39) {
      if (++run >= 3) return true;
    } else run = 0;
  }
  return false;
}

/** Delimiters outside double quotes in [start, end). */
function delimitersBetween(text: string, start: number, end: number, delimiter: number): number {
  let count = 0;
  let quoted = false;
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) quoted = !quoted;
    else if (code === delimiter && !quoted) count++;
  }
  return count;
}

/** The position after the `nth` delimiter (outside quotes) from `start`, at most `limit`. */
function nthDelimiterEnd(text: string, start: number, limit: number, delimiter: number, nth: number): number {
  let count = 0;
  let quoted = false;
  for (let at = start; at < limit; at++) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) quoted = !quoted;
    else if (code === delimiter && !quoted && ++count === nth) return at + 1;
  }
  return limit;
}

/** The span of cell `column` of a line, trimmed of spaces and quotes; undefined when the line has fewer cells. */
function cellSpan(
  text: string,
  line: number,
  column: number,
  delimiter: number,
): [number, number] | undefined {
  const lineStart = lineStarts[line] as number;
  const end = lineEnd(text, line);
  let start = column === 0 ? lineStart : nthDelimiterEnd(text, lineStart, end, delimiter, column);
  if (column > 0 && start === end && text.charCodeAt(end - 1) !== delimiter) return undefined;
  let stop = start;
  let quoted = false;
  while (stop < end) {
    const code = text.charCodeAt(stop);
    if (code === QUOTE) quoted = !quoted;
    else if (code === delimiter && !quoted) break;
    stop++;
  }
  while (start < stop && isTrimmed(text.charCodeAt(start))) start++;
  while (stop > start && isTrimmed(text.charCodeAt(stop - 1))) stop--;
  return [start, stop];
}

function isTrimmed(code: number): boolean {
  return code === 0x20 || code === TAB || code === QUOTE || code === 0x27;
}
