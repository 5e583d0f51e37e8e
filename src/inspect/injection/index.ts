/**
 * Prompt-injection detection for user prompts and, above all, tool output: rules (override
 * phrasing, hidden text, exfiltration links, tool-call text, encoded payloads) and a hashed n-gram
 * classifier, combined into one calibrated score; plus the helpers that neutralize untrusted text.
 */
import type { InjectionScorer } from '../types.js';
import { loadInjectionModel } from './classifier.js';
import { scoreInjection } from './scorer.js';

export { injectionRuleDetector } from './rules.js';
export { stripHiddenText, wrapUntrusted } from './neutralize.js';
export { isHeldBack } from './split.js';

/**
 * The injection scorer: reads `models/injection.json` once (throws WARDEN_INTERNAL naming the file
 * when it is missing or does not fit this code) and scores texts with it. `score` returns the
 * calibrated probability and the rule findings (so a scanner using this scorer needs no separate
 * injection rule detector). It never throws on any text and stops at `budget.deadline`.
 *
 * @example
 * const scorer = createInjectionScorer();
 * const { score } = scorer.score(toolResultText, 'tool_output', { deadline: performance.now() + 50 });
 * if (score >= 0.5) // treat as carrying an injection
 */
export function createInjectionScorer(): InjectionScorer {
  const model = loadInjectionModel();
  return {
    score: (text, kind, budget) => scoreInjection(model, text, kind, budget),
  };
}
