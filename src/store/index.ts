/** Storage: the Store interfaces and the one way to open a migrated store (SQLite or PostgreSQL). */
export { GENESIS_HASH } from './types.js';
export type {
  ApprovalStatus,
  ApprovalVote,
  ApprovalRecord,
  ApprovalChanges,
  ApprovalQuery,
  ApprovalStore,
  AgentChanges,
  AgentExpectation,
  AgentRecord,
  AgentStatus,
  AgentStore,
  AuditCheckpointRecord,
  AuditEntryRecord,
  AuditPruneRecord,
  AuditQuery,
  AuditStore,
  ChainHead,
  IsoTime,
  KeyPurpose,
  KeyStatus,
  MetaStore,
  SigningKeyRecord,
  SigningKeyStore,
  Store,
} from './types.js';
export { openStore } from './open.js';
export type { OpenStoreOptions } from './open.js';
export { LATEST_SCHEMA_VERSION } from './migrations.js';
