/**
 * One pass over a string that tells every built-in detector whether it can find anything there:
 * which kinds of characters occur, how many digits and capitals, which lengths of digit runs. A
 * detector declares a gate (what a text must hold for it to report anything); the scanner skips it
 * when the profile shows the gate is shut, so most short JSON strings ("pending", "$12.50") cost one
 * pass instead of thirty detector calls. Gates are necessary conditions only: a shut gate never
 * hides a finding, an open one runs the detector as before.
 */
import type { Detector, Finding, FindingType, ScanBudget } from '../types.js';
import { LOWER, UPPER, letterCase } from './context.js';
import { addRun, finishRuns, startRuns } from './digit-runs.js';

/** An ASCII digit. */
export const HAS_DIGIT = 1 << 0;
/** `@`. */
export const HAS_AT = 1 << 1;
/** An ASCII capital. */
export const HAS_UPPER_ASCII = 1 << 2;
/** An ASCII lower-case letter. */
export const HAS_LOWER_ASCII = 1 << 3;
/** Any unit above U+007F. */
export const HAS_NON_ASCII = 1 << 4;
/** `:`. */
export const HAS_COLON = 1 << 5;
/** A space or a no-break space. */
export const HAS_SPACE = 1 << 6;
/** `.`. */
export const HAS_DOT = 1 << 7;
/** `-`. */
export const HAS_HYPHEN = 1 << 8;
/** `_`. */
export const HAS_UNDERSCORE = 1 << 9;
/** `=`. */
export const HAS_EQUALS = 1 << 10;
/** `,`. */
export const HAS_COMMA = 1 << 11;
/** A combining diacritical mark (U+0300-U+036F): decomposed (NFD) text. */
export const HAS_COMBINING = 1 << 12;
/** `/`. */
export const HAS_SLASH = 1 << 13;
/** A letter of any case outside ASCII (Vietnamese letters with diacritics, other Latin letters). */
export const HAS_LETTER_NON_ASCII = 1 << 14;
/** `~`. */
export const HAS_TILDE = 1 << 15;
/** An ASCII capital right before a digit ("GB82…", "DH1628…"): where an IBAN's country code meets its digits. */
export const HAS_CAPITAL_DIGIT = 1 << 16;

const ASCII_FLAGS = buildAsciiFlags();

function buildAsciiFlags(): Uint16Array {
  const table = new Uint16Array(128);
  for (let code = 0x30; code <= 0x39; code++) table[code] = HAS_DIGIT;
  for (let code = 0x41; code <= 0x5a; code++) table[code] = HAS_UPPER_ASCII;
  for (let code = 0x61; code <= 0x7a; code++) table[code] = HAS_LOWER_ASCII;
  table[0x40] = HAS_AT;
  table[0x3a] = HAS_COLON;
  table[0x20] = HAS_SPACE;
  table[0x2e] = HAS_DOT;
  table[0x2d] = HAS_HYPHEN;
  table[0x5f] = HAS_UNDERSCORE;
  table[0x3d] = HAS_EQUALS;
  table[0x2c] = HAS_COMMA;
  table[0x2f] = HAS_SLASH;
  table[0x7e] = HAS_TILDE;
  return table;
}

/** Bit of a digit-run length in `TextProfile.groupLengths`: bit n for n digits, bit 31 for 31 or more. */
export function groupLengthBit(length: number): number {
  return 1 << (length < 31 ? length : 31);
}

/**
 * Texts longer than this are not read: their profile says "anything may be there" (a long text
 * opens nearly every gate anyway, and reading it would cost more than the gates save).
 */
const PROFILED_LENGTH = 256;
const ALL_FLAGS = 0x1ffff;
const ALL_GROUP_LENGTHS = -1;

/**
 * What one pass over a text found: the facts detector gates are written against. Built once per
 * string by the scanner (or per text by a detector called on its own). Exact up to PROFILED_LENGTH
 * units; beyond, every flag is set and every count is the text's length (bounds that open every
 * gate), and detectors reading the profile must treat it so.
 */
export class TextProfile {
  readonly text: string;
  /** HAS_* bits of the characters present. */
  readonly flags: number;
  /** ASCII digits in the text. */
  readonly digits: number;
  /** Upper-case letters (ASCII or not, as `letterCase` sees them). */
  readonly capitals: number;
  /** ASCII capitals. */
  readonly asciiCapitals: number;
  /** Bit set of the lengths of the maximal runs of ASCII digits (see `groupLengthBit`). */
  readonly groupLengths: number;
  /** The most digits in one token of the text's digit runs (`digit-runs.ts`). */
  readonly maxTokenDigits: number;
  /** The most digit groups in one token. */
  readonly maxTokenGroups: number;

