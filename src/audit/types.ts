/** What callers hand the audit log, and what verification reports. */
import type { JsonObject } from '../core/index.js';
import type { AuditEntryRecord } from '../store/index.js';

/** One event to record. The log adds seq, time, digest and hashes. */
export interface AuditEvent {
  /** noun-verb, e.g. `agent-suspended`; never reused for another meaning. */
  type: string;
  /** `agent:<name>`, `admin:<name>`, `cli:<os user>`, `system`. */
  actor: string;
  session?: string | null;
  subject?: string | null;
  decision?: string | null;
  policyIds?: string[];
  /** Unredacted detail; the log stores a redacted copy and an HMAC digest of this. */
  detail?: JsonObject;
}

/** The part of the audit log other services depend on. */
export interface AuditRecorder {
  /** Resolves once the entry is durably stored; rejects (and nothing is acknowledged) otherwise. */
  record(event: AuditEvent): Promise<AuditEntryRecord>;
}

export type VerifyProblem =
  | 'hash-mismatch' // the entry's content does not hash to its stored hash (changed)
  | 'link-broken' // prevHash does not equal the previous entry's hash (removed, inserted or reordered)
  | 'seq-gap' // a seq is missing
  | 'seq-order' // seqs are not strictly increasing by one
  | 'checkpoint-mismatch' // a checkpoint's hash does not equal the entry's hash at its seq
  | 'checkpoint-signature' // a checkpoint's signature does not verify
  | 'checkpoint-key-unknown' // a checkpoint names a key Warden does not hold
  | 'prune-anchor' // the first entry after a prune does not link to the signed anchor
  | 'head-missing'; // entries after the last checkpoint were removed (the chain is shorter than a checkpoint says)

export interface VerifyFailure {
  /** The first bad seq. */
  seq: number;
  problem: VerifyProblem;
  /** What is wrong, in words a person can act on. */
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Entries checked. */
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Time of the newest entry checked: compare with `lastCheckpoint.time` and with records kept elsewhere. */
  lastEntryTime: string | null;
  /** Signed checkpoints verified. */
  checkpoints: number;
  /** The newest verified checkpoint; keep a copy outside the database to detect a cut-back. */
  lastCheckpoint: { seq: number; time: string; hash: string } | null;
  /** Entries after the last checkpoint: linked but not yet covered by a signature. */
  unsignedTail: number;
  /** Present when the chain starts after a prune. */
  prunedThrough: number | null;
  failure: VerifyFailure | null;
}

export type { AuditEntryRecord };

/**
 * Signs audit checkpoints (Ed25519). The key id is part of the signed payload, so the log first
 * asks for the current key id, builds the payload naming it, then asks for a signature by exactly
 * that key. `sign` must sign with the key named `keyId` or throw (for example when that key was
 * rotated away in between; the log then tries again at the next checkpoint). A signer must not
 * record audit events itself: the log awaits it before acknowledging the batch that fell due.
 */
export interface CheckpointSigner {
  /** The id of the key the next checkpoint will be signed with. */
  keyId(): Promise<string>;
  /** A base64url signature of `payload` by the key `keyId`. */
  sign(keyId: string, payload: Uint8Array): Promise<string>;
}

/** Outcome of checking one checkpoint signature. */
export type CheckpointSignatureCheck = 'valid' | 'invalid' | 'unknown-key';

/** Checks checkpoint signatures against the public keys Warden holds (current and retired). */
export interface CheckpointVerifier {
  verify(keyId: string, payload: Uint8Array, signature: string): Promise<CheckpointSignatureCheck>;
}
