/**
 * Incident capture and verification: a signed bundle of what one agent did (the audit slice with the
 * chain links and checkpoints that prove it), checkable offline; a changed, removed or reordered entry,
 * a changed label or a changed signature fails verification, naming what.
 */
export { captureIncident } from './capture.js';
export type { CaptureIncidentOptions } from './capture.js';
export { keyFingerprint, parseTrustedKeys, verifyEd25519, verifyIncidentBundle } from './verify.js';
export type { IncidentFailure, IncidentVerifyReport, VerifyIncidentOptions } from './verify.js';
export {
  INCIDENT_BUNDLE_FORMAT,
  INCIDENT_BUNDLE_VERSION,
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_ENTRIES,
  parseIncidentBundle,
  serializeIncidentBundle,
} from './bundle.js';
export type { BundleEntry, BundlePublicKey, BundleSession, IncidentBundle } from './bundle.js';