  constructor(text: string) {
    this.text = text;
    if (text.length > PROFILED_LENGTH) {
      // a long text holds nearly everything: every gate opens, and the pass is spared
      this.flags = ALL_FLAGS;
      this.digits = text.length;
      this.capitals = text.length;
      this.asciiCapitals = text.length;
      this.groupLengths = ALL_GROUP_LENGTHS;
      this.maxTokenDigits = text.length;
      this.maxTokenGroups = text.length;
      return;
    }
    let flags = 0;
    let digits = 0;
    let capitals = 0;
    let asciiCapitals = 0;
    let groupLengths = 0;
    let run = 0;
    const length = text.length;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code < 0x80) {
        const bits = ASCII_FLAGS[code] as number;
        if (bits === HAS_DIGIT) {
          if (run === 0 && index > 0 && isUpperAscii(text.charCodeAt(index - 1))) flags |= HAS_CAPITAL_DIGIT;
          run++;
          continue;
        }
        flags |= bits;
        if (bits === HAS_UPPER_ASCII) asciiCapitals++;
      } else {
        flags |= HAS_NON_ASCII;
        if (code === 0xa0) flags |= HAS_SPACE;
        else if (code >= 0x300 && code <= 0x36f) flags |= HAS_COMBINING;
        else {
          const letter = letterCase(code);
          if (letter === UPPER) {
            capitals++;
            flags |= HAS_LETTER_NON_ASCII;
          } else if (letter === LOWER) flags |= HAS_LETTER_NON_ASCII;
        }
      }
      if (run !== 0) {
        // the digit runs are recorded as they are met (digitRuns finds them memoized)
        if (digits === 0) startRuns(text);
        addRun(index - run, index);
        digits += run;
        groupLengths |= groupLengthBit(run);
        run = 0;
      }
    }
    if (run !== 0) {
      if (digits === 0) startRuns(text);
      addRun(length - run, length);
      digits += run;
      groupLengths |= groupLengthBit(run);
    }
    let maxTokenDigits = 0;
    let maxTokenGroups = 0;
    if (digits > 0) {
      flags |= HAS_DIGIT;
      const runs = finishRuns(true);
      maxTokenDigits = runs.maxTokenDigits;
      maxTokenGroups = runs.maxTokenGroups;
    }
    this.flags = flags;
    this.digits = digits;
    this.capitals = capitals + asciiCapitals;
    this.asciiCapitals = asciiCapitals;
    this.groupLengths = groupLengths;
    this.maxTokenDigits = maxTokenDigits;
    this.maxTokenGroups = maxTokenGroups;
  }
}

