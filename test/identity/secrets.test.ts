import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateClientSecret, hashSecret, verifySecret } from '../../src/identity/index.js';

describe('client secrets', () => {
  test('a generated secret is wsec_ followed by 32 random bytes in base64url', () => {
    const secret = generateClientSecret();
    assert.match(secret, /^wsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(secret.slice(5), 'base64url').length, 32);
    assert.notEqual(generateClientSecret(), secret);
  });

  test('a hash is scrypt$16384$8$1$salt$hash with a 16-byte salt and 32-byte output, without the secret', async () => {
    const secret = generateClientSecret();
    const hash = await hashSecret(secret);
    const match = /^scrypt\$16384\$8\$1\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(hash);
    if (match === null) return assert.fail(`unexpected hash format: ${hash}`);
    assert.equal(Buffer.from(match[1]!, 'base64url').length, 16);
    assert.equal(Buffer.from(match[2]!, 'base64url').length, 32);
    assert.ok(!hash.includes(secret) && !hash.includes(secret.slice(5)));
  });

  test('hashing the same secret twice gives different hashes (random salt) that both verify', async () => {
    const secret = generateClientSecret();
    const [a, b] = await Promise.all([hashSecret(secret), hashSecret(secret)]);
    assert.notEqual(a, b);
    assert.equal(await verifySecret(secret, a), true);
    assert.equal(await verifySecret(secret, b), true);
  });

  test('a wrong secret does not verify', async () => {
    const hash = await hashSecret(generateClientSecret());
    assert.equal(await verifySecret(generateClientSecret(), hash), false);
    assert.equal(await verifySecret('', hash), false);
  });

  test('a secret longer than 512 characters is refused before hashing', async () => {
    const long = 'x'.repeat(513);
    await assert.rejects(hashSecret(long), { code: 'WARDEN_AGENT_INVALID', message: /1 to 512 characters/ });
    const hash = await hashSecret('x'.repeat(512));
    assert.equal(await verifySecret('x'.repeat(512), hash), true);
    assert.equal(await verifySecret(long, hash), false);
  });

  test('a malformed or out-of-range hash never verifies and never throws', async () => {
    const secret = 'correct-horse-battery-staple';
    const good = await hashSecret(secret);
    const parts = good.split('$');
    const malformed = [
      '',
      'plaintext',
      secret,
      good.replace('scrypt$', 'bcrypt$'),
      parts.slice(0, 5).join('$'),
      [...parts.slice(0, 5), '!!!'].join('$'),
      [parts[0], '16383', ...parts.slice(2)].join('$'), // N not a power of two
      [parts[0], String(1 << 24), ...parts.slice(2)].join('$'), // N far too large
      [parts[0], parts[1], '1000', ...parts.slice(3)].join('$'), // r too large
      [...parts.slice(0, 4), '', parts[5]].join('$'), // empty salt
      [...parts.slice(0, 5), 'AAAA'].join('$'), // hash too short
      `${good}$extra`,
    ];
    for (const hash of malformed) {
      assert.equal(await verifySecret(secret, hash), false, hash);
    }
    assert.equal(await verifySecret(secret, null as unknown as string), false);
  });
});
