import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, test } from 'node:test';
import { ManualClock, isWardenError } from '../../src/core/index.js';
import type { JsonValue } from '../../src/core/index.js';
import { TOKEN_PATTERN, TokenVault } from '../../src/inspect/vault.js';

const EMAIL = 'lan.nguyen@example.com';

function makeVault(options: { ttlSeconds?: number; maxTokensPerSession?: number } = {}) {
  const clock = new ManualClock();
  const vault = new TokenVault({ clock, ttlSeconds: options.ttlSeconds ?? 3600, ...options });
  return { clock, vault };
}

describe('TokenVault', () => {
  test('a token is the type upper-cased and 8 hex digits, and the same value gets the same token in a session', () => {
    const { vault } = makeVault();
    const token = vault.tokenize('s1', 'email', EMAIL);
    assert.match(token, /^\[\[EMAIL_[0-9a-f]{8}\]\]$/);
    assert.match(token, TOKEN_PATTERN);
    assert.equal(vault.tokenize('s1', 'email', EMAIL), token);
    assert.notEqual(vault.tokenize('s1', 'email', 'minh@example.vn'), token);
    assert.match(
      vault.tokenize('s1', 'payment_card', '4111111111111111'),
      /^\[\[PAYMENT_CARD_[0-9a-f]{8}\]\]$/,
    );
    assert.equal(vault.size.tokens, 3);
  });

  test('two sessions get different tokens for the same value', () => {
    const { vault } = makeVault();
    assert.notEqual(vault.tokenize('s1', 'email', EMAIL), vault.tokenize('s2', 'email', EMAIL));
  });

  test('restore replaces the session own tokens and counts them by type', () => {
    const { vault } = makeVault();
    const email = vault.tokenize('s1', 'email', EMAIL);
    const phone = vault.tokenize('s1', 'phone', '0912345678');
    const restored = vault.restore('s1', `mail ${email}, call ${phone}, cc ${email}`);
    assert.equal(restored.text, `mail ${EMAIL}, call 0912345678, cc ${EMAIL}`);
    assert.deepEqual(restored.restored, [
      { type: 'email', count: 2 },
      { type: 'phone', count: 1 },
    ]);
  });

  test('another session cannot restore a token, and forged or unknown tokens are left as they are', () => {
    const { vault } = makeVault();
    const token = vault.tokenize('s1', 'email', EMAIL);
    vault.tokenize('s2', 'email', 'other@example.com');
    const text = `to ${token} and [[EMAIL_00000000]] and [[email_${token.slice(8, 16)}]]`;
    const other = vault.restore('s2', text);
    assert.equal(other.text, text);
    assert.deepEqual(other.restored, []);
    assert.equal(vault.restore('nobody', text).text, text);
    assert.equal(
      vault.restore('s1', text).text,
      `to ${EMAIL} and [[EMAIL_00000000]] and [[email_${token.slice(8, 16)}]]`,
    );
  });

  test('a token of another type with the same id is not restored', () => {
    const { vault } = makeVault();
    const token = vault.tokenize('s1', 'email', EMAIL);
    const retyped = token.replace('EMAIL', 'PHONE');
    assert.equal(vault.restore('s1', retyped).text, retyped);
  });

  test('restoreValue restores through a JSON value, keeps untouched parts shared and never mutates its input', () => {
    const { vault } = makeVault();
    const token = vault.tokenize('s1', 'email', EMAIL);
    const untouched = { keep: ['a', 1, true, null] };
    const input: JsonValue = {
      to: [token],
      body: { text: `hello ${token}` },
      untouched,
      [token]: 'key stays',
    };
    const snapshot = structuredClone(input);
    const { value, restored } = vault.restoreValue('s1', input);
    assert.deepEqual(value, {
      to: [EMAIL],
      body: { text: `hello ${EMAIL}` },
      untouched,
      [token]: 'key stays',
    });
    assert.equal((value as Record<string, JsonValue>).untouched, untouched);
    assert.deepEqual(restored, [{ type: 'email', count: 2 }]);
    assert.deepEqual(input, snapshot);
  });

  test('restoreValue returns the same value when there is nothing to restore', () => {
    const { vault } = makeVault();
    vault.tokenize('s1', 'email', EMAIL);
    const input: JsonValue = { a: ['b', { c: 'no tokens [[ here' }] };
    assert.equal(vault.restoreValue('s1', input).value, input);
    assert.equal(vault.restoreValue('s2', input).value, input);
  });

  test('restoreValue refuses a value nested deeper than maxDepth (fail closed)', () => {
    const { vault } = makeVault();
    vault.tokenize('s1', 'email', EMAIL);
    let value: JsonValue = 'x';
    for (let level = 0; level < 100; level++) value = [value];
    assert.throws(
      () => vault.restoreValue('s1', value, { maxDepth: 64 }),
      (error: unknown) =>
        isWardenError(error, 'WARDEN_INSPECTION_FAILED') && error.details.limit === 'maxDepth',
    );
  });

  test('a token unused for longer than the TTL is no longer restored; use keeps it alive', () => {
    const { clock, vault } = makeVault({ ttlSeconds: 60 });
    const kept = vault.tokenize('s1', 'email', EMAIL);
    const dropped = vault.tokenize('s1', 'phone', '0912345678');
    clock.advance(45_000);
    assert.equal(vault.restore('s1', kept).text, EMAIL);
    clock.advance(45_000);
    assert.equal(vault.restore('s1', kept).text, EMAIL, 'restored 45 s after its last use');
    assert.equal(vault.restore('s1', dropped).text, dropped, 'unused for 90 s');
  });

  test('sweep forgets idle tokens and sessions left without tokens', () => {
    const { clock, vault } = makeVault({ ttlSeconds: 60 });
    vault.tokenize('s1', 'email', EMAIL);
    vault.tokenize('s2', 'email', EMAIL);
    clock.advance(30_000);
    vault.tokenize('s2', 'phone', '0912345678');
    clock.advance(31_000);
    vault.sweep();
    assert.deepEqual(vault.size, { sessions: 1, tokens: 1 });
  });

  test('tokenizing again after expiry issues a token that restores', () => {
    const { clock, vault } = makeVault({ ttlSeconds: 60 });
    vault.tokenize('s1', 'email', EMAIL);
    vault.tokenize('s1', 'phone', '0912345678');
    clock.advance(61_000);
    vault.tokenize('s1', 'phone', '0912345678');
    const token = vault.tokenize('s1', 'email', EMAIL);
    assert.equal(vault.restore('s1', token).text, EMAIL);
  });

  test('expire forgets a session at once', () => {
    const { vault } = makeVault();
    const token = vault.tokenize('s1', 'email', EMAIL);
    vault.expire('s1');
    assert.equal(vault.restore('s1', token).text, token);
    assert.deepEqual(vault.size, { sessions: 0, tokens: 0 });
    assert.notEqual(vault.tokenize('s1', 'email', EMAIL), token, 'a new key for a new session');
  });

  test('a session holding the maximum number of tokens refuses new values but still reuses old ones', () => {
    const { vault } = makeVault({ maxTokensPerSession: 3 });
    for (const value of ['a@b.cd', 'c@d.ef', 'e@f.gh']) vault.tokenize('s1', 'email', value);
    assert.match(vault.tokenize('s1', 'email', 'a@b.cd'), /EMAIL/);
    assert.throws(
      () => vault.tokenize('s1', 'email', 'new@value.io'),
      (error: unknown) => {
        assert.ok(isWardenError(error, 'WARDEN_INSPECTION_FAILED'));
        assert.equal(error.details.limit, 'maxTokensPerSession');
        assert.doesNotMatch(error.message, /new@value/);
        return true;
      },
    );
    assert.match(vault.tokenize('s2', 'email', 'new@value.io'), /EMAIL/, 'other sessions are not affected');
  });

  test('values with lone surrogates, NUL and non-Latin text come back exactly', () => {
    const { vault } = makeVault();
    for (const value of ['\uD800x\uDFFF', 'a\u0000b', 'Nguyễn Văn An', '😀']) {
      assert.equal(vault.restore('s1', vault.tokenize('s1', 'person_name', value)).text, value);
    }
  });

  test('JSON.stringify and util.inspect show counts, never values', () => {
    const { vault } = makeVault();
    vault.tokenize('s1', 'email', EMAIL);
    assert.equal(JSON.stringify(vault), '{"sessions":1,"tokens":1}');
    const shown = inspect(vault, { depth: 10, showHidden: true });
    assert.equal(shown, 'TokenVault { sessions: 1, tokens: 1 }');
    assert.doesNotMatch(`${shown}${JSON.stringify(vault)}`, /lan\.nguyen/);
  });

  test('typeOf reads the type from a token', () => {
    const { vault } = makeVault();
    assert.equal(vault.typeOf(vault.tokenize('s1', 'vn_cccd', '001203004567')), 'vn_cccd');
    assert.equal(vault.typeOf('[[NOT_A_TYPE_12345678]]'), null);
    assert.equal(vault.typeOf('[[EMAIL_1234567]]'), null);
    assert.equal(vault.typeOf('x [[EMAIL_12345678]]'), null);
  });
});
