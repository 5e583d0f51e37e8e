/**
 * The scanner: walks a JSON value (or one text) and feeds every string to the detectors and the
 * injection scorer, within hard limits on depth, size, string count and time. It fails closed:
 * a limit reached, a budget spent or a detector that throws refuses the content with
 * WARDEN_INSPECTION_FAILED instead of letting it through unchecked. When a scan ends, what the
 * detectors memoized about its texts is forgotten (forget.ts).
 */
import { performance } from 'node:perf_hooks';
import { WardenError } from '../core/index.js';
import { TextProfile, admits, admitsFlags, profiledScanOf } from './detectors/text-profile.js';
import { forgetScannedText } from './forget.js';
import type { ProfiledScan } from './detectors/text-profile.js';
import { DEFAULT_SCAN_LIMITS, FINDING_TYPES } from './types.js';
import type {
  Detector,
  Finding,
  FindingCategory,
  FindingType,
  InjectionScorer,
  LocatedFinding,
  ScanBudget,
  ScanLimits,
  ScanOptions,
  ScanResult,
} from './types.js';

/** Options of one scan: the contract's ScanOptions plus finding types to drop before overlaps are resolved. */
export interface ScannerOptions extends ScanOptions {
  /**
   * Types never reported (config `inspection.ignore`). They are dropped before overlapping
   * findings are resolved, so an ignored finding never hides a reported one.
   */
  ignoreTypes?: readonly FindingType[];
}

const ALL_CATEGORIES: readonly FindingCategory[] = ['pii', 'secret', 'injection'];
const DEFAULT_MIN_CONFIDENCE = 0.5;
/** The walk looks at the clock once per this many nodes. */
const CLOCK_EVERY_NODES = 256;
/**
 * Strings at least this long look at the clock after every detector; shorter ones once this many
 * UTF-16 units (plus STRING_CLOCK_WEIGHT per string) have been scanned since the last look, which
 * bounds the overrun to a few microseconds while sparing a clock read per detector per short string.
 */
const CLOCK_EVERY_UNITS = 1024;
const STRING_CLOCK_WEIGHT = 32;
/** Overlap resolution looks at the clock once per this many findings. */
const CLOCK_EVERY_FINDINGS = 1024;
/** Base64 as MCP image, audio and blob fields carry it (standard or URL alphabet, optional line breaks). */
const BASE64_TEXT = /^[A-Za-z0-9+/_\-=\r\n]*$/;
/** Shorter "binary" fields are scanned anyway: a token or an id also matches the base64 alphabet. */
const MIN_BINARY_LENGTH = 256;

/** Where a string sits in the value: a linked list of keys, turned into a JSON pointer only when needed. */
interface PathNode {
  readonly parent: PathNode | null;
  readonly key: string | number;
}

/** A detector with its fast path when it is a built-in one (see `detectors/text-profile.ts`). */
interface DetectorEntry {
  readonly detector: Detector;
  readonly profiled: ProfiledScan | undefined;
}

/** The detectors of one set of categories, and which of them a text with given HAS_* flags may need. */
interface DetectorSet {
  readonly entries: readonly DetectorEntry[];
  /** Whether some detector reads a text profile (built once per string). */
  readonly profiles: boolean;
  /** Entries whose gate the flags leave open (and every detector without a gate), by profile flags. */
  readonly byFlags: Map<number, readonly DetectorEntry[]>;
}

/** Distinct flag combinations remembered per detector set (real text shows a few dozen). */
const MAX_FLAG_COMBINATIONS = 4096;

/** What one scan works with; built once per call. */
interface ScanState {
  readonly limits: ScanLimits;
  readonly budget: ScanBudget;
  readonly detectors: DetectorSet;
  /** Scratch list the fast paths append to, emptied before each one. */
  readonly scratch: Finding[];
  /** UTF-16 units (and string weights) scanned since the clock was last read. */
  unclocked: number;
  readonly scorer: InjectionScorer | undefined;
  readonly kind: 'prompt' | 'tool_output';
  readonly minConfidence: number;
  readonly ignore: ReadonlySet<FindingType> | undefined;
  readonly findings: LocatedFinding[];
  strings: number;
  length: number;
  injectionScore: number;
}

