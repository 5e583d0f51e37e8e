/** The tamper-evident audit log: hash-chained entries, signed checkpoints, verification, retention, export. */
export { AuditLog } from './log.js';
export type { AuditLogOptions } from './log.js';
export { canonicalJson, checkpointPayload, computeDetailDigest, computeEntryHash } from './canonical.js';
export type { UnhashedAuditEntry } from './canonical.js';
export { DEFAULT_REDACT_LIMITS, REDACTED, isSecretKey, redactDetail, redactString } from './redact.js';
export type { RedactLimits } from './redact.js';
export { verifyAuditLog } from './verify.js';
export { VerifyStop, checkSegment } from './segment.js';
export type { CheckSegmentOptions } from './segment.js';
export type { VerifyAuditLogOptions } from './verify.js';
export { pruneAuditLog } from './prune.js';
export type { PruneAuditLogOptions, PruneAuditLogResult } from './prune.js';
export { auditEntryToJsonLine, exportAuditEntries, followAudit } from './export.js';
export type { ExportAuditEntriesOptions, ExportAuditEntriesResult, FollowAuditOptions } from './export.js';
export type {
  AuditEntryRecord,
  AuditEvent,
  AuditRecorder,
  CheckpointSignatureCheck,
  CheckpointSigner,
  CheckpointVerifier,
  VerifyFailure,
  VerifyProblem,
  VerifyReport,
} from './types.js';
