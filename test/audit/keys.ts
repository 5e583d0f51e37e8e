/** Real Ed25519 checkpoint signers and verifiers (node:crypto) for the audit tests. */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type {
  CheckpointSignatureCheck,
  CheckpointSigner,
  CheckpointVerifier,
} from '../../src/audit/index.js';

export interface TestKey {
  keyId: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** A fresh Ed25519 key pair. */
export function makeTestKey(keyId: string): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { keyId, publicKey, privateKey };
}

/** Signs `payload` with `key`, base64url. */
export function signWith(key: TestKey, payload: Uint8Array): string {
  return sign(null, payload, key.privateKey).toString('base64url');
}

/** A signer over the keys it holds; `rotate()` makes a new key current (old ones still verify). */
export function makeTestSigner(keyId = 'audit-key-1'): {
  signer: CheckpointSigner;
  verifier: CheckpointVerifier;
  rotate: (newKeyId: string) => void;
  current: () => TestKey;
} {
  const keys = new Map<string, TestKey>();
  let current = makeTestKey(keyId);
  keys.set(keyId, current);
  const signer: CheckpointSigner = {
    keyId: () => Promise.resolve(current.keyId),
    sign: (id, payload) => {
      const key = keys.get(id);
      if (key === undefined) return Promise.reject(new Error(`no signing key ${id}`));
      return Promise.resolve(signWith(key, payload));
    },
  };
  const verifier: CheckpointVerifier = {
    verify: (id, payload, signature): Promise<CheckpointSignatureCheck> => {
      const key = keys.get(id);
      if (key === undefined) return Promise.resolve('unknown-key');
      const ok = verify(null, payload, key.publicKey, Buffer.from(signature, 'base64url'));
      return Promise.resolve(ok ? 'valid' : 'invalid');
    },
  };
  return {
    signer,
    verifier,
    rotate: (newKeyId) => {
      current = makeTestKey(newKeyId);
      keys.set(newKeyId, current);
    },
    current: () => current,
  };
}