/** A backslash escape as JSON (and most languages) write it: `\uXXXX`, or a backslash and one character. */
const ESCAPE_SEQUENCE = /\\(?:u[0-9A-Fa-f]{4}|[\s\S])/g;

function blank(escape: string): string {
  return ' '.repeat(escape.length);
}

/**
 * Runs detectors over text and JSON values. One instance is shared by every call; it holds no
 * per-scan state.
 *
 * @example
 * const scanner = new Scanner(defaultDetectors(), createInjectionScorer());
 * const { findings, injectionScore } = scanner.scanValue(result, { kind: 'tool_output' });
 */
export class Scanner {
  readonly #detectors: readonly Detector[];
  readonly #entries: readonly DetectorEntry[];
  readonly #scorer: InjectionScorer | undefined;
  /** Detector sets by category bits (pii 1, secret 2, injection 4). */
  readonly #sets = new Map<number, DetectorSet>();

  constructor(detectors: readonly Detector[], scorer?: InjectionScorer) {
    this.#detectors = [...detectors];
    this.#entries = this.#detectors.map((detector) => ({ detector, profiled: profiledScanOf(detector) }));
    this.#scorer = scorer;
  }

  /** The detectors this scanner runs (for listings and benchmarks). */
  get detectors(): readonly Detector[] {
    return this.#detectors;
  }

  /** True when an injection scorer is configured. */
  get scoresInjection(): boolean {
    return this.#scorer !== undefined;
  }

  /**
   * Scans one text; findings have path `''`. Throws WARDEN_INSPECTION_FAILED (fail closed) when a
   * limit is reached, the time budget is spent or a detector fails.
   */
  scanText(text: string, options: ScannerOptions = {}): ScanResult {
    const started = performance.now();
    const state = this.#start(started, options);
    try {
      this.#scanString(state, text, null);
      checkDeadline(state);
      return finish(state, started);
    } finally {
      forgetScannedText();
    }
  }

  /**
   * Scans every string value inside `value` (objects, arrays, MCP content blocks). Object keys and
   * non-string leaves are not scanned; base64 `data` of image/audio blocks and `blob` of resources
   * are skipped. Each finding's `path` is the JSON pointer of its string. Throws
   * WARDEN_INSPECTION_FAILED (fail closed) when a limit is reached, the time budget is spent or a
   * detector fails.
   */
  scanValue(value: unknown, options: ScannerOptions = {}): ScanResult {
    try {
      return this.#scanValue(value, options);
    } finally {
      forgetScannedText();
    }
  }

