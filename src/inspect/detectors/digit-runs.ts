/**
 * The digit runs of a text, found once and shared by every number-shaped detector (cards, phones,
 * CCCD, tax codes, accounts, dates, IPs...). A run is a chain of digit groups joined by one separator
 * ("0912 345 678", "4111-1111-1111-1111", "(028) 3823 4567", "12/05/1990"); detectors pick windows of
 * consecutive groups from it. Building it is linear in the text and bounded by the scan budget.
 */
import type { ScanBudget } from '../types.js';
import { isWordCode } from './context.js';

/** The token is glued to a word before it ("abc123", "INV-2024"): not a standalone number. */
export const ATTACHED_BEFORE = 1;
/** The token is glued to a word after it ("123abc", "12.5" as a decimal, "123-ABC"). */
export const ATTACHED_AFTER = 2;
/** A `+` immediately precedes the token ("+84 912…", "(+84) 912…"). */
export const PLUS_BEFORE = 4;

/**
 * Digit groups of a text and how they chain into tokens. Indexes are UTF-16 offsets. The arrays are
 * scratch space shared by every build and may be longer than the counts: read `groups` and `tokens`
 * entries only, and only until `digitRuns` is next called with another text.
 */
export interface DigitRuns {
  readonly text: string;
  /** Number of groups (maximal runs of ASCII digits). */
  readonly groups: number;
  /** Number of tokens (groups chained by separators). */
  readonly tokens: number;
  /** Start of each group, in text order. */
  readonly groupStart: Int32Array;
  /** End (exclusive) of each group. */
  readonly groupEnd: Int32Array;
  /** First group index of each token. */
  readonly tokenFirst: Int32Array;
  /** Last group index of each token (inclusive). */
  readonly tokenLast: Int32Array;
  /** ATTACHED_BEFORE | ATTACHED_AFTER | PLUS_BEFORE per token. */
  readonly tokenFlags: Uint8Array;
  /** Number of digits per token. */
  readonly tokenDigits: Int32Array;
  /** The most digits of any token. */
  readonly maxTokenDigits: number;
  /** The most groups of any token. */
  readonly maxTokenGroups: number;
  /** False when the budget ran out before the end of the text. */
  readonly complete: boolean;
}

const CHECK_EVERY = 512;

let cachedRuns: DigitRuns | undefined;

/** Drops the digit runs memoized for the last text (see forgetScannedText). */
export function forgetDigitRuns(): void {
  cachedRuns = undefined;
  buildText = '';
}

/**
 * The digit runs of `text`, memoized for the last text (every detector of one scan asks for the same
 * string in turn, so the runs are found once per string). Stops early, with `complete: false`, when
 * the budget's deadline passes.
 */
export function digitRuns(text: string, budget: ScanBudget): DigitRuns {
  if (cachedRuns !== undefined && cachedRuns.complete && cachedRuns.text === text) return cachedRuns;
  return buildRuns(text, budget);
}

// Scratch arrays, grown by doubling and reused by every build: no allocation per string.
let groupStartScratch: Int32Array = new Int32Array(256);
let groupEndScratch: Int32Array = new Int32Array(256);
let tokenFirstScratch: Int32Array = new Int32Array(256);
let tokenLastScratch: Int32Array = new Int32Array(256);
let tokenDigitsScratch: Int32Array = new Int32Array(256);
let tokenFlagsScratch: Uint8Array = new Uint8Array(256);

function growScratch(): void {
  groupStartScratch = grown(groupStartScratch);
  groupEndScratch = grown(groupEndScratch);
  tokenFirstScratch = grown(tokenFirstScratch);
  tokenLastScratch = grown(tokenLastScratch);
  tokenDigitsScratch = grown(tokenDigitsScratch);
  const flags = new Uint8Array(tokenFlagsScratch.length * 2);
  flags.set(tokenFlagsScratch);
  tokenFlagsScratch = flags;
}

/** The next digit: the regex engine skips the units between runs several times faster than a loop here. */
const NEXT_DIGIT = /[0-9]/g;

