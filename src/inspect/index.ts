/**
 * Content inspection: detectors for PII, secrets and prompt injection, the scanner that runs them
 * over JSON within hard limits, the token vault, and the engine that masks, tokenizes or refuses.
 * The public door of this module.
 */
export { FINDING_TYPES, FINDING_TYPE_NAMES, DEFAULT_SCAN_LIMITS } from './types.js';
export type {
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
export { Scanner } from './scanner.js';
export type { ScannerOptions } from './scanner.js';
export { TokenVault, TOKEN_PATTERN, DEFAULT_MAX_TOKENS_PER_SESSION } from './vault.js';
export type { TokenVaultOptions, RestoredCount } from './vault.js';
export { InspectionEngine } from './engine.js';
export type {
  ArgumentsInspection,
  FindingAction,
  FindingsSummary,
  InspectionContext,
  InspectionEngineOptions,
  ResultInspection,
} from './engine.js';
export { defaultDetectors } from './detectors/index.js';
export { piiDetectors } from './detectors/pii.js';
export { vietnamDetectors } from './detectors/vietnam.js';
export { secretDetectors } from './detectors/secrets.js';
export { createInjectionScorer, injectionRuleDetector } from './injection/index.js';
export { stripHiddenText, wrapUntrusted } from './injection/neutralize.js';
