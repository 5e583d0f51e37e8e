/**
 * Ed25519 signing keys for tokens and audit checkpoints, sealed under the master key. A key is only
 * used after its sealed private half unseals and matches the stored public half, so a database
 * writer can neither swap in a public key of their own nor move keys between purposes.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { AuditRecorder, CheckpointSigner, CheckpointVerifier } from '../audit/index.js';
import { WardenError, isWardenError, isoTime, newId } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { KeyPurpose, SigningKeyRecord, SigningKeyStore } from '../store/index.js';
import type { MasterKey } from './master-key.js';

/** Every purpose Warden keeps a signing key for. */
// The audit key comes first, so the audit log can sign checkpoints as early as possible on first start.
export const KEY_PURPOSES: readonly KeyPurpose[] = ['audit', 'token'];

/** How long the key list read from the store is trusted before it is read again (another process may rotate). */
const REFRESH_MILLISECONDS = 30_000;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A public Ed25519 key as published in the JWKS. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

export interface KeyManagerOptions {
  store: SigningKeyStore;
  masterKey: MasterKey;
  clock: Clock;
  audit: AuditRecorder;
  /** Access token lifetime: a retired token key still verifies this long (plus tolerance) after rotation. */
  tokenLifetimeSeconds: number;
  clockToleranceSeconds: number;
}

/** The unsealed and checked key material of one kid. */
interface KeyMaterial {
  privateKey: KeyObject;
  publicKey: KeyObject;
  x: string;
}

interface KeyList {
  records: SigningKeyRecord[];
  loadedAt: number;
}

/**
 * Creates, rotates, publishes and uses the signing keys. Unsealed keys are cached in memory; the key
 * list is re-read from the store every 30 seconds and whenever an unknown kid shows up.
 */
export class KeyManager {
  readonly #store: SigningKeyStore;
  readonly #masterKey: MasterKey;
  readonly #clock: Clock;
  readonly #audit: AuditRecorder;
  readonly #verifyWindowMilliseconds: number;
  readonly #material = new Map<string, KeyMaterial>();
  readonly #lists = new Map<KeyPurpose, KeyList>();
  readonly #reloads = new Map<KeyPurpose, { started: number; list: Promise<KeyList> }>();
  #reloadsStarted = 0;

  constructor(options: KeyManagerOptions) {
    this.#store = options.store;
    this.#masterKey = options.masterKey;
    this.#clock = options.clock;
    this.#audit = options.audit;
    // A process that has not reloaded its key list yet may sign with a just-retired key for up to
    // REFRESH_MILLISECONDS, so a retired key verifies that much longer than a token can live.
    this.#verifyWindowMilliseconds =
      (options.tokenLifetimeSeconds + options.clockToleranceSeconds) * 1000 + REFRESH_MILLISECONDS;
  }