  #scanValue(value: unknown, options: ScannerOptions): ScanResult {
    const started = performance.now();
    const state = this.#start(started, options);
    const { maxDepth } = state.limits;
    // Iterative walk with an explicit stack, so no nesting can overflow the call stack; children are
    // pushed in reverse so strings are visited (and findings reported) in document order.
    const stack: { value: unknown; path: PathNode | null; depth: number }[] = [
      { value, path: null, depth: 0 },
    ];
    let nodes = 0;
    for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
      if (++nodes % CLOCK_EVERY_NODES === 0) checkDeadline(state);
      const current = frame.value;
      if (typeof current === 'string') {
        this.#scanString(state, current, frame.path);
        continue;
      }
      if (typeof current !== 'object' || current === null) continue;
      const depth = frame.depth + 1;
      if (depth > maxDepth) {
        throw inspectionFailed(
          'maxDepth',
          `the content is nested deeper than ${maxDepth} levels (inspection.limits.maxDepth); flatten it, or raise the limit in warden.yaml if such content is expected`,
        );
      }
      if (Array.isArray(current)) {
        for (let index = current.length - 1; index >= 0; index--) {
          stack.push({ value: current[index], path: { parent: frame.path, key: index }, depth });
        }
        continue;
      }
      const record = current as Record<string, unknown>;
      // Only what a tool returns may skip base64 fields: what an agent sends is always scanned.
      const skipped = state.kind === 'tool_output' ? skippedBinaryKey(record) : undefined;
      const keys = Object.keys(record);
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index] as string;
        if (key === skipped) continue;
        stack.push({ value: record[key], path: { parent: frame.path, key }, depth });
      }
    }
    checkDeadline(state);
    return finish(state, started);
  }

  #start(started: number, options: ScannerOptions): ScanState {
    const limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS, ...options.limits };
    const categories = options.categories ?? ALL_CATEGORIES;
    return {
      limits,
      budget: { deadline: started + limits.timeBudgetMs },
      detectors: this.#detectorSet(categories),
      scratch: [],
      unclocked: 0,
      scorer: categories.includes('injection') ? this.#scorer : undefined,
      kind: options.kind ?? 'tool_output',
      minConfidence: options.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
      ignore:
        options.ignoreTypes !== undefined && options.ignoreTypes.length > 0
          ? new Set(options.ignoreTypes)
          : undefined,
      findings: [],
      strings: 0,
      length: 0,
      injectionScore: 0,
    };
  }

  #detectorSet(categories: readonly FindingCategory[]): DetectorSet {
    let bits = 0;
    for (let index = 0; index < ALL_CATEGORIES.length; index++) {
      if (categories.includes(ALL_CATEGORIES[index] as FindingCategory)) bits |= 1 << index;
    }
    let set = this.#sets.get(bits);
    if (set === undefined) {
      const entries = this.#entries.filter((entry) => categories.includes(entry.detector.category));
      set = {
        entries,
        profiles: entries.some((entry) => entry.profiled !== undefined),
        byFlags: new Map(),
      };
      this.#sets.set(bits, set);
    }
    return set;
  }

  #scanString(state: ScanState, text: string, path: PathNode | null): void {
    const { limits } = state;
    if (text.length > limits.maxStringLength) {
      throw inspectionFailed(
        'maxStringLength',
        `one string is ${text.length} characters long, over the limit of ${limits.maxStringLength} (inspection.limits.maxStringLength); send smaller content, or raise the limit in warden.yaml if such content is expected`,
      );
    }
    state.length += text.length;
    if (state.length > limits.maxTotalLength) {
      throw inspectionFailed(
        'maxTotalLength',
        `the strings of the content add up to more than ${limits.maxTotalLength} characters (inspection.limits.maxTotalLength); send smaller content, or raise the limit in warden.yaml if such content is expected`,
      );
    }
    if (++state.strings > limits.maxStrings) {
      throw inspectionFailed(
        'maxStrings',
        `the content holds more than ${limits.maxStrings} strings (the scanner's maxStrings limit); send it in smaller parts`,
      );
    }
    if (text.length === 0) return;

    let data: Finding[] | undefined;
    let injection: Finding[] | undefined;
    // Tools often return JSON as text: an escape such as `\n` must not glue its letter to the value
    // after it (`\nlan@example.com`). Detectors see escapes as spaces of the same length, so every
    // offset still points into `text` and a mask never cuts an escape in half.
    const view = text.includes('\\') ? text.replace(ESCAPE_SEQUENCE, blank) : text;
    const set = state.detectors;
    let entries = set.entries;
    let profile: TextProfile | undefined;
    if (set.profiles) {
      profile = new TextProfile(view);
      entries = entriesFor(set, profile.flags);
    }
    const clockEachDetector = text.length >= CLOCK_EVERY_UNITS;
    for (let index = 0; index < entries.length; index++) {
      const { detector, profiled } = entries[index] as DetectorEntry;
      let found: Finding[];
      if (profiled !== undefined && profile !== undefined) {
        // a built-in detector: skipped when the text cannot hold what it looks for
        if (!admits(profiled.gate, profile)) continue;
        found = state.scratch;
        if (found.length !== 0) found.length = 0;
        try {
          profiled.scan(profile, state.budget, found);
        } catch {
          throw detectorFailed(`the ${detector.name} detector`, detector.name, 'threw an error');
        }
        if (clockEachDetector) checkDeadline(state);
      } else {
        try {
          found = detector.detect(view, state.budget);
        } catch {
          // The detector's error may quote the text it choked on: keep it out of the error.
          throw detectorFailed(`the ${detector.name} detector`, detector.name, 'threw an error');
        }
        // a detector of unknown cost: the clock after each call
        checkDeadline(state);
        if (!Array.isArray(found))
          throw detectorFailed(
            `the ${detector.name} detector`,
            detector.name,
            'returned something other than a list',
          );
      }
      for (let position = 0; position < found.length; position++) {
        const finding = found[position] as Finding;
        if (!isValidFinding(finding, text.length))
          throw detectorFailed(
            `the ${detector.name} detector`,
            detector.name,
            'returned a malformed finding',
          );
        if (!this.#keeps(state, finding)) continue;
        if (FINDING_TYPES[finding.type].category === 'injection') (injection ??= []).push(finding);
        else (data ??= []).push(finding);
      }
    }
    state.unclocked += text.length + STRING_CLOCK_WEIGHT;
    if (state.unclocked >= CLOCK_EVERY_UNITS) {
      state.unclocked = 0;
      checkDeadline(state);
    }
    if (state.scorer !== undefined) {
      let scored: { score: number; findings: Finding[] };
      try {
        scored = state.scorer.score(text, state.kind, state.budget);
      } catch {
        throw detectorFailed('the injection scorer', 'injection', 'threw an error');
      }
      checkDeadline(state);
      // A score that is not a number in 0..1 would compare false against any threshold: refuse it.
      if (!(scored.score >= 0 && scored.score <= 1) || !Array.isArray(scored.findings)) {
        throw detectorFailed('the injection scorer', 'injection', 'returned a malformed score');
      }
      if (scored.score > state.injectionScore) state.injectionScore = scored.score;
      for (const finding of scored.findings) {
        if (!isValidFinding(finding, text.length))
          throw detectorFailed('the injection scorer', 'injection', 'returned a malformed finding');
        if (this.#keeps(state, finding)) (injection ??= []).push(finding);
      }
    }
    if (data === undefined && injection === undefined) return;
    const pointer = jsonPointer(path);
    // Data findings and injection spans are resolved apart: a suspicious link must not hide the
    // secret inside it from masking, nor the secret hide the link from the injection report.
    let kept: Finding[];
    if (injection === undefined) kept = resolveOverlaps(data as Finding[], state);
    else if (data === undefined) kept = resolveOverlaps(injection, state);
    else {
      kept = [...resolveOverlaps(data, state), ...resolveOverlaps(injection, state)];
      kept.sort((a, b) => a.start - b.start || a.end - b.end);
    }
    for (const finding of kept) {
      state.findings.push({
        type: finding.type,
        start: finding.start,
        end: finding.end,
        confidence: finding.confidence,
        detector: finding.detector,
        path: pointer,
      });
    }
  }

  #keeps(state: ScanState, finding: Finding): boolean {
    return finding.confidence >= state.minConfidence && state.ignore?.has(finding.type) !== true;
  }
}

