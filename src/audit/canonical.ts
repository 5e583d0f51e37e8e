/**
 * The canonical encodings the audit chain hashes and signs (RFC 8785 JSON Canonicalization Scheme):
 * the same entry always yields the same bytes, whatever the key order or the store it came from.
 */
import { createHash, createHmac } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { WardenError } from '../core/index.js';
import type { JsonObject, JsonValue } from '../core/index.js';
import type { AuditCheckpointRecord, AuditEntryRecord } from '../store/index.js';

// `canonicalize` is CommonJS (`module.exports = serialize`) but its types declare an ES default
// export; under NodeNext the default import is the function itself at run time.
const canonicalize = canonicalizeModule as unknown as typeof canonicalizeModule.default;

/** An entry before its hash is known. */
export type UnhashedAuditEntry = Omit<AuditEntryRecord, 'hash'>;

/**
 * RFC 8785 canonical JSON of `value`. Throws WARDEN_INTERNAL for values JSON cannot hold
 * (NaN, Infinity, undefined at the top level).
 */
export function canonicalJson(value: JsonValue): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (error) {
    throw new WardenError(
      'WARDEN_INTERNAL',
      `A value could not be canonicalized for the audit log (${error instanceof Error ? error.message : String(error)}); pass plain JSON values only.`,
      {},
      { cause: error },
    );
  }
  if (text === undefined) {
    throw new WardenError(
      'WARDEN_INTERNAL',
      'An undefined value cannot be canonicalized for the audit log; pass plain JSON values only.',
    );
  }
  return text;
}

/** The fields an entry hash covers, in a plain JSON object, in the stored order (hashing canonicalizes it). */
export function hashedFields(entry: UnhashedAuditEntry): JsonObject {
  return {
    seq: entry.seq,
    time: entry.time,
    type: entry.type,
    actor: entry.actor,
    session: entry.session,
    subject: entry.subject,
    decision: entry.decision,
    policyIds: entry.policyIds,
    detail: entry.detail,
    detailDigest: entry.detailDigest,
    prevHash: entry.prevHash,
  };
}

/**
 * SHA-256 (lowercase hex) over the canonical JSON of every field of `entry` except `hash`,
 * including `prevHash`: changing any field, or the entry before it, changes the hash.
 */
export function computeEntryHash(entry: UnhashedAuditEntry): string {
  return createHash('sha256')
    .update(canonicalJson(hashedFields(entry)), 'utf8')
    .digest('hex');
}

/**
 * HMAC-SHA256 (lowercase hex) of the canonical JSON of the unredacted `detail`, keyed with the
 * audit digest key: proves what the original detail was to someone holding it and the key, without
 * letting anyone who only reads the log guess low-entropy values from the digest.
 */
export function computeDetailDigest(detail: JsonObject, digestKey: Uint8Array): string {
  return createHmac('sha256', digestKey).update(canonicalJson(detail), 'utf8').digest('hex');
}

/** The bytes a checkpoint signature covers: UTF-8 of the canonical JSON {seq, hash, time, keyId}. */
export function checkpointPayload(checkpoint: Omit<AuditCheckpointRecord, 'signature'>): Uint8Array {
  const text = canonicalJson({
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    time: checkpoint.time,
    keyId: checkpoint.keyId,
  });
  return new Uint8Array(Buffer.from(text, 'utf8'));
}
