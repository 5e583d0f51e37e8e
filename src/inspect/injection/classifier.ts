/**
 * The injection classifier: logistic regression over hashed n-gram features (features.ts), trained
 * offline by `scripts/train-injection.ts` and shipped as `models/injection.json`. A long text is
 * scored window by window and the highest window wins, so an instruction planted in the middle of a
 * long tool output is not diluted by the data around it.
 */
import { readFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import { BUCKETS, FEATURE_SETTINGS, textBlockSums } from './features.js';
import { foldText } from './fold.js';
import type { FeatureSettings } from './features.js';

/** Rule types the calibration weighs (the injection finding types). */
export const RULE_TYPES = [
  'injection_phrase',
  'hidden_text',
  'exfiltration_link',
  'tool_call_text',
  'encoded_payload',
] as const;

export type RuleType = (typeof RULE_TYPES)[number];

/**
 * Turns the classifier logit and the rule findings into one probability:
 * `sigmoid(bias[kind] + classifier[kind] * logit + windows[kind] * log2(windows)
 * + Σ rules[type] * max confidence of that type + requestLine * (tool output holds a request on
 * a line of its own) + requestLineLogit * (the classifier's logit of that line alone)
 * + requestLineUnrelated * (such a line shares no content word with the rest of the text)
 * + requestLineInTable * (such a line stands next to a table row))`. The windows term corrects for the maximum over many windows of a long
 * text running higher than over a few.
 */
export interface Calibration {
  bias: PerKind;
  classifier: PerKind;
  windows: PerKind;
  rules: Record<RuleType, number>;
  /** Weight of a request on a line of its own, in tool output only (in a prompt, a question is the normal case). */
  requestLine: number;
  /** Weight of the classifier's logit of that request line alone (tool output only; 0 without a request line). */
  requestLineLogit: number;
  /**
   * Weight of a request line that shares no content word with the rest of the text (tool output
   * only). Model files from before this input have none: 0, as they were fitted without it.
   */
  requestLineUnrelated: number;
  /**
   * Weight of a request line standing next to a table row without being one (tool output only).
   * Model files from before this input have none: 0.
   */
  requestLineInTable: number;
  /**
   * A rule finding at least this confident decides on its own: the score is then at least its
   * confidence (`1 - (1 - calibrated) * (1 - confidence)`). Findings this strong do not occur in
   * the benign development data, and the few examples of them could not teach the fit their weight.
   */
  decisive: number;
}

/** One number per kind of text. */
export interface PerKind {
  prompt: number;
  tool_output: number;
}

/** A classifier as the model file stores it: sparse, bucket indexes delta-encoded, weights rounded. */
export interface SparseClassifier {
  bias: number;
  /** Bucket indexes in increasing order, each stored as the difference to the one before. */
  indexDeltas: number[];
  weights: number[];
}

/** What `models/injection.json` holds. */
export interface InjectionModelFile {
  format: 'warden-injection-model';
  version: 1;
  features: FeatureSettings;
  /** The classifier of tool output (and of prompts when there is no promptClassifier). */
  classifier: SparseClassifier;
  /**
   * The classifier of prompts (what a user or an agent sends: model prompts, tool-call arguments),
   * trained on prompts (and tool outputs at a lower weight) apart from tool output's, so that what
   * it learns from generated prompts never moves a tool output's score.
   */
  promptClassifier?: SparseClassifier;
  calibration: Calibration;
  /** Provenance and held-back metrics written by the training script; not read at runtime. */
  training: Record<string, unknown>;
}

/** A loaded classifier: dense weights for fast lookups. */
export interface ClassifierModel {
  bias: number;
  weights: Float32Array;
}

/** A loaded model file: the classifiers and their calibration. */
export interface LoadedInjectionModel {
  /** Tool output's classifier (request lines are always scored with it). */
  classifier: ClassifierModel;
  /** Prompts' classifier: the file's promptClassifier, or `classifier` when the file has none. */
  promptClassifier: ClassifierModel;
  calibration: Calibration;
}

/** The classifier that scores texts of `kind`. */
export function classifierFor(model: LoadedInjectionModel, kind: 'prompt' | 'tool_output'): ClassifierModel {
  return kind === 'prompt' ? model.promptClassifier : model.classifier;
}

const MODEL_URL = new URL('../../../models/injection.json', import.meta.url);
let cached: LoadedInjectionModel | undefined;

/**
 * Reads `models/injection.json` once (synchronously; later calls return the same model). Throws
 * WARDEN_INTERNAL naming the file when it is missing or not a model for these feature settings.
 */
export function loadInjectionModel(): LoadedInjectionModel {
  if (cached !== undefined) return cached;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(MODEL_URL, 'utf8'));
  } catch (error) {
    throw modelError(`cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  cached = parseInjectionModel(raw);
  return cached;
}

/**
 * Checks and unpacks a parsed model file. Throws WARDEN_INTERNAL when the file is malformed or its
 * feature settings differ from the code's (the model must then be retrained).
 */
export function parseInjectionModel(raw: unknown): LoadedInjectionModel {
  if (!isRecord(raw) || raw.format !== 'warden-injection-model' || raw.version !== 1) {
    throw modelError('is not a Warden injection model (format/version)');
  }
  if (JSON.stringify(raw.features) !== JSON.stringify(FEATURE_SETTINGS)) {
    throw modelError('was trained with other feature settings than this code uses');
  }
  const classifier = parseClassifier(raw.classifier, 'classifier');
  return {
    classifier,
    promptClassifier:
      raw.promptClassifier === undefined
        ? classifier
        : parseClassifier(raw.promptClassifier, 'promptClassifier'),
    calibration: parseCalibration(raw.calibration),
  };
}

function parseClassifier(classifier: unknown, section: string): ClassifierModel {
  if (
    !isRecord(classifier) ||
    !isFiniteNumber(classifier.bias) ||
    !Array.isArray(classifier.indexDeltas) ||
    !Array.isArray(classifier.weights) ||
    classifier.indexDeltas.length !== classifier.weights.length
  ) {
    throw modelError(`has a malformed ${section} section`);
  }
  const weights = new Float32Array(BUCKETS);
  let index = 0;
  for (let position = 0; position < classifier.weights.length; position++) {
    const delta: unknown = classifier.indexDeltas[position];
    const weight: unknown = classifier.weights[position];
    if (!Number.isInteger(delta) || !isFiniteNumber(weight))
      throw modelError(`has a malformed weight in ${section}`);
    index += delta as number;
    if (index < 0 || index >= BUCKETS)
      throw modelError(`has a weight outside the hash buckets in ${section}`);
    weights[index] = weight;
  }
  return { bias: classifier.bias, weights };
}

function parseCalibration(raw: unknown): Calibration {
  if (
    !isRecord(raw) ||
    !isRecord(raw.rules) ||
    !isFiniteNumber(raw.requestLine) ||
    !isFiniteNumber(raw.requestLineLogit) ||
    (raw.requestLineUnrelated !== undefined && !isFiniteNumber(raw.requestLineUnrelated)) ||
    (raw.requestLineInTable !== undefined && !isFiniteNumber(raw.requestLineInTable))
  ) {
    throw modelError('has a malformed calibration section');
  }
  if (!isFiniteNumber(raw.decisive) || raw.decisive <= 0 || raw.decisive > 1) {
    throw modelError('has a malformed calibration decisive confidence');
  }
  const rules = {} as Record<RuleType, number>;
  for (const type of RULE_TYPES) {
    const weight = raw.rules[type];
    if (!isFiniteNumber(weight)) throw modelError(`has no calibration weight for ${type}`);
    rules[type] = weight;
  }
  return {
    bias: parsePerKind(raw.bias, 'bias'),
    classifier: parsePerKind(raw.classifier, 'classifier'),
    windows: parsePerKind(raw.windows, 'windows'),
    rules,
    requestLine: raw.requestLine,
    requestLineLogit: raw.requestLineLogit,
    requestLineUnrelated: raw.requestLineUnrelated ?? 0,
    requestLineInTable: raw.requestLineInTable ?? 0,
    decisive: raw.decisive,
  };
}

function parsePerKind(raw: unknown, name: string): PerKind {
  if (!isRecord(raw) || !isFiniteNumber(raw.prompt) || !isFiniteNumber(raw.tool_output)) {
    throw modelError(`has a malformed calibration ${name}`);
  }
  return { prompt: raw.prompt, tool_output: raw.tool_output };
}

/** The classifier's verdict on a text: the highest window logit, and over how many windows. */
export interface ClassifierResult {
  logit: number;
  windows: number;
}

/**
 * The classifier's logit for `text`: the highest over its windows (see featureWindows). Stops at
 * `deadline` (a `performance.now()` value) with the highest logit seen so far.
 */
export function classifierLogit(model: ClassifierModel, text: string, deadline = Infinity): ClassifierResult {
  return classifierLogitFolded(model, foldText(text).text, deadline);
}

/** classifierLogit of an already folded text (foldText(text).text), so the scorer folds once. */
export function classifierLogitFolded(
  model: ClassifierModel,
  folded: string,
  deadline = Infinity,
): ClassifierResult {
  const { sums, counts, blocks: done } = textBlockSums(folded, model.weights, deadline);
  const perWindow = FEATURE_SETTINGS.windowBlocks;
  // At most `perWindow` blocks: one window of all of them; else every run of neighbouring blocks.
  const last = done <= perWindow ? 0 : done - perWindow;
  const span = Math.min(done, perWindow);
  let best = -Infinity;
  for (let first = 0; first <= last; first++) {
    let windowSum = 0;
    let windowCount = 0;
    for (let block = first; block < first + span; block++) {
      windowSum += sums[block] as number;
      windowCount += counts[block] as number;
    }
    const logit = model.bias + (windowCount > 0 ? windowSum / Math.sqrt(windowCount) : 0);
    if (logit > best) best = logit;
  }
  return { logit: best === -Infinity ? model.bias : best, windows: last + 1 };
}

/** Logistic function, safe for large magnitudes. */
export function sigmoid(value: number): number {
  if (value >= 0) return 1 / (1 + Math.exp(-value));
  const exp = Math.exp(value);
  return exp / (1 + exp);
}

function modelError(problem: string): WardenError {
  return new WardenError(
    'WARDEN_INTERNAL',
    `The injection model file models/injection.json ${problem}. Reinstall Warden, or rebuild the model with \`node --import tsx scripts/train-injection.ts\`.`,
    { file: 'models/injection.json' },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
