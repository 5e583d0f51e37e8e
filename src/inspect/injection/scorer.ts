/**
 * The injection score: the classifier's logit and the strongest rule finding of each type, combined
 * by a small logistic calibration fitted by the training script. One function computes the inputs
 * for both the runtime and the training script, so the calibration is fitted on exactly what it
 * later sees.
 */
import type { Finding, ScanBudget } from '../types.js';
import { RULE_TYPES, classifierLogitFolded, sigmoid } from './classifier.js';
import { foldText } from './fold.js';
import type { Calibration, LoadedInjectionModel, RuleType } from './classifier.js';
import { REQUEST_LINE_DETECTOR, detectInjectionRules } from './rules.js';

/** What the calibration weighs for one text. */
export interface CalibrationInputs {
  /** The classifier's highest window logit. */
  logit: number;
  /** How many windows the classifier scored. */
  windows: number;
  /** Highest confidence of each rule type (0 when the type was not found), request lines apart. */
  rules: Record<RuleType, number>;
  /** 1 when the text holds a request on a line of its own, else 0. */
  requestLine: number;
}

/** Runs the rules and the classifier over `text`: the calibration inputs and the rule findings. */
export function injectionInputs(
  model: LoadedInjectionModel,
  text: string,
  budget: ScanBudget,
): { inputs: CalibrationInputs; findings: Finding[] } {
  const folded = foldText(text);
  const findings = detectInjectionRules(text, budget, folded);
  const rules = {} as Record<RuleType, number>;
  for (const type of RULE_TYPES) rules[type] = 0;
  let requestLine = 0;
  for (const finding of findings) {
    if (finding.detector === REQUEST_LINE_DETECTOR) {
      requestLine = 1;
      continue;
    }
    const type = finding.type as RuleType;
    if (finding.confidence > rules[type]) rules[type] = finding.confidence;
  }
  const { logit, windows } = classifierLogitFolded(model.classifier, folded.text, budget.deadline);
  return { inputs: { logit, windows, rules, requestLine }, findings };
}

/**
 * The calibrated probability for these inputs (see Calibration): the logistic fit, raised to at
 * least the confidence of a decisive rule finding. A non-finite result counts as an injection (fail closed).
 */
export function calibratedScore(
  calibration: Calibration,
  kind: 'prompt' | 'tool_output',
  inputs: CalibrationInputs,
): number {
  let value =
    calibration.bias[kind] +
    calibration.classifier[kind] * inputs.logit +
    calibration.windows[kind] * Math.log2(inputs.windows);
  for (const type of RULE_TYPES) value += calibration.rules[type] * inputs.rules[type];
  if (kind === 'tool_output') value += calibration.requestLine * inputs.requestLine;
  let decisive = 0;
  for (const type of RULE_TYPES) {
    const confidence = inputs.rules[type];
    if (confidence >= calibration.decisive && confidence > decisive) decisive = confidence;
  }
  const score = 1 - (1 - sigmoid(value)) * (1 - decisive);
  return Number.isFinite(score) ? score : 1;
}

/** Scores one text with a loaded model: the calibrated probability and the rule findings. */
export function scoreInjection(
  model: LoadedInjectionModel,
  text: string,
  kind: 'prompt' | 'tool_output',
  budget: ScanBudget,
): { score: number; findings: Finding[] } {
  const { inputs, findings } = injectionInputs(model, text, budget);
  return { score: calibratedScore(model.calibration, kind, inputs), findings };
}
