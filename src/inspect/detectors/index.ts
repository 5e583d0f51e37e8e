/**
 * The default detector set: global PII, Vietnamese PII (Decree 13/2023/ND-CP) and secrets. Where two
 * detectors report overlapping spans (a digit run that is both a phone and a bank account), the
 * scanner keeps the more confident finding, so the lists may overlap freely.
 */
import type { Detector } from '../types.js';
import { piiDetectors } from './pii.js';
import { secretDetectors } from './secrets.js';
import { vietnamDetectors } from './vietnam.js';

/**
 * Every built-in PII and secret detector, each once (by name; the first of a name wins). Injection
 * is not here: it is the scanner's injection scorer (`createInjectionScorer()`).
 *
 * @example
 * const scanner = new Scanner(defaultDetectors(), createInjectionScorer());
 */
export function defaultDetectors(): Detector[] {
  const byName = new Map<string, Detector>();
  for (const detector of [...piiDetectors(), ...vietnamDetectors(), ...secretDetectors()]) {
    if (!byName.has(detector.name)) byName.set(detector.name, detector);
  }
  return [...byName.values()];
}