/** The entries of `set` a text with these HAS_* flags may need, in detector order. */
function entriesFor(set: DetectorSet, flags: number): readonly DetectorEntry[] {
  let entries = set.byFlags.get(flags);
  if (entries === undefined) {
    entries = set.entries.filter(
      (entry) => entry.profiled === undefined || admitsFlags(entry.profiled.gate, flags),
    );
    if (set.byFlags.size < MAX_FLAG_COMBINATIONS) set.byFlags.set(flags, entries);
  }
  return entries;
}

/**
 * Of findings that overlap, keeps the one with the highest confidence (then the longer, then the
 * earlier); identical findings from two detectors collapse into one. Works cluster by cluster of
 * overlapping spans, so disjoint findings cost only the sort.
 */
function resolveOverlaps(findings: Finding[], state: ScanState): Finding[] {
  if (findings.length === 1) return findings;
  const byStart = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Finding[] = [];
  let cluster: Finding[] = [];
  let clusterEnd = -1;
  for (let index = 0; index < byStart.length; index++) {
    if (index % CLOCK_EVERY_FINDINGS === CLOCK_EVERY_FINDINGS - 1) checkDeadline(state);
    const finding = byStart[index] as Finding;
    if (finding.start >= clusterEnd && cluster.length > 0) {
      pickFromCluster(cluster, kept, state);
      cluster = [];
    }
    cluster.push(finding);
    clusterEnd = Math.max(clusterEnd, finding.end);
  }
  pickFromCluster(cluster, kept, state);
  return kept;
}

