/**
 * The injection classifier: logistic regression over hashed n-gram features (features.ts), trained
 * offline by `scripts/train-injection.ts` and shipped as `models/injection.json`. A long text is
 * scored window by window and the highest window wins, so an instruction planted in the middle of a
 * long tool output is not diluted by the data around it.
 */
import { readFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import { BUCKETS, FEATURE_SETTINGS, FeatureBlocks, normalizeForFeatures } from './features.js';
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
 * `sigmoid(bias[kind] + classifier * logit + Σ rules[type] * max confidence of that type)`.
 */
export interface Calibration {
  bias: { prompt: number; tool_output: number };
  classifier: number;
  rules: Record<RuleType, number>;
}

/** What `models/injection.json` holds. Weights are sparse: bucket indexes delta-encoded, weights rounded. */
export interface InjectionModelFile {
  format: 'warden-injection-model';
  version: 1;
  features: FeatureSettings;
  classifier: {
    bias: number;
    /** Bucket indexes in increasing order, each stored as the difference to the one before. */
    indexDeltas: number[];
    weights: number[];
  };
  calibration: Calibration;
  /** Provenance and held-back metrics written by the training script; not read at runtime. */
  training: Record<string, unknown>;
}

/** A loaded classifier: dense weights for fast lookups. */
export interface ClassifierModel {
  bias: number;
  weights: Float32Array;
}

/** A loaded model file: the classifier and its calibration. */
export interface LoadedInjectionModel {
  classifier: ClassifierModel;
  calibration: Calibration;
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
  const classifier = raw.classifier;
  if (
    !isRecord(classifier) ||
    !isFiniteNumber(classifier.bias) ||
    !Array.isArray(classifier.indexDeltas) ||
    !Array.isArray(classifier.weights) ||
    classifier.indexDeltas.length !== classifier.weights.length
  ) {
    throw modelError('has a malformed classifier section');
  }
  const weights = new Float32Array(BUCKETS);
  let index = 0;
  for (let position = 0; position < classifier.weights.length; position++) {
    const delta: unknown = classifier.indexDeltas[position];
    const weight: unknown = classifier.weights[position];
    if (!Number.isInteger(delta) || !isFiniteNumber(weight)) throw modelError('has a malformed weight');
    index += delta as number;
    if (index < 0 || index >= BUCKETS) throw modelError('has a weight outside the hash buckets');
    weights[index] = weight;
  }
  return {
    classifier: { bias: classifier.bias, weights },
    calibration: parseCalibration(raw.calibration),
  };
}

function parseCalibration(raw: unknown): Calibration {
  if (!isRecord(raw) || !isRecord(raw.bias) || !isRecord(raw.rules) || !isFiniteNumber(raw.classifier)) {
    throw modelError('has a malformed calibration section');
  }
  const { prompt, tool_output: toolOutput } = raw.bias;
  if (!isFiniteNumber(prompt) || !isFiniteNumber(toolOutput)) throw modelError('has a malformed calibration bias');
  const rules = {} as Record<RuleType, number>;
  for (const type of RULE_TYPES) {
    const weight = raw.rules[type];
    if (!isFiniteNumber(weight)) throw modelError(`has no calibration weight for ${type}`);
    rules[type] = weight;
  }
  return { bias: { prompt, tool_output: toolOutput }, classifier: raw.classifier, rules };
}

/**
 * The classifier's logit for `text`: the highest over its windows (see featureWindows). Stops at
 * `deadline` (a `performance.now()` value) and returns the highest logit seen so far.
 */
export function classifierLogit(model: ClassifierModel, text: string, deadline = Infinity): number {
  const units = normalizeForFeatures(text);
  const blocks = new FeatureBlocks(units);
  const { weights, bias } = model;
  const buffer = blocks.buffer;
  const perWindow = FEATURE_SETTINGS.windowBlocks;
  const total = FeatureBlocks.blockCount(units.length);
  const sums = new Float64Array(perWindow);
  const counts = new Int32Array(perWindow);
  let best = -Infinity;
  let seen = 0;
  for (let count = blocks.nextBlock(); count >= 0; count = blocks.nextBlock()) {
    let sum = 0;
    for (let index = 0; index < count; index++) sum += weights[buffer[index] as number] as number;
    const slot = seen % perWindow;
    sums[slot] = sum;
    counts[slot] = count;
    seen++;
    if (seen >= perWindow || seen === total) {
      let windowSum = 0;
      let windowCount = 0;
      for (let slotIndex = 0; slotIndex < Math.min(seen, perWindow); slotIndex++) {
        windowSum += sums[slotIndex] as number;
        windowCount += counts[slotIndex] as number;
      }
      const logit = bias + (windowCount > 0 ? windowSum / Math.sqrt(windowCount) : 0);
      if (logit > best) best = logit;
    }
    if ((seen & 15) === 0 && performance.now() > deadline) break;
  }
  return best === -Infinity ? bias : best;
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