function buildRuns(text: string, budget: ScanBudget): DigitRuns {
  const length = text.length;
  let complete = true;
  let groups = 0;
  let tokens = 0;
  let index = 0;
  while (index < length) {
    NEXT_DIGIT.lastIndex = index;
    if (!NEXT_DIGIT.test(text)) break;
    const start = NEXT_DIGIT.lastIndex - 1;
    index = start + 1;
    while (index < length) {
      const next = text.charCodeAt(index);
      if (next > 0x39 || next < 0x30) break;
      index++;
    }
    if (groups % CHECK_EVERY === CHECK_EVERY - 1 && performance.now() > budget.deadline) {
      complete = false;
      break;
    }
    if (groups === groupStartScratch.length) growScratch();
    if (
      groups > 0 &&
      joins(
        text,
        groupStartScratch[groups - 1] as number,
        groupEndScratch[groups - 1] as number,
        start,
        index,
      )
    ) {
      tokenLastScratch[tokens - 1] = groups;
      tokenDigitsScratch[tokens - 1] = (tokenDigitsScratch[tokens - 1] as number) + index - start;
    } else {
      tokenFirstScratch[tokens] = groups;
      tokenLastScratch[tokens] = groups;
      tokenDigitsScratch[tokens] = index - start;
      tokens++;
    }
    groupStartScratch[groups] = start;
    groupEndScratch[groups] = index;
    groups++;
  }
  buildText = text;
  buildGroups = groups;
  buildTokens = tokens;
  return finishRuns(complete);
}

// The build in progress: `buildRuns` above, or the text profile's pass, which meets the digit runs
// as it reads a short text and records them here instead of leaving them to a second pass.
let buildText = '';
let buildGroups = 0;
let buildTokens = 0;

/** Starts recording the digit runs of `text` (see `addRun`, `finishRuns`). */
export function startRuns(text: string): void {
  buildText = text;
  buildGroups = 0;
  buildTokens = 0;
}

/** Records the next maximal run of ASCII digits, `[start, end)`, of the text being recorded. */
export function addRun(start: number, end: number): void {
  const groups = buildGroups;
  const tokens = buildTokens;
  if (groups === groupStartScratch.length) growScratch();
  const joined =
    groups > 0 &&
    joins(buildText, groupStartScratch[groups - 1] ?? 0, groupEndScratch[groups - 1] ?? 0, start, end);
  groupStartScratch[groups] = start;
  groupEndScratch[groups] = end;
  if (joined) {
    tokenLastScratch[tokens - 1] = groups;
    tokenDigitsScratch[tokens - 1] = (tokenDigitsScratch[tokens - 1] ?? 0) + end - start;
  } else {
    tokenFirstScratch[tokens] = groups;
    tokenLastScratch[tokens] = groups;
    tokenDigitsScratch[tokens] = end - start;
    buildTokens = tokens + 1;
  }
  buildGroups = groups + 1;
}

/**
 * Ends the recording: the runs of the text, memoized as `digitRuns` would (`complete` false when the
 * recording stopped before the end of the text).
 */
export function finishRuns(complete: boolean): DigitRuns {
  const text = buildText;
  const tokens = buildTokens;
  let maxTokenDigits = 0;
  let maxTokenGroups = 0;
  for (let token = 0; token < tokens; token++) {
    const first = tokenFirstScratch[token] ?? 0;
    const last = tokenLastScratch[token] ?? 0;
    tokenFlagsScratch[token] = flagsOf(text, groupStartScratch[first] ?? 0, groupEndScratch[last] ?? 0);
    const digits = tokenDigitsScratch[token] ?? 0;
    if (digits > maxTokenDigits) maxTokenDigits = digits;
    if (last - first + 1 > maxTokenGroups) maxTokenGroups = last - first + 1;
  }
  cachedRuns = {
    text,
    groups: buildGroups,
    tokens,
    groupStart: groupStartScratch,
    groupEnd: groupEndScratch,
    tokenFirst: tokenFirstScratch,
    tokenLast: tokenLastScratch,
    tokenFlags: tokenFlagsScratch,
    tokenDigits: tokenDigitsScratch,
    maxTokenDigits,
    maxTokenGroups,
    complete,
  };
  return cachedRuns;
}