  /**
   * Creates a key for every purpose that has no active one (recording `signing-key-created` first), and
   * checks that every active key unseals under the master key.
   *
   * @returns the kids created (empty when every purpose already had a key).
   */
  async ensureKeys(actor: string): Promise<string[]> {
    const created: string[] = [];
    for (const purpose of KEY_PURPOSES) {
      const list = await this.#reload(purpose);
      const active = list.records.find((record) => record.status === 'active');
      if (active !== undefined) {
        this.#materialOf(active);
        continue;
      }
      const { record, material } = this.#generate(purpose);
      await this.#audit.record({
        type: 'signing-key-created',
        actor,
        subject: `key:${record.kid}`,
        detail: { kid: record.kid, purpose, algorithm: record.algorithm },
      });
      await this.#store.rotate(record);
      this.#material.set(record.kid, material);
      await this.#reload(purpose);
      created.push(record.kid);
    }
    return created;
  }

  /**
   * Makes a new active key for `purpose` and retires the current one (recording `signing-key-rotated`
   * first). A retired token key keeps verifying until the tokens it signed have expired; a retired
   * audit key verifies its checkpoints forever.
   *
   * @returns the new kid.
   */
  async rotate(purpose: KeyPurpose, actor: string): Promise<string> {
    if (!KEY_PURPOSES.includes(purpose)) {
      throw new WardenError(
        'WARDEN_USAGE',
        `unknown key purpose "${String(purpose)}"; use one of: ${KEY_PURPOSES.join(', ')}`,
      );
    }
    const list = await this.#reload(purpose);
    const retiring = list.records.filter((record) => record.status === 'active').map((record) => record.kid);
    const { record, material } = this.#generate(purpose);
    await this.#audit.record({
      type: 'signing-key-rotated',
      actor,
      subject: `key:${record.kid}`,
      detail: { kid: record.kid, purpose, algorithm: record.algorithm, retiredKids: retiring },
    });
    await this.#store.rotate(record);
    this.#material.set(record.kid, material);
    await this.#reload(purpose);
    return record.kid;
  }

  /**
   * The JSON Web Key Set to publish: the active token key and the token keys retired less than
   * token lifetime + clock tolerance ago, so tokens they signed still verify until they expire.
   */
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    const list = await this.#list('token');
    const keys: PublicJwk[] = [];
    for (const record of list.records) {
      if (!this.#verifiesTokens(record)) continue;
      keys.push(publicJwk(record.kid, this.#materialOf(record).x));
    }
    return { keys };
  }

  /**
   * The key new tokens are signed with.
   *
   * @throws WARDEN_INTERNAL when no token key exists yet (the server creates one at start).
   */
  async tokenSigningKey(): Promise<{ kid: string; key: KeyObject }> {
    const record = (await this.#list('token')).records.find((candidate) => candidate.status === 'active');
    if (record === undefined) {
      throw new WardenError(
        'WARDEN_INTERNAL',
        'there is no active token signing key; start `warden serve` once (it creates the keys) or run `warden keys rotate --purpose token`',
      );
    }
    return { kid: record.kid, key: this.#materialOf(record).privateKey };
  }

  /**
   * The public key that verifies tokens signed by `kid`, or null when `kid` is not a token key or was
   * retired longer than token lifetime + clock tolerance ago.
   *
   * @throws WARDEN_KEY_DECRYPT_FAILED when the stored key does not unseal or its public half was altered.
   */
  async tokenVerificationKey(kid: string): Promise<KeyObject | null> {
    const record = await this.#find('token', kid);
    if (record === null || !this.#verifiesTokens(record)) return null;
    return this.#materialOf(record).publicKey;
  }

  /** Signs audit checkpoints with the active 'audit' key. */
  checkpointSigner(): CheckpointSigner {
    return {
      keyId: async () => {
        const record = (await this.#list('audit')).records.find((candidate) => candidate.status === 'active');
        if (record === undefined) {
          throw new WardenError(
            'WARDEN_INTERNAL',
            'there is no active audit signing key; start `warden serve` once (it creates the keys) or run `warden keys rotate --purpose audit`',
          );
        }
        return record.kid;
      },
      sign: async (keyId, payload) => {
        const record = await this.#find('audit', keyId);
        if (record === null) {
          throw new WardenError('WARDEN_INTERNAL', `audit signing key ${keyId} does not exist`, {
            kid: keyId,
          });
        }
        return sign(null, payload, this.#materialOf(record).privateKey).toString('base64url');
      },
    };
  }

  /**
   * Verifies checkpoint signatures with any audit key, active or retired. The public key used is the
   * one derived from the sealed private key; a key whose stored public half differs is refused.
   */
  checkpointVerifier(): CheckpointVerifier {
    return {
      verify: async (keyId, payload, signature) => {
        const record = typeof keyId === 'string' ? await this.#find('audit', keyId) : null;
        if (record === null) return 'unknown-key';
        let material: KeyMaterial;
        try {
          material = this.#materialOf(record);
        } catch (error) {
          // The sealed key does not open or its stored public half was swapped: nothing it signed is trusted.
          if (isWardenError(error, 'WARDEN_KEY_DECRYPT_FAILED')) return 'invalid';
          throw error;
        }
        if (typeof signature !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(signature)) return 'invalid';
        const valid = verify(null, payload, material.publicKey, Buffer.from(signature, 'base64url'));
        return valid ? 'valid' : 'invalid';
      },
    };
  }

  /** True when a token key may verify tokens now: active, or retired within the verify window. */
  #verifiesTokens(record: SigningKeyRecord): boolean {
    if (record.status === 'active') return true;
    if (record.retiredAt === null) return false;
    const retiredAt = Date.parse(record.retiredAt);
    return Number.isFinite(retiredAt) && this.#clock.now() < retiredAt + this.#verifyWindowMilliseconds;
  }

  /** Finds `kid` among the keys of `purpose`, re-reading the store once when it is not known. */
  async #find(purpose: KeyPurpose, kid: string): Promise<SigningKeyRecord | null> {
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return null;
    const cached = (await this.#list(purpose)).records.find((record) => record.kid === kid);
    if (cached !== undefined) return cached;
    return (await this.#reload(purpose)).records.find((record) => record.kid === kid) ?? null;
  }

  /** The key list of `purpose`, re-read when older than the refresh interval. */
  async #list(purpose: KeyPurpose): Promise<KeyList> {
    const list = this.#lists.get(purpose);
    const now = this.#clock.now();
    if (list !== undefined && now >= list.loadedAt && now - list.loadedAt < REFRESH_MILLISECONDS) return list;
    return this.#reload(purpose);
  }

  /**
   * Re-reads the key list of `purpose` with a read that starts after this call (so it sees every
   * rotation committed before it); concurrent callers share such a read.
   */
  async #reload(purpose: KeyPurpose): Promise<KeyList> {
    const arrival = this.#reloadsStarted;
    for (;;) {
      const pending = this.#reloads.get(purpose);
      if (pending === undefined) break;
      if (pending.started > arrival) return pending.list;
      await pending.list.catch(() => undefined);
    }
    const started = ++this.#reloadsStarted;
    // Promise.resolve() first: the read and the cleanup below always run after the entry is set.
    const list = Promise.resolve()
      .then(() => this.#store.list(purpose))
      .then((records) => {
        const loaded = {
          records: records.filter((record) => record.purpose === purpose),
          loadedAt: this.#clock.now(),
        };
        this.#lists.set(purpose, loaded);
        return loaded;
      })
      .finally(() => {
        if (this.#reloads.get(purpose)?.started === started) this.#reloads.delete(purpose);
      });
    this.#reloads.set(purpose, { started, list });
    return list;
  }

  /** Unseals and checks the key of `record`, once per kid. */
  #materialOf(record: SigningKeyRecord): KeyMaterial {
    const cached = this.#material.get(record.kid);
    if (cached !== undefined) return cached;
    const material = openKey(this.#masterKey, record);
    this.#material.set(record.kid, material);
    return material;
  }

  #generate(purpose: KeyPurpose): { record: SigningKeyRecord; material: KeyMaterial } {
    const kid = newId('key');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const privateJwk = privateKey.export({ format: 'jwk' });
    const x = publicKey.export({ format: 'jwk' }).x as string;
    const record: SigningKeyRecord = {
      kid,
      purpose,
      algorithm: 'EdDSA',
      publicJwk: JSON.stringify(publicJwk(kid, x)),
      privateKeySealed: this.#masterKey.seal(JSON.stringify(privateJwk), sealContext(purpose, kid)),
      status: 'active',
      createdAt: isoTime(this.#clock),
      retiredAt: null,
    };
    return { record, material: { privateKey, publicKey, x } };
  }
}

/** The sealing context binds a private key to its purpose and kid. */
function sealContext(purpose: KeyPurpose, kid: string): string {
  return `signing-key:${purpose}:${kid}`;
}

function publicJwk(kid: string, x: string): PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
}

/** Unseals a stored key and checks that its stored public JWK is the public half of the private key. */
function openKey(masterKey: MasterKey, record: SigningKeyRecord): KeyMaterial {
  const refuse = (why: string, cause?: unknown): WardenError =>
    new WardenError(
      'WARDEN_KEY_DECRYPT_FAILED',
      `signing key ${record.kid} (${record.purpose}) cannot be used: ${why}. The keys table may have been altered; restore it from a backup or rotate the key with \`warden keys rotate --purpose ${record.purpose}\`.`,
      { kid: record.kid, purpose: record.purpose },
      cause === undefined ? undefined : { cause },
    );
  if (record.algorithm !== 'EdDSA') throw refuse(`its algorithm is ${String(record.algorithm)}, not EdDSA`);
  const plaintext = masterKey.unseal(record.privateKeySealed, sealContext(record.purpose, record.kid));
  let privateKey: KeyObject;
  try {
    const jwk = JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string')
      throw new Error('not an Ed25519 JWK');
    privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch (error) {
    throw refuse('its private key is not a valid Ed25519 key', error);
  } finally {
    plaintext.fill(0);
  }
  const publicKey = createPublicKey(privateKey);
  const x = publicKey.export({ format: 'jwk' }).x as string;
  let stored: unknown;
  try {
    stored = JSON.parse(record.publicJwk);
  } catch (error) {
    throw refuse('its stored public key is not JSON', error);
  }
  const storedJwk = stored as Partial<Record<string, unknown>> | null;
  if (
    storedJwk === null ||
    typeof storedJwk !== 'object' ||
    storedJwk.kty !== 'OKP' ||
    storedJwk.crv !== 'Ed25519' ||
    storedJwk.x !== x
  ) {
    throw refuse('its stored public key does not match its private key');
  }
  return { privateKey, publicKey, x };
}