/** Greedy by confidence within one cluster of overlapping findings; appends the chosen ones, in start order. */
function pickFromCluster(cluster: Finding[], kept: Finding[], state: ScanState): void {
  if (cluster.length === 1) {
    kept.push(cluster[0] as Finding);
    return;
  }
  const ranked = [...cluster].sort(
    (a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  // Chosen spans, disjoint and sorted by start (so their ends are sorted too).
  const chosen: Finding[] = [];
  for (let index = 0; index < ranked.length; index++) {
    if (index % CLOCK_EVERY_FINDINGS === CLOCK_EVERY_FINDINGS - 1) checkDeadline(state);
    const finding = ranked[index] as Finding;
    let low = 0;
    let high = chosen.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((chosen[middle] as Finding).end <= finding.start) low = middle + 1;
      else high = middle;
    }
    const next = chosen[low];
    if (next !== undefined && next.start < finding.end) continue;
    chosen.splice(low, 0, finding);
  }
  for (const finding of chosen) kept.push(finding);
}

/** A finding a detector may return: a known type, a span inside the text, a confidence in 0..1. */
function isValidFinding(finding: Finding, length: number): boolean {
  return (
    typeof finding === 'object' &&
    finding !== null &&
    Object.hasOwn(FINDING_TYPES, finding.type) &&
    Number.isInteger(finding.start) &&
    Number.isInteger(finding.end) &&
    finding.start >= 0 &&
    finding.start < finding.end &&
    finding.end <= length &&
    finding.confidence >= 0 &&
    finding.confidence <= 1 &&
    typeof finding.detector === 'string'
  );
}

/**
 * The key of an MCP image/audio block's base64 `data`, or of a resource's base64 `blob`, to skip;
 * a field that is not base64 text is scanned like any other.
 */
function skippedBinaryKey(record: Record<string, unknown>): 'data' | 'blob' | undefined {
  const { type, data, blob, uri } = record;
  if (
    (type === 'image' || type === 'audio') &&
    typeof data === 'string' &&
    data.length >= MIN_BINARY_LENGTH &&
    BASE64_TEXT.test(data)
  )
    return 'data';
  if (
    typeof blob === 'string' &&
    typeof uri === 'string' &&
    blob.length >= MIN_BINARY_LENGTH &&
    BASE64_TEXT.test(blob)
  )
    return 'blob';
  return undefined;
}

/** RFC 6901 JSON pointer of a path (`~` → `~0`, `/` → `~1`). */
function jsonPointer(path: PathNode | null): string {
  const keys: string[] = [];
  for (let node = path; node !== null; node = node.parent) {
    const key = node.key;
    keys.push(
      typeof key === 'number'
        ? String(key)
        : key.includes('~') || key.includes('/')
          ? key.replaceAll('~', '~0').replaceAll('/', '~1')
          : key,
    );
  }
  return keys.length === 0 ? '' : `/${keys.reverse().join('/')}`;
}

function finish(state: ScanState, started: number): ScanResult {
  return {
    findings: state.findings,
    injectionScore: state.injectionScore,
    strings: state.strings,
    length: state.length,
    durationMs: performance.now() - started,
  };
}

function checkDeadline(state: ScanState): void {
  if (performance.now() > state.budget.deadline) {
    throw inspectionFailed(
      'timeBudgetMs',
      `scanning took longer than its time budget of ${state.limits.timeBudgetMs} ms (inspection.limits.timeBudget); send smaller content, or raise the budget in warden.yaml if such content is expected`,
    );
  }
}

function inspectionFailed(limit: keyof ScanLimits, reason: string): WardenError {
  return new WardenError(
    'WARDEN_INSPECTION_FAILED',
    `Content inspection stopped and the call was refused, to fail closed rather than pass content unchecked: ${reason}.`,
    { limit },
  );
}

function detectorFailed(label: string, detector: string, what: string): WardenError {
  return new WardenError(
    'WARDEN_INSPECTION_FAILED',
    `Content inspection stopped and the call was refused, to fail closed rather than pass content unchecked: ${label} ${what}. This is a bug in the detector; report it with its name (${detector}).`,
    { detector },
  );
}
