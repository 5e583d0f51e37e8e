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

const MAX_LINE_LENGTH = 1024;
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
/** The last index asked about in the cached text, and its answer. */
let lastIndex = -1;
let lastCell: TableCell | undefined;
/** Per row line: the positions of its delimiters, once read. */
let delimiters: (Int32Array | undefined)[] = [];
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
  delimiters = [];
  lastIndex = -1;
  lastCell = undefined;
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
  if (lineStarts.length < 2) return undefined;
  // the detectors' quick tests and their lookups ask about the same index in turn
  if (index === lastIndex) return lastCell;
  lastIndex = index;
  lastCell = cellAt(text, index);
  return lastCell;
}

function cellAt(text: string, index: number): TableCell | undefined {
  const line = lineOf(index);
  const shape = shapeOf(text, line);
  if (shape === NOT_A_ROW || (shape & SEPARATOR) !== 0) return undefined;
  const first = firstLineOf(text, line);
  if (first === line || !isHeader(text, first)) return undefined;
  const row = delimitersOf(text, line, shape & 0xff);
  let column = 0;
  while (column < row.length && (row[column] as number) < index) column++;
  const header = delimitersOf(text, first, shape & 0xff);
  if (column > header.length) return undefined;
  let headerStart = column === 0 ? (lineStarts[first] as number) : (header[column - 1] as number) + 1;
  let headerEnd = column < header.length ? (header[column] as number) : lineEnd(text, first);
  while (headerStart < headerEnd && isTrimmed(text.charCodeAt(headerStart))) headerStart++;
  while (headerEnd > headerStart && isTrimmed(text.charCodeAt(headerEnd - 1))) headerEnd--;
  if (headerEnd - headerStart > MAX_HEADER_LENGTH) return undefined;
  const cellStart = column === 0 ? (lineStarts[line] as number) : (row[column - 1] as number) + 1;
  return { headerStart, headerEnd, cellStart };
}

/** The positions of a row's delimiters outside double quotes (memoized per line). */
function delimitersOf(text: string, line: number, delimiter: number): Int32Array {
  let known = delimiters[line];
  if (known === undefined) {
    const end = lineEnd(text, line);
    const found: number[] = [];
    let quoted = false;
    for (let at = lineStarts[line] as number; at < end; at++) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) quoted = !quoted;
      else if (code === delimiter && !quoted) found.push(at);
    }
    known = Int32Array.from(found);
    delimiters[line] = known;
  }
  return known;
}

function readLines(text: string): void {
  cachedText = text;
  lineStarts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
  lineShapes = new Int32Array(lineStarts.length).fill(-1);
  blockFirst = new Int32Array(lineStarts.length).fill(-1);
  headers = new Int8Array(lineStarts.length).fill(UNKNOWN);
  delimiters = [];
  lastIndex = -1;
  lastCell = undefined;
}

/** A Markdown table's separator line: pipes, dashes, colons, plus signs and spaces only. */
const MARKDOWN_SEPARATOR = /^[|\-:+ ]+$/;

function occurrences(row: string, unit: string): number {
  let count = 0;
  for (let at = row.indexOf(unit); at >= 0; at = row.indexOf(unit, at + 1)) count++;
  return count;
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
    // counted natively (indexOf) unless a quote makes some delimiters part of a cell
    const row = text.slice(start, end);
    let tabs: number;
    let pipes: number;
    let commas: number;
    let semicolons: number;
    if (!row.includes('"')) {
      tabs = occurrences(row, '\t');
      pipes = occurrences(row, '|');
      // counted only when the line is no tab or pipe row (a CSV cell may hold one "|")
      const pipeRow = pipes >= 2 || (pipes === 1 && row.charCodeAt(0) === PIPE);
      commas = tabs > 0 || pipeRow ? 0 : occurrences(row, ',');
      semicolons = tabs > 0 || pipeRow || commas > 0 ? 0 : occurrences(row, ';');
    } else {
      tabs = pipes = commas = semicolons = 0;
      let quoted = false;
      for (let at = 0; at < row.length; at++) {
        const code = row.charCodeAt(at);
        if (code === QUOTE) quoted = !quoted;
        else if (!quoted) {
          if (code === TAB) tabs++;
          else if (code === PIPE) pipes++;
          else if (code === COMMA) commas++;
          else if (code === SEMICOLON) semicolons++;
        }
      }
    }
    const separator = pipes > 0 && MARKDOWN_SEPARATOR.test(row);
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
  const known = blockFirst[line] as number;
  if (known >= 0) return known;
  const shape = shapeOf(text, line) & ~SEPARATOR;
  let first = line;
  while (first > 0) {
    const above = blockFirst[first - 1] as number;
    const aboveShape = shapeOf(text, first - 1);
    if (aboveShape === NOT_A_ROW || (aboveShape & ~SEPARATOR) !== shape) break;
    if (above >= 0) {
      first = above;
      break;
    }
    first--;
  }
  for (let walked = line; walked > first && (blockFirst[walked] as number) < 0; walked--)
    blockFirst[walked] = first;
  blockFirst[first] = first;
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

function isTrimmed(code: number): boolean {
  return code === 0x20 || code === TAB || code === QUOTE || code === 0x27;
}
