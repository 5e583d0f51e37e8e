/** Agent identity, secrets at rest and tokens: the public API of src/identity. */
export { MasterKey, loadMasterKey, decodeMasterKey, MASTER_KEY_ENV } from './master-key.js';
export type { LoadMasterKeyOptions, MasterKeySource } from './master-key.js';
export { seal, unseal, checkMasterKey, MASTER_KEY_CHECK_META_KEY } from './seal.js';
export type { KeyDerivation } from './seal.js';
export { KeyManager, KEY_PURPOSES } from './keys.js';
export type { KeyManagerOptions, PublicJwk } from './keys.js';
export { generateClientSecret, hashSecret, verifySecret, MAX_SECRET_LENGTH } from './secrets.js';
export { AgentService, publicAgent } from './agents.js';
export { LockdownGate, LOCKDOWN_CACHE_MS, lockdownSuspendedError } from './lockdown.js';
export type { LockdownGateOptions } from './lockdown.js';
export type {
  AgentServiceOptions,
  ConfigAgent,
  CreateAgentInput,
  LockdownFailure,
  LockdownResult,
  LockdownState,
  PublicAgent,
  SuspensionListener,
  SyncResult,
} from './agents.js';
export { TokenService, ACCESS_TOKEN_TYPE, MAX_TOKEN_LENGTH, suspendedError } from './tokens.js';
export type {
  AccessTokenClaims,
  IssueTokenInput,
  IssuedToken,
  TokenServiceOptions,
  VerifiedToken,
} from './tokens.js';