function isUpperAscii(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

let lastProfile: TextProfile | undefined;

/** Drops the profile memoized for the last text (see forgetScannedText). */
export function forgetTextProfile(): void {
  lastProfile = undefined;
}

/**
 * The profile of `text`, memoized for the last text: a detector called on its own (outside the
 * scanner) builds it once for the detectors that follow it on the same string.
 */
export function profileOf(text: string): TextProfile {
  if (lastProfile?.text !== text) lastProfile = new TextProfile(text);
  return lastProfile;
}

/**
 * What a text must hold for a detector to report anything in it. Every field is a necessary
 * condition derived from the detector's patterns (shortest match, characters every match holds);
 * 0 means "no condition".
 */
export interface DetectorGate {
  /** Shortest text a finding can come from. */
  readonly minLength: number;
  /** HAS_* bits that must all be present. */
  readonly all: number;
  /** HAS_* bits of which one must be present (0: none needed). */
  readonly any: number;
  /** Fewest digits in one token (`digit-runs.ts`): what a number-shaped detector reads. */
  readonly minTokenDigits: number;
  /** Fewest digit groups in one token. */
  readonly minTokenGroups: number;
  /** Digit-run lengths of which one must occur (`groupLengthBit`s; 0: none needed). */
  readonly groupLengths: number;
  /** Fewest upper-case letters (`TextProfile.capitals`). */
  readonly minCapitals: number;
  /** Fewest ASCII capitals. */
  readonly minAsciiCapitals: number;
}

const OPEN_GATE: DetectorGate = {
  minLength: 1,
  all: 0,
  any: 0,
  minTokenDigits: 0,
  minTokenGroups: 0,
  groupLengths: 0,
  minCapitals: 0,
  minAsciiCapitals: 0,
};

/**
 * A gate with the given conditions (the others open), plus the flags they imply (digits need
 * HAS_DIGIT, capitals an upper-case letter), so the scanner can sort detectors by flags alone first.
 */
export function gate(conditions: Partial<DetectorGate>): DetectorGate {
  const result = { ...OPEN_GATE, ...conditions };
  let all = result.all;
  if (result.minTokenDigits > 0 || result.minTokenGroups > 0 || result.groupLengths !== 0) all |= HAS_DIGIT;
  if (result.minAsciiCapitals > 0) all |= HAS_UPPER_ASCII;
  let any = result.any;
  if (result.minCapitals > 0 && any === 0) any = HAS_UPPER_ASCII | HAS_LETTER_NON_ASCII;
  return { ...result, all, any };
}

/** Whether a text with these HAS_* flags passes the flag conditions of `gate` (the others aside). */
export function admitsFlags(gate: DetectorGate, flags: number): boolean {
  return (flags & gate.all) === gate.all && (gate.any === 0 || (flags & gate.any) !== 0);
}

/** Whether a detector behind `gate` can find anything in the profiled text. */
export function admits(gate: DetectorGate, profile: TextProfile): boolean {
  return (
    profile.text.length >= gate.minLength &&
    (profile.flags & gate.all) === gate.all &&
    (gate.any === 0 || (profile.flags & gate.any) !== 0) &&
    profile.maxTokenDigits >= gate.minTokenDigits &&
    profile.maxTokenGroups >= gate.minTokenGroups &&
    (gate.groupLengths === 0 || (profile.groupLengths & gate.groupLengths) !== 0) &&
    profile.capitals >= gate.minCapitals &&
    profile.asciiCapitals >= gate.minAsciiCapitals
  );
}

/**
 * The scanner's fast path into a built-in detector: its gate, and a body that appends its findings
 * to `found` (instead of returning a new list) and reads the shared profile.
 */
export interface ProfiledScan {
  readonly gate: DetectorGate;
  scan(profile: TextProfile, budget: ScanBudget, found: Finding[]): void;
}

/** Fast paths by detector object, with the `detect` function they stand for. */
const PROFILED = new WeakMap<Detector, { detect: Detector['detect']; profiled: ProfiledScan }>();

/**
 * Builds a built-in detector from its gate and body: `detect` (the public contract) profiles the
 * text and runs the body; the scanner uses the same body through `profiledScanOf`.
 */
export function profiledDetector(
  properties: Pick<Detector, 'name' | 'category' | 'types'>,
  profiled: ProfiledScan,
): Detector {
  const detect = (text: string, budget: ScanBudget): Finding[] => {
    const found: Finding[] = [];
    if (text.length === 0) return found;
    const profile = profileOf(text);
    if (admits(profiled.gate, profile)) profiled.scan(profile, budget, found);
    return found;
  };
  const result: Detector = {
    name: properties.name,
    category: properties.category,
    types: properties.types,
    detect,
  };
  PROFILED.set(result, { detect, profiled });
  return result;
}

/**
 * The fast path of a built-in detector, or undefined for any other detector (and for a copy of a
 * built-in one whose `detect` was replaced, so a wrapper's own `detect` is always honoured).
 */
export function profiledScanOf(detector: Detector): ProfiledScan | undefined {
  const entry = PROFILED.get(detector);
  return entry !== undefined && entry.detect === detector.detect ? entry.profiled : undefined;
}

/** A PII detector's body: reports what it finds in `text` through `emit`; `profile` is the text's profile. */
export type Detect = (text: string, budget: ScanBudget, emit: Emit, profile: TextProfile) => void;
/** Records one finding of the detector's type. */
export type Emit = (start: number, end: number, confidence: number, type?: FindingType) => void;

const NO_FINDINGS: Finding[] = [];

/**
 * Wraps a PII detect function into a Detector behind `gate`: findings outside the text or empty
 * are dropped, confidences are rounded to two decimals.
 */
export function detector(
  name: string,
  types: readonly FindingType[],
  gate: DetectorGate,
  detect: Detect,
): Detector {
  const defaultType = types[0] ?? 'email';
  // Where emit writes: set for the duration of one scan (detectors are synchronous), so no closure
  // is built per call.
  let sink = NO_FINDINGS;
  let length = 0;
  const emit: Emit = (start, end, confidence, type = defaultType) => {
    if (end <= start || start < 0 || end > length) return;
    const rounded = Math.round(Math.min(1, Math.max(0, confidence)) * 100) / 100;
    sink.push({ type, start, end, confidence: rounded, detector: name });
  };
  return profiledDetector(
    { name, category: 'pii', types },
    {
      gate,
      scan(profile, budget, found) {
        const outerSink = sink;
        const outerLength = length;
        sink = found;
        length = profile.text.length;
        try {
          detect(profile.text, budget, emit, profile);
        } finally {
          sink = outerSink;
          length = outerLength;
        }
      },
    },
  );
}