function grown(array: Int32Array): Int32Array {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}

const SPACE = 0x20;
const NBSP = 0xa0;
const HYPHEN = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const OPEN = 0x28;
const CLOSE = 0x29;

function isSeparator(code: number): boolean {
  return code === SPACE || code === NBSP || code === HYPHEN || code === DOT || code === SLASH;
}

/** A group at least this long on both sides of a slash makes it a list ("0912345678/0987654321"), not a date or "12/3". */
const LISTED_BY_SLASH = 7;

/**
 * Whether the characters between two groups join them into one token: one separator, or a
 * parenthesis with one; not a slash between two long numbers, which lists them.
 */
function joins(
  text: string,
  previousStart: number,
  previousEnd: number,
  start: number,
  end: number,
): boolean {
  const gap = start - previousEnd;
  if (gap === 1) {
    const code = text.charCodeAt(previousEnd);
    if (code === SLASH && previousEnd - previousStart >= LISTED_BY_SLASH && end - start >= LISTED_BY_SLASH)
      return false;
    return isSeparator(code) || code === OPEN || code === CLOSE;
  }
  if (gap === 2) {
    const first = text.charCodeAt(previousEnd);
    const second = text.charCodeAt(previousEnd + 1);
    // ") " in "(028) 3823", " (" in "+84 (0) 912", ")-" in "(415)-555"
    return (
      ((first === CLOSE || first === OPEN) && isSeparator(second) && second !== SLASH) ||
      ((second === OPEN || second === CLOSE) && isSeparator(first) && first !== SLASH)
    );
  }
  return false;
}

function flagsOf(text: string, start: number, end: number): number {
  let flags = 0;
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  const beforeBefore = start > 1 ? text.charCodeAt(start - 2) : -1;
  if (before === 0x2b || (before === OPEN && beforeBefore === 0x2b)) flags |= PLUS_BEFORE;
  if (before !== -1 && isWordCode(before)) flags |= ATTACHED_BEFORE;
  // "INV-2024", "id_123", "v.12": glued to a word by a joiner
  if (
    (before === HYPHEN || before === 0x5f || before === DOT || before === SLASH) &&
    isWordCode(beforeBefore) &&
    !(before === SLASH && listedBySlash(text, start - 1))
  ) {
    flags |= ATTACHED_BEFORE;
  }
  // "1,234", "27,50", "0,4111": the tail of a number with thousands separators or a decimal comma; a
  // comma between numbers that no number holds ("079203001234,0912345678" in a CSV row) parts them
  if (before === 0x2c && isDigit(beforeBefore) && commaInNumber(text, start - 1)) flags |= ATTACHED_BEFORE;
  const after = end < text.length ? text.charCodeAt(end) : -1;
  const afterAfter = end + 1 < text.length ? text.charCodeAt(end + 1) : -1;
  if (after !== -1 && isWordCode(after)) flags |= ATTACHED_AFTER;
  if (
    (after === HYPHEN || after === 0x5f || after === SLASH) &&
    isWordCode(afterAfter) &&
    !(after === SLASH && listedBySlash(text, end))
  )
    flags |= ATTACHED_AFTER;
  if (
    after === 0x2c
      ? isDigit(afterAfter) && commaInNumber(text, end)
      : (after === DOT || after === 0x3a) && isDigit(afterAfter)
  )
    flags |= ATTACHED_AFTER;
  return flags;
}

/** Whether the slash at `slash` lists two long numbers (LISTED_BY_SLASH digits or more on each side). */
function listedBySlash(text: string, slash: number): boolean {
  return (
    digitsBefore(text, slash, LISTED_BY_SLASH) >= LISTED_BY_SLASH &&
    digitsAfter(text, slash, LISTED_BY_SLASH) >= LISTED_BY_SLASH
  );
}

