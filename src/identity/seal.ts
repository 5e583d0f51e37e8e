/**
 * Envelope encryption for secrets at rest (AES-256-GCM): a fresh data key per value, wrapped by a key
 * derived from the master key, with the value's context (purpose, kid) bound in as associated data,
 * so a changed, moved or foreign-key value never decrypts.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WardenError } from '../core/index.js';
import type { MetaStore } from '../store/index.js';

/** What sealing needs from the master key: key derivation. */
export interface KeyDerivation {
  deriveKey(purpose: string): Uint8Array;
}

/** Format version written into every sealed value. */
export const SEAL_VERSION = 1;

/** The HKDF purpose of the key-encryption key that wraps data keys. */
const KEK_PURPOSE = 'seal-kek-v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const WRAPPED_KEY_BYTES = IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;
/** Sealed values are small (keys, credentials); anything larger is refused before parsing. */
const MAX_SEALED_LENGTH = 1024 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The JSON shape of a sealed value; every binary field is base64url. */
interface SealedEnvelope {
  v: number;
  /** IV of the value's encryption under the data key. */
  iv: string;
  /** GCM tag of the value's encryption. */
  tag: string;
  /** The data key wrapped by the KEK: IV (12) | encrypted key (32) | tag (16). */
  wk: string;
  /** The value encrypted under the data key. */
  ct: string;
}

/**
 * Encrypts `plaintext` under a fresh data key wrapped by the master key's KEK. `context` names what
 * the value is (e.g. `signing-key:token:key_...`) and must be given again to unseal it.
 *
 * @returns a JSON string `{"v":1,"iv":...,"tag":...,"wk":...,"ct":...}`.
 * @example
 * const sealed = seal(masterKey, privateJwk, `signing-key:token:${kid}`);
 */
