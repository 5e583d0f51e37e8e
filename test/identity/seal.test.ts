import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { MasterKey, seal, unseal } from '../../src/identity/index.js';

const masterKey = new MasterKey(randomBytes(32));
const CONTEXT = 'signing-key:token:key_test';

function decryptFailed(error: unknown): boolean {
  assert.equal((error as { code?: string }).code, 'WARDEN_KEY_DECRYPT_FAILED');
  assert.match((error as Error).message, /Could not decrypt signing-key:token:key_test/);
  assert.match((error as Error).message, /WARDEN_MASTER_KEY or secrets\.masterKeyFile/);
  return true;
}

/** Changes one character of a base64url field of the envelope. */
function flip(sealed: string, field: 'iv' | 'tag' | 'wk' | 'ct'): string {
  const envelope = JSON.parse(sealed) as Record<string, string>;
  const value = envelope[field]!;
  const position = Math.floor(value.length / 2);
  const replacement = value[position] === 'A' ? 'B' : 'A';
  envelope[field] = value.slice(0, position) + replacement + value.slice(position + 1);
  return JSON.stringify(envelope);
}

describe('seal and unseal', () => {
  test('a sealed value unseals to the original bytes', () => {
    const plaintext = randomBytes(100);
    const sealed = seal(masterKey, plaintext, CONTEXT);
    assert.ok(unseal(masterKey, sealed, CONTEXT).equals(plaintext));
    assert.equal(masterKey.unseal(masterKey.seal('hello', CONTEXT), CONTEXT).toString('utf8'), 'hello');
  });

  test('the sealed form is JSON with version, iv, tag, wrapped key and ciphertext, and no plaintext', () => {
    const plaintext = 'a-very-recognisable-secret-value';
    const sealed = seal(masterKey, plaintext, CONTEXT);
    const envelope = JSON.parse(sealed) as Record<string, unknown>;
    assert.deepEqual(Object.keys(envelope).sort(), ['ct', 'iv', 'tag', 'v', 'wk']);
    assert.equal(envelope.v, 1);
    for (const field of ['iv', 'tag', 'wk', 'ct'])
      assert.match(envelope[field] as string, /^[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(plaintext));
    assert.ok(!sealed.includes(Buffer.from(plaintext).toString('base64url')));
  });

  test('each seal uses a fresh data key and iv, so the same value seals differently', () => {
    const a = JSON.parse(seal(masterKey, 'same', CONTEXT)) as Record<string, string>;
    const b = JSON.parse(seal(masterKey, 'same', CONTEXT)) as Record<string, string>;
    assert.notEqual(a.wk, b.wk);
    assert.notEqual(a.iv, b.iv);
    assert.notEqual(a.ct, b.ct);
  });

  for (const field of ['iv', 'tag', 'wk', 'ct'] as const) {
    test(`a changed ${field} is refused with WARDEN_KEY_DECRYPT_FAILED`, () => {
      const sealed = seal(masterKey, 'secret material', CONTEXT);
      assert.throws(() => unseal(masterKey, flip(sealed, field), CONTEXT), decryptFailed);
    });
  }

  test('a value sealed under another master key is refused', () => {
    const sealed = seal(new MasterKey(randomBytes(32)), 'secret material', CONTEXT);
    assert.throws(() => unseal(masterKey, sealed, CONTEXT), decryptFailed);
  });

  test('a value sealed for another context (purpose or kid) is refused', () => {
    const sealed = seal(masterKey, 'secret material', 'signing-key:audit:key_test');
    assert.throws(() => unseal(masterKey, sealed, CONTEXT), decryptFailed);
  });

  test('the wrapped key of one value cannot be moved to another', () => {
    const a = JSON.parse(seal(masterKey, 'value a', CONTEXT)) as Record<string, string>;
    const b = JSON.parse(seal(masterKey, 'value b', CONTEXT)) as Record<string, string>;
    assert.throws(() => unseal(masterKey, JSON.stringify({ ...a, wk: b.wk }), CONTEXT), decryptFailed);
  });

  for (const [label, sealed] of [
    ['not JSON', 'nope'],
    ['a JSON array', '[]'],
    ['an unknown version', JSON.stringify({ v: 2, iv: '', tag: '', wk: '', ct: '' })],
    ['a short iv', JSON.stringify({ v: 1, iv: 'AAAA', tag: 'A'.repeat(22), wk: 'A'.repeat(80), ct: 'AA' })],
    [
      'a non-base64url field',
      JSON.stringify({ v: 1, iv: '!'.repeat(16), tag: 'A'.repeat(22), wk: 'A'.repeat(80), ct: '' }),
    ],
  ] as const) {
    test(`a malformed sealed value (${label}) is refused with WARDEN_KEY_DECRYPT_FAILED`, () => {
      assert.throws(() => unseal(masterKey, sealed, CONTEXT), decryptFailed);
    });
  }
});