/**
 * Whether the comma at `comma`, between two digits, can be part of one number: a thousands separator
 * (at most 3 digits before it, exactly 3 after: "1,234", "12,500,000") or a decimal comma (at most 9
 * digits before, at most 2 after: "27,50", "1.500.000,75"; or one digit before, any number after:
 * "0,4111111111111111", "1,0912345678").
 */
function commaInNumber(text: string, comma: number): boolean {
  const before = digitsBefore(text, comma, 10);
  const after = digitsAfter(text, comma, 4);
  return before === 1 || (before <= 3 && after === 3) || (before <= 9 && after <= 2);
}

/** The digits right before `position`, counted up to `max`. */
function digitsBefore(text: string, position: number, max: number): number {
  let count = 0;
  while (count < max && position - count > 0 && isDigit(text.charCodeAt(position - count - 1))) count++;
  return count;
}

/** The digits right after `position` (the unit at `position` itself is not one of them), counted up to `max`. */
function digitsAfter(text: string, position: number, max: number): number {
  let count = 0;
  while (count < max && position + count + 1 < text.length && isDigit(text.charCodeAt(position + count + 1)))
    count++;
  return count;
}

/** Whether a UTF-16 unit is an ASCII digit. */
export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The digits of groups `first..last` (inclusive), separators dropped. */
export function digitsOf(runs: DigitRuns, first: number, last: number): string {
  if (first === last) return runs.text.slice(runs.groupStart[first], runs.groupEnd[first]);
  let digits = '';
  for (let group = first; group <= last; group++) {
    digits += runs.text.slice(runs.groupStart[group], runs.groupEnd[group]);
  }
  return digits;
}

/** Number of digits in group `group`. */
export function groupLength(runs: DigitRuns, group: number): number {
  return (runs.groupEnd[group] ?? 0) - (runs.groupStart[group] ?? 0);
}

/** Whether a gap separates two numbers rather than the parts of one: it holds a space or a parenthesis. */
function isLooseGap(runs: DigitRuns, group: number): boolean {
  for (let index = runs.groupEnd[group - 1] ?? 0; index < (runs.groupStart[group] ?? 0); index++) {
    const code = runs.text.charCodeAt(index);
    if (code === SPACE || code === NBSP || code === OPEN || code === CLOSE) return true;
  }
  return false;
}

/**
 * Whether groups `first..last` of `token` stand alone as one number: not glued to a word, and not
 * cut out of a longer dashed, dotted or slashed number ("2024-0912345678" has no standalone
 * "0912345678"; "call 0912 345 678 now" does).
 */
export function isStandalone(runs: DigitRuns, token: number, first: number, last: number): boolean {
  const flags = runs.tokenFlags[token] ?? 0;
  if (first === runs.tokenFirst[token]) {
    if ((flags & ATTACHED_BEFORE) !== 0) return false;
  } else if (!isLooseGap(runs, first)) {
    return false;
  }
  if (last === runs.tokenLast[token]) {
    if ((flags & ATTACHED_AFTER) !== 0) return false;
  } else if (!isLooseGap(runs, last + 1)) {
    return false;
  }
  return true;
}

/**
 * Whether all gaps inside groups `first..last` are the same single character, one of `allowed`
 * (true for a single group).
 */
export function hasUniformGaps(runs: DigitRuns, first: number, last: number, allowed: string): boolean {
  if (first === last) return true;
  const separator = runs.text.charCodeAt(runs.groupEnd[first] ?? 0);
  if (!allowed.includes(String.fromCharCode(separator))) return false;
  for (let group = first + 1; group <= last; group++) {
    const gapStart = runs.groupEnd[group - 1] ?? 0;
    if ((runs.groupStart[group] ?? 0) - gapStart !== 1 || runs.text.charCodeAt(gapStart) !== separator)
      return false;
  }
  return true;
}

/** Whether the deadline passed; checked every few hundred iterations by the detectors' loops. */
export function outOfTime(iteration: number, budget: ScanBudget): boolean {
  return iteration % CHECK_EVERY === 0 && performance.now() > budget.deadline;
}