export function seal(keys: KeyDerivation, plaintext: Uint8Array | string, context: string): string {
  const aad = associatedData(context);
  const dataKey = randomBytes(DATA_KEY_BYTES);
  try {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    const tag = cipher.getAuthTag();

    const kek = keys.deriveKey(KEK_PURPOSE);
    const wrapIv = randomBytes(IV_BYTES);
    const wrapper = createCipheriv('aes-256-gcm', kek, wrapIv, { authTagLength: TAG_BYTES });
    wrapper.setAAD(aad);
    const wrapped = Buffer.concat([wrapIv, wrapper.update(dataKey), wrapper.final(), wrapper.getAuthTag()]);
    kek.fill(0);

    const envelope: SealedEnvelope = {
      v: SEAL_VERSION,
      iv: iv.toString('base64url'),
      tag: tag.toString('base64url'),
      wk: wrapped.toString('base64url'),
      ct: ciphertext.toString('base64url'),
    };
    return JSON.stringify(envelope);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Decrypts a value made by {@link seal} with the same master key and context.
 *
 * @throws WARDEN_KEY_DECRYPT_FAILED when the value is malformed, was altered, belongs to another
 *   context, or was sealed under a different master key.
 */
export function unseal(keys: KeyDerivation, sealed: string, context: string): Buffer {
  const envelope = parseEnvelope(sealed, context);
  const aad = associatedData(context);
  const kek = keys.deriveKey(KEK_PURPOSE);
  let dataKey: Buffer | undefined;
  try {
    const unwrapper = createDecipheriv('aes-256-gcm', kek, envelope.wk.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    unwrapper.setAAD(aad);
    unwrapper.setAuthTag(envelope.wk.subarray(IV_BYTES + DATA_KEY_BYTES));
    dataKey = Buffer.concat([
      unwrapper.update(envelope.wk.subarray(IV_BYTES, IV_BYTES + DATA_KEY_BYTES)),
      unwrapper.final(),
    ]);
    const decipher = createDecipheriv('aes-256-gcm', dataKey, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(envelope.tag);
    return Buffer.concat([decipher.update(envelope.ct), decipher.final()]);
  } catch (error) {
    throw decryptFailed(
      context,
      'it was altered, belongs to something else, or was sealed under a different master key',
      error,
    );
  } finally {
    kek.fill(0);
    dataKey?.fill(0);
  }
}

function associatedData(context: string): Buffer {
  if (typeof context !== 'string' || context.length === 0 || context.length > 256) {
    throw new WardenError('WARDEN_INTERNAL', 'a sealed value needs a context of 1 to 256 characters');
  }
  return Buffer.from(`warden-seal:v${SEAL_VERSION}:${context}`, 'utf8');
}

interface ParsedEnvelope {
  iv: Buffer;
  tag: Buffer;
  wk: Buffer;
  ct: Buffer;
}

function parseEnvelope(sealed: string, context: string): ParsedEnvelope {
  if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_LENGTH) {
    throw decryptFailed(context, 'the sealed value is not a string of at most 1 MiB');
  }
  let value: unknown;
  try {
    value = JSON.parse(sealed);
  } catch (error) {
    throw decryptFailed(context, 'the sealed value is not JSON', error);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw decryptFailed(context, 'the sealed value is not a JSON object');
  }
  const envelope = value as Partial<Record<keyof SealedEnvelope, unknown>>;
  if (envelope.v !== SEAL_VERSION) {
    throw decryptFailed(
      context,
      `the sealed value has format version ${String(envelope.v)}, expected ${SEAL_VERSION}`,
    );
  }
  const iv = field(envelope.iv, IV_BYTES);
  const tag = field(envelope.tag, TAG_BYTES);
  const wk = field(envelope.wk, WRAPPED_KEY_BYTES);
  const ct = field(envelope.ct);
  if (iv === null || tag === null || wk === null || ct === null) {
    throw decryptFailed(context, 'the sealed value lacks a valid iv, tag, wk or ct field');
  }
  return { iv, tag, wk, ct };
}

function field(value: unknown, length?: number): Buffer | null {
  if (typeof value !== 'string' || !BASE64URL.test(value)) return null;
  const bytes = Buffer.from(value, 'base64url');
  if (length !== undefined && bytes.length !== length) return null;
  return bytes;
}

function decryptFailed(context: string, why: string, cause?: unknown): WardenError {
  return new WardenError(
    'WARDEN_KEY_DECRYPT_FAILED',
    `Could not decrypt ${context}: ${why}. Check that WARDEN_MASTER_KEY or secrets.masterKeyFile holds the master key this database was created with.`,
    { context },
    cause === undefined ? undefined : { cause },
  );
}

/** Meta key under which the sealed check value lives. */
export const MASTER_KEY_CHECK_META_KEY = 'master_key_check';
const CHECK_CONTEXT = 'master-key-check';
const CHECK_VALUE = 'warden master key check v1';

/**
 * Proves the master key is the one this database was created with: the first start stores a sealed
 * known value under meta key `master_key_check`; every later start must unseal it.
 *
 * @returns `created` on the first start, `verified` afterwards.
 * @throws WARDEN_MASTER_KEY_MISMATCH when the stored check value does not unseal with `masterKey`.
 */
export async function checkMasterKey(
  meta: MetaStore,
  masterKey: KeyDerivation,
): Promise<'created' | 'verified'> {
  const candidate = seal(masterKey, CHECK_VALUE, CHECK_CONTEXT);
  const stored = await meta.setIfAbsent(MASTER_KEY_CHECK_META_KEY, candidate);
  if (stored === candidate) return 'created';
  let plaintext: string | undefined;
  try {
    plaintext = unseal(masterKey, stored, CHECK_CONTEXT).toString('utf8');
  } catch (error) {
    throw mismatch(error);
  }
  if (plaintext !== CHECK_VALUE) throw mismatch();
  return 'verified';
}

function mismatch(cause?: unknown): WardenError {
  return new WardenError(
    'WARDEN_MASTER_KEY_MISMATCH',
    'the master key does not match the one this database was created with; set WARDEN_MASTER_KEY or secrets.masterKeyFile to the original key',
    {},
    cause === undefined ? undefined : { cause },
  );
}
